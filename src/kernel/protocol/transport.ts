import { randomUUID } from "node:crypto";
import * as zmq from "zeromq";
import { decode, encode, newHeader, Signer, type JupyterMessage } from "./wire.js";

/**
 * The kernel's ZeroMQ side: binds the sockets of a Jupyter connection file, reads shell requests one at a time
 * (control requests as they come), wraps each in busy/idle status messages on iopub, and sends replies and
 * outputs. Sends never block or get lost: ZeroMQ accepts a send at once unless another is still in flight, and
 * then the message waits in order in a JavaScript queue.
 */

/** A Jupyter connection file. */
export interface ConnectionInfo {
  transport: string;
  ip: string;
  key: string;
  signature_scheme?: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
}

/** A request as received, with its arrival number (to abort requests that were queued before an error). */
export interface Request extends JupyterMessage {
  seq: number;
  channel: "shell" | "control";
}

/** Handles one request; the transport publishes busy before and idle after. */
export type RequestHandler = (req: Request) => Promise<void>;

/**
 * The address of `port` in a connection file.
 *
 * @example
 * address({ transport: "tcp", ip: "127.0.0.1", ...ports }, 5555); // "tcp://127.0.0.1:5555"
 */
export function address(conn: ConnectionInfo, port: number): string {
  return conn.transport === "ipc" ? `ipc://${conn.ip}-${port}` : `${conn.transport}://${conn.ip}:${port}`;
}

class Sender {
  private readonly queue: (Buffer | string)[][] = [];
  private draining: Promise<void> | null = null;

  constructor(
    private readonly socket: zmq.Writable,
    private readonly onError: (err: unknown) => void,
  ) {}

  send(frames: (Buffer | string)[]): void {
    if (!this.draining) {
      try {
        this.socket.send(frames).catch(this.onError);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== "EBUSY") return this.onError(err);
      }
    }
    this.queue.push(frames);
    this.draining ??= this.drain();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      try {
        await this.socket.send(this.queue[0]!);
        this.queue.shift();
      } catch (err) {
        if ((err as { code?: string }).code === "EBUSY") await new Promise((r) => setImmediate(r));
        else {
          this.queue.shift();
          this.onError(err);
        }
      }
    }
    this.draining = null;
  }

  /** Resolves when every queued message went to ZeroMQ. */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }
}

/**
 * The bound sockets of one kernel.
 *
 * @example
 * const transport = new Transport(conn, log);
 * await transport.bind();
 * transport.serve(onShell, onControl);
 */
export class Transport {
  /** This kernel's session id (the `session` of the messages it sends). */
  readonly session = randomUUID();
  private readonly signer: Signer;
  private readonly shell = new zmq.Router();
  private readonly control = new zmq.Router();
  private readonly stdin = new zmq.Router();
  private readonly iopub = new zmq.Publisher();
  private readonly senders: Map<zmq.Socket, Sender>;
  private seq = 0;
  private readonly shellQueue: Request[] = [];
  private wake: (() => void) | null = null;
  private closed = false;

  constructor(
    private readonly conn: ConnectionInfo,
    private readonly log: (text: string) => void,
  ) {
    this.signer = new Signer(conn.key, conn.signature_scheme);
    const onError = (err: unknown) => log(`send failed: ${String(err)}`);
    this.senders = new Map(
      [this.shell, this.control, this.iopub].map((s) => [s as zmq.Socket, new Sender(s as zmq.Writable, onError)]),
    );
  }

  /** Binds every socket but the heartbeat (served by its own process). */
  async bind(): Promise<void> {
    for (const s of [this.shell, this.control, this.stdin]) (s as zmq.Router).linger = 1000;
    this.iopub.linger = 1000;
    await Promise.all([
      this.shell.bind(address(this.conn, this.conn.shell_port)),
      this.control.bind(address(this.conn, this.conn.control_port)),
      this.stdin.bind(address(this.conn, this.conn.stdin_port)),
      this.iopub.bind(address(this.conn, this.conn.iopub_port)),
    ]);
  }

  /** Reads requests until close: shell ones one at a time through `onShell`, control ones at once. */
  serve(onShell: RequestHandler, onControl: RequestHandler): void {
    void this.read(this.shell, "shell", (req) => {
      this.shellQueue.push(req);
      this.wake?.();
    });
    void this.read(this.control, "control", (req) => void this.handle(req, onControl));
    void (async () => {
      while (!this.closed) {
        const req = this.shellQueue.shift();
        if (req) await this.handle(req, onShell);
        else await new Promise<void>((r) => (this.wake = r));
      }
    })();
  }

  private async read(socket: zmq.Router, channel: "shell" | "control", onRequest: (req: Request) => void): Promise<void> {
    try {
      for await (const frames of socket) {
        try {
          onRequest({ ...decode(frames, this.signer), seq: ++this.seq, channel });
        } catch (err) {
          this.log(`dropped a ${channel} message: ${(err as Error).message}`);
        }
      }
    } catch (err) {
      if (!this.closed) this.log(`${channel} socket failed: ${String(err)}`);
    }
  }

  private async handle(req: Request, handler: RequestHandler): Promise<void> {
    this.publish("status", { execution_state: "busy" }, req);
    try {
      await handler(req);
    } catch (err) {
      // A request the kernel could not handle still gets its reply, so the client does not wait forever.
      this.log(`${req.header.msg_type} failed: ${(err as Error)?.stack ?? String(err)}`);
      if (req.header.msg_type.endsWith("_request")) {
        const e = err as Error;
        const content = { status: "error", ename: e?.name ?? "Error", evalue: e?.message ?? String(err), traceback: [] };
        this.reply(req, req.header.msg_type.replace(/_request$/, "_reply"), content);
      }
    } finally {
      this.publish("status", { execution_state: "idle" }, req);
    }
  }

  /** The arrival number of the last request read; waits a few turns first, so what already came is read. */
  async lastArrival(): Promise<number> {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    return this.seq;
  }

  /** Sends `content` as `msgType` to the client of `req`, on the channel it came in on. */
  reply(req: Request, msgType: string, content: Record<string, unknown>, metadata: Record<string, unknown> = {}): void {
    const socket = req.channel === "shell" ? this.shell : this.control;
    const frames = encode(this.signer, req.identities, newHeader(msgType, this.session), req.header, content, metadata);
    this.senders.get(socket)!.send(frames);
  }

  /** Publishes `content` as `msgType` on iopub, as an output of `parent`. */
  publish(msgType: string, content: Record<string, unknown>, parent?: Request | null): void {
    const header = newHeader(msgType, this.session);
    const frames = encode(this.signer, [`kernel.${this.session}.${msgType}`], header, parent?.header ?? {}, content);
    this.senders.get(this.iopub)!.send(frames);
  }

  /** Sends what is queued and closes every socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.senders.values()].map((s) => s.flush()));
    for (const s of [this.shell, this.control, this.stdin, this.iopub]) s.close();
    this.wake?.();
  }
}
