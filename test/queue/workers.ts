// Spawning `dealkit worker` processes (the compiled CLI in dist/, as users run it) for the queue tests.
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { redisClient } from "../../src/queue/bull.js";
import { parseQueueUrl } from "../../src/queue/url.js";
import { startRedis, stopProcess, type PrivateRedis } from "./redis-harness.js";

export const BIN = path.resolve(__dirname, "../../bin/dealkit.cjs");

/** Fails clearly when dist/ is missing (npm test builds it first; `npm run build` otherwise). */
export function checkDist(): void {
  if (!fs.existsSync(path.resolve(__dirname, "../../dist/cli/main.js"))) throw new Error("dist/ is missing: run `npm run build` before the queue tests");
}

/** A running worker process and what it wrote to stderr so far. */
export interface WorkerProcess {
  child: ChildProcess;
  log: () => string;
  stop: () => Promise<void>;
}

/** Starts `dealkit worker --queue URL --data-root ROOT ...` and waits for its "listening" line. */
export async function startWorker(url: string, roots: string[], extra: string[] = []): Promise<WorkerProcess> {
  checkDist();
  const child = spawn(process.execPath, [BIN, "worker", "--queue", url, "--data-root", ...roots, "--backend", "cpu", ...extra], {
    stdio: ["ignore", "pipe", "pipe"], env: { ...process.env },
  });
  let log = "";
  child.stdout!.on("data", (b: Buffer) => { log += b.toString(); });
  child.stderr!.on("data", (b: Buffer) => { log += b.toString(); });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start in 60 s:\n${log}`)), 60_000);
    const check = () => {
      if (/worker: listening/.test(log)) { clearTimeout(timer); resolve(); }
    };
    child.stderr!.on("data", check);
    child.once("exit", (code) => { clearTimeout(timer); reject(new Error(`worker exited (${code}):\n${log}`)); });
  });
  return { child, log: () => log, stop: () => stopProcess(child) };
}

/** Runs the dealkit CLI to completion (asynchronously, so that workers keep running) and returns its output. */
export function runCli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return startCli(args).done;
}

/** Starts the dealkit CLI: the process (to kill it) and its output when it ends. */
export function startCli(args: string[]): { child: ChildProcess; done: Promise<{ status: number | null; stdout: string; stderr: string }> } {
  checkDist();
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const done = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (b: Buffer) => { stdout += b.toString(); });
    child.stderr!.on("data", (b: Buffer) => { stderr += b.toString(); });
    child.once("exit", (status) => resolve({ status, stdout, stderr }));
  });
  return { child, done };
}

/** Empties the test Redis (jobs and stored results), through the same client the queue uses. */
export async function flushRedis(url: string): Promise<void> {
  const client = await redisClient(parseQueueUrl(url));
  await client.flushall();
  await client.quit();
}

/** What {@link queueSuite} holds for its describe block once its beforeAll has run. */
export interface QueueSuite {
  /** The suite's private redis-server. */
  redis: PrivateRedis;
  /** A scratch folder (the workers' data root), removed after the suite. */
  dir: string;
  /** The suite's running workers: stopped after the suite (a test may stop them earlier with `splice(0)`). */
  workers: WorkerProcess[];
  /** Starts `n` workers on the suite's queue with `dir` as their data root, and keeps them in `workers`. */
  startWorkers(n: number, extra?: string[]): Promise<void>;
}

/**
 * The queue tests' shared fixture, registered inside a describe block: before its tests a private redis-server and a
 * scratch folder `<tmp>/<prefix>XXXXXX`; after them the workers and redis stop and the folder goes. A file's own
 * beforeAll hooks, registered after this call, see both.
 */
export function queueSuite(prefix: string): QueueSuite {
  const suite: QueueSuite = {
    redis: undefined as unknown as PrivateRedis,
    dir: "",
    workers: [],
    async startWorkers(n, extra = []) {
      for (let i = 0; i < n; i++) suite.workers.push(await startWorker(suite.redis.url, [suite.dir], extra));
    },
  };
  beforeAll(async () => {
    suite.redis = await startRedis();
    suite.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterAll(async () => {
    for (const w of suite.workers.splice(0)) await w.stop();
    await suite.redis?.stop();
    if (suite.dir) fs.rmSync(suite.dir, { recursive: true, force: true });
  });
  return suite;
}
