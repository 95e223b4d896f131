import { loadBullmq, redisClient } from "./bull.js";
import { DEALKIT_QUEUE_NAME, resultKeyOf, type QueueJob } from "./jobs.js";
import { runQueueJob, type JobContext } from "./run-job.js";
import { parseQueueUrl, redisOptionsOf } from "./url.js";

/** Options of {@link startQueueWorker}. */
export interface QueueWorkerOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://` (TLS). Its credentials are never logged. */
  url: string;
  /** Jobs run at once by this worker; default 1 (jobs are CPU-bound: start one worker per core instead). */
  concurrency?: number;
  /** Folders jobs may read from; default none (every job that names a path is refused). */
  dataRoots?: readonly string[];
  /**
   * How long a job's lock lasts without renewal, ms; default 120000. A worker that dies (kill -9) loses its jobs
   * to another worker once the lock has expired. A job's CPU-bound part must take less than this.
   */
  lockDurationMs?: number;
  /** How often this worker looks for stalled jobs (of dead workers), ms; default 30000. */
  stalledIntervalMs?: number;
  /** How many times a job may stall before it fails; default 2. */
  maxStalledCount?: number;
  /** Wait this long before each job, ms (fault drills: time to kill a worker mid-job); default 0. */
  delayMs?: number;
  /** A line per event: started, job done, job failed (never the URL's credentials). */
  log?: (line: string) => void;
}

/** A running worker. */
export interface QueueWorker {
  /** The queue URL with credentials hidden. */
  shown: string;
  /** Finishes the running jobs, then disconnects. */
  close(): Promise<void>;
}

/**
 * Starts a BullMQ worker on dealkit's queue: it runs eval, predict and ablate jobs ({@link runQueueJob}) and stores
 * each result under its content key in Redis, answering a job whose result is already stored without work.
 *
 * @example
 * const w = await startQueueWorker({ url: "redis://127.0.0.1:6379", dataRoots: ["/data"], concurrency: 1 });
 * // ... later
 * await w.close();
 */
export async function startQueueWorker(o: QueueWorkerOptions): Promise<QueueWorker> {
  const conn = parseQueueUrl(o.url);
  const { Worker } = await loadBullmq();
  const store = await redisClient(conn);
  const log = o.log ?? (() => {});
  const ctx: JobContext = { dataRoots: o.dataRoots ?? [] };
  const delay = o.delayMs ?? 0;
  const worker = new Worker<QueueJob>(DEALKIT_QUEUE_NAME, async (job) => {
    const data = job.data;
    const name = `${data.kind} shard ${data.shard + 1}/${data.of}`;
    if ((await store.exists(resultKeyOf(data.key))) === 1) {
      log(`${name}: stored result (no work)`);
      return { key: data.key, cached: true };
    }
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const t0 = Date.now();
    const bytes = await runQueueJob(data, ctx);
    await store.set(resultKeyOf(data.key), bytes);
    log(`${name}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s (${bytes.byteLength} bytes stored)`);
    return { key: data.key, cached: false };
  }, {
    connection: redisOptionsOf(conn, { worker: true }) as never,
    concurrency: o.concurrency ?? 1,
    lockDuration: o.lockDurationMs ?? 120_000,
    stalledInterval: o.stalledIntervalMs ?? 30_000,
    maxStalledCount: o.maxStalledCount ?? 2,
  });
  worker.on("failed", (job, err) => {
    if (job) log(`${job.data.kind} shard ${job.data.shard + 1}/${job.data.of}: failed (try ${job.attemptsMade}): ${err.message}`);
  });
  worker.on("error", (err) => log(`worker error: ${err.message}`));
  await worker.waitUntilReady();
  log(`worker: listening on ${conn.shown}, queue ${DEALKIT_QUEUE_NAME}, concurrency ${o.concurrency ?? 1}, data roots: ${ctx.dataRoots.length ? ctx.dataRoots.join(", ") : "none"}`);
  return {
    shown: conn.shown,
    close: async () => {
      await worker.close();
      await store.quit();
      ctx.model?.loaded.model.dispose();
    },
  };
}
