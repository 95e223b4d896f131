import { loadBullmq, redisClient } from "./bull.js";
import { DEALKIT_QUEUE_NAME, resultKeyOf, type QueueJob } from "./jobs.js";
import { parseQueueUrl, redisOptionsOf } from "./url.js";

/** A queued run that failed: a shard failed every try (its error is in the message). */
export class DealkitQueueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DealkitQueueError";
  }
}

/** Progress of a queued run: shards done (of which answered from the store), failed for good, and retried. */
export interface QueueProgress {
  total: number;
  done: number;
  /** Shards whose result was already stored when the run started (no work). */
  cached: number;
  /** Shards that failed every try (the run then fails). */
  failed: number;
  /** Shards that needed more than one try: a failed try, or a stalled one (its worker died). */
  retried: number;
}

/** Options of {@link runQueuedShards}. */
export interface RunQueuedOptions {
  /** Tries per shard before the run fails with its error; default 3. */
  attempts?: number;
  /** How often the store and the jobs are looked at, ms; default 250. */
  pollMs?: number;
  /** Called when the counts change. */
  onProgress?: (p: QueueProgress) => void;
  /**
   * Read the results into memory (default true). False: only wait until every result is stored, and return
   * empty buffers (the caller reads the stored results itself, piece by piece: large results).
   */
  fetch?: boolean;
}

/**
 * Enqueues shard jobs on dealkit's queue (job id = content key), waits for all of them and returns their stored
 * results in shard order. A shard whose result is stored is not enqueued (a re-run picks up the finished
 * shards); a shard still queued or running from an earlier, interrupted run is waited for, not added again; a
 * shard that failed for good earlier is tried anew. Each result is read once from the store by its key, so no
 * shard is counted twice. Fails with the shard and its error when a shard fails `attempts` times.
 *
 * @example
 * const buffers = await runQueuedShards("redis://127.0.0.1:6379", jobs, { onProgress: (p) => console.log(p) });
 */
export async function runQueuedShards(url: string, jobs: readonly QueueJob[], o: RunQueuedOptions = {}): Promise<Buffer[]> {
  return (await runQueuedJobs(url, jobs, o)).results;
}

/**
 * {@link runQueuedShards}, also saying which jobs were answered from the store when the run started (no work).
 *
 * @example
 * const { results, stored } = await runQueuedJobs("redis://127.0.0.1:6379", jobs);
 */
export async function runQueuedJobs(url: string, jobs: readonly QueueJob[], o: RunQueuedOptions = {}): Promise<{ results: Buffer[]; stored: boolean[] }> {
  const conn = parseQueueUrl(url);
  const { Queue } = await loadBullmq();
  const store = await redisClient(conn);
  const queue = new Queue<QueueJob>(DEALKIT_QUEUE_NAME, { connection: redisOptionsOf(conn) as never });
  const attempts = o.attempts ?? 3;
  const pollMs = o.pollMs ?? 250;
  const EMPTY = Buffer.alloc(0);
  const get = async (key: string): Promise<Buffer | null> => (o.fetch === false ? ((await store.exists(resultKeyOf(key))) === 1 ? EMPTY : null) : store.getBuffer(resultKeyOf(key)));
  const results: (Buffer | undefined)[] = new Array(jobs.length);
  const retried = new Set<number>();
  const storedAtStart: boolean[] = new Array<boolean>(jobs.length).fill(false);
  let cached = 0;
  let last = "";
  const report = (failed: number) => {
    const p: QueueProgress = { total: jobs.length, done: results.filter((r) => r !== undefined).length, cached, failed, retried: retried.size };
    const s = JSON.stringify(p);
    if (s !== last) { last = s; o.onProgress?.(p); }
  };
  try {
    const add: QueueJob[] = [];
    for (let i = 0; i < jobs.length; i++) {
      const j = jobs[i]!;
      const stored = await get(j.key);
      if (stored) { results[i] = stored; storedAtStart[i] = true; cached++; continue; }
      const existing = await queue.getJob(j.key);
      if (existing) {
        const state = await existing.getState();
        if (state === "failed" || state === "completed") await existing.remove();
        else continue; // waiting, delayed or active: an earlier run's job, waited for
      }
      add.push(j);
    }
    if (add.length) {
      await queue.addBulk(add.map((j) => ({
        name: j.kind, data: j,
        // Completed jobs are kept a day (their try counts are read when their result arrives), failed ones until retried.
        opts: { jobId: j.key, attempts, backoff: { type: "fixed", delay: 200 }, removeOnComplete: { age: 24 * 3600, count: 100_000 }, removeOnFail: false },
      })));
    }
    report(0);
    for (;;) {
      let pending = 0;
      for (let i = 0; i < jobs.length; i++) {
        if (results[i] !== undefined) continue;
        const j = jobs[i]!;
        const stored = await get(j.key);
        const job = await queue.getJob(j.key);
        // More than one try: a failed try, or a stalled one (its worker died and another took the shard over).
        // (attemptsStarted counts moves to active: a failed try or a stall sends the job back for another.)
        if (job && ((job.attemptsStarted ?? 0) > 1 || (job.stalledCounter ?? 0) > 0)) retried.add(i);
        if (stored) { results[i] = stored; continue; }
        pending++;
        if (!job) continue; // removed a moment ago: its result is read on the next look
        if ((await job.getState()) === "failed") {
          report(1);
          throw new DealkitQueueError(`${j.kind} shard ${i + 1}/${jobs.length} failed ${job.attemptsMade} time(s): ${job.failedReason ?? "no reason given"}`);
        }
      }
      report(0);
      if (pending === 0) break;
      await new Promise((r) => setTimeout(r, pollMs));
    }
    return { results: results as Buffer[], stored: storedAtStart };
  } finally {
    await queue.close();
    await store.quit();
  }
}

/**
 * One progress line of a queued run: `eval on queue: 5/8 shards done (2 stored), 0 failed, 1 retried`.
 *
 * @example
 * formatQueueProgress("eval", { total: 8, done: 5, cached: 2, failed: 0, retried: 1 });
 */
export function formatQueueProgress(what: string, p: QueueProgress, unit = "shards"): string {
  return `${what} on queue: ${p.done}/${p.total} ${unit} done${p.cached ? ` (${p.cached} stored)` : ""}, ${p.failed} failed, ${p.retried} retried`;
}
