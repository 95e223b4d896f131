// A private redis-server for the queue tests: 127.0.0.1, a free port, no persistence (--save '' --appendonly no),
// started in a fresh temp folder and stopped (SIGTERM, then SIGKILL) by the test that started it.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

/** The redis-server binary on PATH, or undefined when it is not installed (the queue tests then skip). */
export function redisServerBinary(): string | undefined {
  const r = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
  const bin = r.status === 0 ? r.stdout.trim() : "";
  return bin !== "" ? bin : undefined;
}

/** Why the queue tests skip, or "" when redis-server is there. */
export const REDIS_SKIP_REASON = redisServerBinary() === undefined
  ? "redis-server is not installed (scripts/setup.sh installs Debian's redis-server): queue tests skipped"
  : "";

/** A free TCP port on 127.0.0.1 (the OS picks it; the listener is closed before returning). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A running private redis-server. */
export interface PrivateRedis {
  port: number;
  url: string;
  process: ChildProcess;
  dir: string;
  stop(): Promise<void>;
}

/** Starts a private redis-server and waits until it accepts connections (its "Ready to accept" line). */
export async function startRedis(): Promise<PrivateRedis> {
  const bin = redisServerBinary();
  if (!bin) throw new Error(REDIS_SKIP_REASON);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-redis-"));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn(bin, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--protected-mode", "yes"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 10_000);
      const onData = (b: Buffer) => {
        log += b.toString();
        if (/Ready to accept connections/.test(log)) { clearTimeout(timer); resolve(true); }
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", onData);
      child.once("exit", () => { clearTimeout(timer); resolve(false); });
    });
    if (ready) {
      child.stdout!.resume();
      child.stderr!.resume();
      return {
        port, url: `redis://127.0.0.1:${port}`, process: child, dir,
        stop: () => stopProcess(child).then(() => fs.rmSync(dir, { recursive: true, force: true })),
      };
    }
    await stopProcess(child);
    // The port was taken between freePort() and the start: try another one, a few times.
    if (attempt >= 3) throw new Error(`redis-server did not start:\n${log}`);
  }
}

/** Stops a child process: SIGTERM, then SIGKILL after 5 s; resolves when it has exited. */
export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => { clearTimeout(timer); resolve(); });
    child.kill("SIGTERM");
  });
}
