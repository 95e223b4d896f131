import { fork, type ChildProcess } from "node:child_process";
import * as zmq from "zeromq";

/**
 * The heartbeat: a small child process that echoes on the connection's hb port, so clients that watch the
 * heartbeat (jupyter console) still see the kernel alive while a cell keeps the main thread busy (as ipykernel
 * answers it from a thread). The child ignores SIGINT (interrupts go to the kernel's process group) and exits
 * when the kernel process goes away.
 */

/**
 * Starts the heartbeat child echoing at `addr` (e.g. "tcp://127.0.0.1:5000").
 *
 * @example
 * const hb = startHeartbeat(address(conn, conn.hb_port));
 * // ... on shutdown:
 * hb.kill();
 */
export function startHeartbeat(addr: string): ChildProcess {
  const child = fork(__filename, [addr], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  child.unref();
  child.channel?.unref();
  return child;
}

async function serve(addr: string): Promise<void> {
  process.on("SIGINT", () => undefined);
  const socket = new zmq.Reply();
  socket.linger = 0;
  const stop = () => {
    socket.close();
    process.exit(0);
  };
  process.on("disconnect", stop);
  process.on("SIGTERM", stop);
  await socket.bind(addr);
  for await (const frames of socket) await socket.send(frames);
}

if (require.main === module && process.send) {
  serve(process.argv[2]!).catch((err) => {
    process.stderr.write(`dealkit kernel heartbeat: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
