import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { StudioWorkerConfig, ToMain, ToWorker } from "./protocol.js";
import type { StudioClick, StudioDetection, StudioState } from "./session.js";

/** What the starting thread does for the server worker. */
export interface StudioWorkerServices {
  load(image: number): Promise<{ width: number; height: number; png: Uint8Array }>;
  detect(image: number, clicks: StudioClick[]): Promise<{ detections: StudioDetection[]; timeMs: number }>;
  /** The HTTP status for a failed load or detection (the message is the error's). */
  failureStatus(err: unknown): number;
  onState(state: StudioState): void;
}

/** The running server worker, seen from the starting thread. */
export interface StudioWorker {
  origin: string;
  stats(): Promise<{ touches: number; busy: number }>;
  closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * The worker's script: the compiled http-worker.js next to this file; from the TypeScript sources (tests,
 * tsx) the .ts file, loaded through tsx's CommonJS hook as the parent is.
 */
function workerEntry(): { file: string; execArgv: string[] } {
  const js = path.join(__dirname, "http-worker.js");
  if (fs.existsSync(js)) return { file: js, execArgv: [] };
  return { file: path.join(__dirname, "http-worker.ts"), execArgv: ["--require", createRequire(__filename).resolve("tsx/cjs")] };
}

/** Starts the HTTP server worker and serves its requests for images and detections. */
export function startStudioWorker(config: StudioWorkerConfig, services: StudioWorkerServices): Promise<StudioWorker> {
  const entry = workerEntry();
  const worker = new Worker(entry.file, { workerData: config, execArgv: entry.execArgv, stdout: false, stderr: false });
  let exited = false;
  const closed = new Promise<void>((resolve) => worker.once("exit", () => ((exited = true), resolve())));
  const statsWaiting = new Map<number, (s: { touches: number; busy: number }) => void>();
  let statsId = 0;
  const post = (m: ToWorker, transfer: ArrayBuffer[] = []) => worker.postMessage(m, transfer);
  const fail = (id: number, err: unknown) =>
    post({ type: "failed", id, status: services.failureStatus(err), message: err instanceof Error ? err.message : String(err) });

  return new Promise<StudioWorker>((resolve, reject) => {
    let started = false;
    worker.once("error", (err) => {
      if (!started) reject(new Error(`the studio server could not start: ${err.message}`));
    });
    void closed.then(() => {
      if (!started) reject(new Error("the studio server stopped before it was ready"));
    });
    worker.on("message", (m: ToMain) => {
      switch (m.type) {
        case "ready": {
          started = true;
          // Held until ready (so that a script awaiting the start does not exit first), then let go.
          if (!config.keepProcessAlive) worker.unref();
          const close = (): Promise<void> => {
            post({ type: "close" });
            const force = setTimeout(() => void worker.terminate(), 5000);
            force.unref();
            return closed.finally(() => clearTimeout(force));
          };
          const stats = () =>
            new Promise<{ touches: number; busy: number }>((res, rej) => {
              if (exited) return rej(new Error("the studio is closed"));
              const id = ++statsId;
              statsWaiting.set(id, res);
              post({ type: "stats", id });
            });
          resolve({ origin: `http://127.0.0.1:${m.port}`, stats, closed, close });
          return;
        }
        case "listen-failed":
          reject(new Error(`the studio server could not listen on 127.0.0.1:${config.port}: ${m.message}`));
          void worker.terminate();
          return;
        case "load":
          services.load(m.image).then(
            (r) => post({ type: "loaded", id: m.id, ...r }, [r.png.buffer as ArrayBuffer]),
            (err: unknown) => fail(m.id, err),
          );
          return;
        case "detect":
          services.detect(m.image, m.clicks).then(
            (r) => post({ type: "detected", id: m.id, ...r }),
            (err: unknown) => fail(m.id, err),
          );
          return;
        case "state":
          services.onState(m.state);
          return;
        case "stats":
          statsWaiting.get(m.id)?.({ touches: m.touches, busy: m.busy });
          statsWaiting.delete(m.id);
          return;
      }
    });
  });
}
