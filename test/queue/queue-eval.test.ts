// Sharded evaluation on real BullMQ workers (separate `dealkit worker` processes) over a private redis-server:
// equal to the single-process evaluation number for number, with 2 workers and with one killed -9 mid-run;
// a cached re-run does no work; a shard that fails every try fails the run with its error named.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { cocoEvaluate, cocoLoadFiles, evalSynthCase } from "../../src/eval/index.js";
import { cocoEvaluateOnQueue } from "../../src/queue/eval-queued.js";
import type { QueueProgress } from "../../src/queue/submit.js";
import { loadBullmq } from "../../src/queue/bull.js";
import { DEALKIT_QUEUE_NAME } from "../../src/queue/jobs.js";
import { parseQueueUrl, redisOptionsOf } from "../../src/queue/url.js";
import { REDIS_SKIP_REASON } from "./redis-harness.js";
import { flushRedis, queueSuite, runCli, startCli, startWorker } from "./workers.js";

if (REDIS_SKIP_REASON) console.warn(REDIS_SKIP_REASON);

describe.skipIf(REDIS_SKIP_REASON !== "")("eval on queue workers", () => {
  let gtFile: string;
  let dtFile: string;
  const harness = queueSuite("dealkit-queue-eval-");
  // Short locks and stall checks, so that a killed worker's shard goes to another within seconds.
  const fast = ["--lock-duration", "3000", "--stalled-interval", "1000"];

  beforeAll(async () => {
    const { gt, dt } = evalSynthCase({ images: 60, gtPerImage: 15, dtPerGt: 3, categories: 4, seed: 11 });
    // Scores with ties across images (one decimal), the case where merge order matters.
    const dets = dt.map((d, i) => ({ ...d, score: i % 2 ? Math.round(d.score * 10) / 10 : d.score }));
    gtFile = path.join(harness.dir, "gt.json");
    dtFile = path.join(harness.dir, "dt.json");
    fs.writeFileSync(gtFile, JSON.stringify(gt));
    fs.writeFileSync(dtFile, JSON.stringify(dets));
  });
  // Every test's workers stop after it, passed or failed.
  afterEach(async () => {
    for (const w of harness.workers.splice(0)) await w.stop();
  });

  function reference(opts: { protocol?: "coco" | "aitod"; classAgnostic?: boolean } = {}) {
    const { gt, dt } = cocoLoadFiles(gtFile, dtFile);
    return cocoEvaluate(gt, dt, opts);
  }

  it("2 workers, 7 shards == one process, number for number (coco, aitod with oLRP, class-agnostic); a cached re-run does no work", async () => {
    await harness.startWorkers(2, fast);
    for (const opts of [{ protocol: "coco" as const }, { protocol: "aitod" as const }, { protocol: "coco" as const, classAgnostic: true }]) {
      const progress: QueueProgress[] = [];
      const ev = await cocoEvaluateOnQueue(gtFile, dtFile, { ...opts, url: harness.redis.url, shards: 7, onProgress: (p) => progress.push(p) });
      const ref = reference(opts);
      expect(ev.results.stats).toEqual(ref.results.stats);
      expect(ev.results.perCategory).toEqual(ref.results.perCategory);
      expect(ev.results.fingerprint).toEqual(ref.results.fingerprint);
      expect(Array.from(ev.accumulated.precision)).toEqual(Array.from(ref.accumulated.precision));
      expect(Array.from(ev.accumulated.recall)).toEqual(Array.from(ref.accumulated.recall));
      expect(progress.at(-1)).toMatchObject({ total: 7, done: 7, cached: 0, failed: 0 });
    }
    // Both workers took part.
    for (const w of harness.workers) expect(w.log()).toMatch(/eval shard \d+\/7: done/);
    // Cached re-run: with no worker running at all, every shard is answered from the store.
    for (const w of harness.workers.splice(0)) await w.stop();
    const progress: QueueProgress[] = [];
    const again = await cocoEvaluateOnQueue(gtFile, dtFile, { protocol: "aitod", url: harness.redis.url, shards: 7, onProgress: (p) => progress.push(p) });
    expect(again.results.stats).toEqual(reference({ protocol: "aitod" }).results.stats);
    expect(progress.at(-1)).toEqual({ total: 7, done: 7, cached: 7, failed: 0, retried: 0 });
  });

  it("the CLI: dealkit eval --queue prints what dealkit eval prints", async () => {
    await flushRedis(harness.redis.url);
    await harness.startWorkers(2, fast);
    const plain = await runCli(["eval", "--gt", gtFile, "--dt", dtFile, "--protocol", "aitod", "--json"]);
    const queued = await runCli(["eval", "--gt", gtFile, "--dt", dtFile, "--protocol", "aitod", "--json", "--queue", harness.redis.url, "--shards", "5"]);
    expect(plain.status, plain.stderr).toBe(0);
    expect(queued.status, queued.stderr).toBe(0);
    const strip = (s: string) => { const o = JSON.parse(s); delete o.timings; return o; };
    expect(strip(queued.stdout)).toEqual(strip(plain.stdout));
    expect(queued.stderr).toMatch(/eval on queue: 5\/5 shards done, 0 failed, 0 retried/);
  });

  it("a worker killed -9 mid-shard: its shard is retried by another worker, the result is unchanged, no shard counted twice", async () => {
    await flushRedis(harness.redis.url);
    // Worker A waits 4 s in each job: it is killed while holding a shard.
    const a = await startWorker(harness.redis.url, [harness.dir], [...fast, "--delay", "4000"]);
    harness.workers.push(a);
    const progress: QueueProgress[] = [];
    const run = cocoEvaluateOnQueue(gtFile, dtFile, { protocol: "coco", url: harness.redis.url, shards: 4, onProgress: (p) => progress.push(p) });
    const { Queue } = await loadBullmq();
    const q = new Queue(DEALKIT_QUEUE_NAME, { connection: redisOptionsOf(parseQueueUrl(harness.redis.url)) as never });
    const t0 = Date.now();
    while ((await q.getActiveCount()) === 0) {
      if (Date.now() - t0 > 60_000) throw new Error(`no job became active:\n${a.log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    a.child.kill("SIGKILL");
    await a.stop();
    const b = await startWorker(harness.redis.url, [harness.dir], fast);
    harness.workers.push(b);
    const ev = await run;
    await q.close();
    expect(ev.results.stats).toEqual(reference().results.stats);
    expect(Array.from(ev.accumulated.precision)).toEqual(Array.from(reference().accumulated.precision));
    expect(progress.at(-1)).toMatchObject({ total: 4, done: 4, failed: 0 });
    expect(progress.at(-1)!.retried).toBeGreaterThanOrEqual(1);
    expect(a.log()).not.toMatch(/: done in/); // A finished nothing: B did all 4 shards
    expect((b.log().match(/eval shard \d\/4: done/g) ?? []).length).toBe(4);
    expect(ev.results.counts.dt).toBe(reference().results.counts.dt);
  });

  it("a shard failing every try fails the run naming its error; a worker refuses paths outside its data roots", async () => {
    await flushRedis(harness.redis.url);
    const other = fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-queue-root-"));
    harness.workers.push(await startWorker(harness.redis.url, [other], fast));
    await expect(cocoEvaluateOnQueue(gtFile, dtFile, { url: harness.redis.url, shards: 2, attempts: 2 }))
      .rejects.toThrow(new RegExp(`eval shard \\d/2 failed 2 time\\(s\\): refusing ${gtFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: not under a data root of this worker \\(${other.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\)`));
    fs.rmSync(other, { recursive: true, force: true });
  });

  it("an interrupted submitter, re-run, waits for the shards already queued instead of adding them again; each shard runs once", async () => {
    await flushRedis(harness.redis.url);
    const args = ["eval", "--gt", gtFile, "--dt", dtFile, "--json", "--queue", harness.redis.url, "--shards", "4"];
    const { Queue } = await loadBullmq();
    const q = new Queue(DEALKIT_QUEUE_NAME, { connection: redisOptionsOf(parseQueueUrl(harness.redis.url)) as never });
    try {
      // No worker yet: the first submitter enqueues the 4 shards and is killed while waiting.
      const first = startCli(args);
      const t0 = Date.now();
      while ((await q.getWaitingCount()) < 4) {
        if (Date.now() - t0 > 60_000) throw new Error("the submitter enqueued nothing in 60 s");
        await new Promise((r) => setTimeout(r, 100));
      }
      first.child.kill("SIGKILL");
      await first.done;
      // The re-run finds the 4 queued shards; a worker started afterwards runs each once.
      const second = startCli(args);
      await new Promise((r) => setTimeout(r, 1500));
      expect(await q.getWaitingCount()).toBe(4);
      const w = await startWorker(harness.redis.url, [harness.dir], fast);
      harness.workers.push(w);
      const r = await second.done;
      expect(r.status, r.stderr).toBe(0);
      const plain = await runCli(["eval", "--gt", gtFile, "--dt", dtFile, "--json"]);
      const strip = (text: string) => { const o = JSON.parse(text); delete o.timings; return o; };
      expect(strip(r.stdout)).toEqual(strip(plain.stdout));
      expect((w.log().match(/eval shard \d\/4: done in/g) ?? []).length).toBe(4);
      expect(await q.getCompletedCount()).toBe(4);
    } finally {
      await q.close();
    }
  });
});
