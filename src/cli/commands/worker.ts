import type { Command } from "commander";
import { initBackend, redactQueueUrl, startQueueWorker } from "../../index.js";
import { numberOption } from "../data-options.js";

/** Options of `dealkit worker`, as commander parses them. */
export interface WorkerCommandOptions {
  queue: string;
  concurrency: string;
  dataRoot?: string[];
  lockDuration: string;
  stalledInterval: string;
  delay?: string;
  backend?: string;
}

/**
 * `dealkit worker --queue redis://HOST:PORT [--concurrency N] [--data-root DIR ...]`: a BullMQ worker that runs
 * dealkit's eval, predict and ablate jobs until SIGINT / SIGTERM (then it finishes its running jobs and exits).
 */
export function register(program: Command): void {
  program
    .command("worker")
    .description("run dealkit jobs (eval, predict and ablate shards) from a Redis queue; results are stored in Redis under content keys")
    .requiredOption("--queue <url>", "redis://[user:password@]host:port[/db], or rediss:// for TLS (credentials are never printed)")
    .option("--concurrency <n>", "jobs at once (they are CPU-bound: prefer one worker per core)", "1")
    .option("--data-root <dir...>", "folders jobs may read (annotations, detections, images, checkpoints); other paths are refused")
    .option("--lock-duration <ms>", "a job's lock; a dead worker's job goes to another worker after this", "120000")
    .option("--stalled-interval <ms>", "how often to look for jobs of dead workers", "30000")
    .option("--delay <ms>", "wait this long before each job (fault drills: time to kill a worker mid-job)")
    .option("--backend <name>", "auto | gpu | node | wasm | cpu (for predict jobs)")
    .action(async (o: WorkerCommandOptions) => {
      const log = (line: string) => process.stderr.write(line + "\n");
      await initBackend(o.backend ? { backend: o.backend as never } : {});
      const w = await startQueueWorker({
        url: o.queue,
        concurrency: numberOption("--concurrency", o.concurrency, { integer: true, min: 1 }),
        dataRoots: o.dataRoot ?? [],
        lockDurationMs: numberOption("--lock-duration", o.lockDuration, { integer: true, min: 100 }),
        stalledIntervalMs: numberOption("--stalled-interval", o.stalledInterval, { integer: true, min: 100 }),
        ...(o.delay !== undefined ? { delayMs: numberOption("--delay", o.delay, { integer: true, min: 0 }) } : {}),
        log,
      });
      await new Promise<void>((resolve) => {
        const stop = (sig: string) => {
          log(`worker: ${sig}, finishing running jobs (${redactQueueUrl(w.shown)})`);
          void w.close().then(resolve);
        };
        process.once("SIGINT", () => stop("SIGINT"));
        process.once("SIGTERM", () => stop("SIGTERM"));
      });
    });
}
