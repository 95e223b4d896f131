import * as fs from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { CellExecutor } from "./execute.js";
import { startHeartbeat } from "./heartbeat.js";
import { DealkitKernel } from "./kernel.js";
import { useOwnPackagesAsFallback } from "./resolve.js";
import { address, Transport, type ConnectionInfo } from "./transport.js";

/**
 * The dealkit Jupyter kernel's entry point: `node kernels-config/dealkit-kernel.cjs <connection file>`, as the
 * kernel specs in kernels-config/ start it. TypeScript cells run in this process with tslab's engine; this
 * kernel speaks the Jupyter messaging protocol itself (see kernel.ts).
 */

const USAGE = "usage: dealkit-kernel [--connection-file] <connection file>";

function readConnection(file: string): ConnectionInfo {
  const conn = JSON.parse(fs.readFileSync(file, "utf8")) as ConnectionInfo;
  for (const key of ["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"] as const) {
    if (!Number.isInteger(conn[key])) throw new Error(`${file}: ${key} must be a port number`);
  }
  if (typeof conn.ip !== "string" || typeof conn.transport !== "string") throw new Error(`${file}: ip and transport are required`);
  return { ...conn, key: conn.key ?? "" };
}

/** Routes writes to process.stdout/stderr (console.log in cells) to `sink`. */
function captureStream(stream: NodeJS.WriteStream, sink: (text: string) => void): void {
  const decoder = new StringDecoder("utf8");
  stream.write = ((chunk: string | Uint8Array, encoding?: unknown, cb?: unknown) => {
    sink(typeof chunk === "string" ? chunk : decoder.write(Buffer.from(chunk)));
    const done = typeof encoding === "function" ? encoding : cb;
    if (typeof done === "function") process.nextTick(done as () => void);
    return true;
  }) as typeof stream.write;
}

/**
 * Starts the kernel for the connection file in `argv`; resolves once it serves requests.
 *
 * @example
 * await main(["/run/user/1000/jupyter/kernel-1234.json"]);
 */
export async function main(argv: string[]): Promise<void> {
  const args = argv[0] === "--connection-file" ? argv.slice(1) : argv;
  if (args.length !== 1) throw new Error(USAGE);
  const conn = readConnection(args[0]!);
  const rawOut = process.stdout.write.bind(process.stdout);
  const rawErr = process.stderr.write.bind(process.stderr);
  const log = (text: string) => void rawErr(`[dealkit kernel] ${text}\n`);
  const fallback = useOwnPackagesAsFallback(process.cwd());
  if (fallback) log(`dealkit is not installed where the kernel runs; using the kernel's own from ${fallback}`);

  const transport = new Transport(conn, log);
  await transport.bind();
  const heartbeat = startHeartbeat(address(conn, conn.hb_port));
  let kernel: DealkitKernel | undefined;
  const cells = new CellExecutor(process.cwd(), (text) => kernel?.stream("stderr", text));
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    heartbeat.kill();
    cells.close();
    await transport.close();
    process.exit(0);
  };
  kernel = new DealkitKernel(transport, cells, {
    onShutdown: () => void shutdown(),
    write: (name, text) => void (name === "stdout" ? rawOut(text) : rawErr(text)),
    log,
  });
  const k = kernel;
  captureStream(process.stdout, (text) => k.stream("stdout", text));
  captureStream(process.stderr, (text) => k.stream("stderr", text));
  process.on("SIGINT", () => cells.interrupt());
  process.on("SIGTERM", () => void shutdown());
  process.on("exit", () => heartbeat.kill());
  // Like ipykernel: end with the process that started us (JPY_PARENT_PID, set by jupyter_client), not orphaned.
  const parent = Number(process.env.JPY_PARENT_PID ?? 0);
  if (parent > 1) {
    setInterval(() => {
      if (process.ppid !== parent) {
        log("the process that started the kernel is gone; shutting down");
        void shutdown();
      }
    }, 1000).unref();
  }
  process.on("uncaughtException", (err) => k.stream("stderr", `${cells.report(err).traceback.join("\n")}\n`));
  process.on("unhandledRejection", (reason) =>
    k.stream("stderr", `Unhandled promise rejection: ${cells.report(reason).traceback.join("\n")}\n`),
  );
  transport.serve(kernel.shell, kernel.control);
  transport.publish("status", { execution_state: "starting" });
}
