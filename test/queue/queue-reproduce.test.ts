// The paper reproduction with its expensive stages on `dealkit worker` processes: every model's predictions on
// every split (sharded) and the ablation (one job per cell x seed). On TinySet-mini "tiny" (1 image per domain and
// split), with the shipped models, the result equals the in-process one in every number it reports (table,
// headlines, per-domain rows, TIDE, heatmap, ablation summary); a re-run is answered from the stored results.
// The ablation stage (14 cells on 6 images, ~4 min in process on 2 busy cores) runs with
// DEALKIT_QUEUE_REPRODUCE_ABLATION=1; by default it is skipped here (its queue path, ablateOnQueue, is tested on
// its own in queue-ablate.test.ts) and the test takes ~2 min.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPaperReproduction, type PaperReproduction, type PaperReproductionOptions } from "../../src/report/paper.js";
import { REDIS_SKIP_REASON } from "./redis-harness.js";
import { queueSuite } from "./workers.js";

if (REDIS_SKIP_REASON) console.warn(REDIS_SKIP_REASON);

/** What the report shows: everything but the timings, the cache flags and where the models were read. */
function reported(r: PaperReproduction): unknown {
  const { computeSeconds: _s, timings: _t, fromCache: _c, models, ...rest } = r;
  return { ...rest, models: models.map(({ dir: _d, ...m }) => m) };
}

describe.skipIf(REDIS_SKIP_REASON !== "")("reproduce on queue workers", () => {
  const harness = queueSuite("dealkit-queue-reproduce-");
  const saved = { cache: process.env.DEALKIT_CACHE, backend: process.env.DEALKIT_BACKEND };

  beforeAll(async () => {
    // One cache for this process and the workers (they inherit the environment): TinySet-mini "tiny" is generated once.
    process.env.DEALKIT_CACHE = path.join(harness.dir, "cache");
    process.env.DEALKIT_BACKEND = "cpu"; // the workers run --backend cpu
  });
  afterAll(async () => {
    if (saved.cache === undefined) delete process.env.DEALKIT_CACHE; else process.env.DEALKIT_CACHE = saved.cache;
    if (saved.backend === undefined) delete process.env.DEALKIT_BACKEND; else process.env.DEALKIT_BACKEND = saved.backend;
  });

  it("2 workers: the report's numbers == in process; a re-run with the workers stopped does no work", async () => {
    const withAblation = process.env.DEALKIT_QUEUE_REPRODUCE_ABLATION === "1";
    const options: PaperReproductionOptions = { scale: "tiny", ablation: withAblation ? { grid: "small", imagesPerDomain: 1, seeds: [0] } : false, cache: false };
    let t = Date.now();
    const ref = await runPaperReproduction(options);
    console.log(`in process: ${((Date.now() - t) / 1000).toFixed(1)} s`, JSON.stringify(ref.timings));
    t = Date.now();
    expect(ref.table.some((r) => typeof r.ap50 === "number" && r.ap50 > 0)).toBe(true);
    await harness.startWorkers(2);
    const lines: string[] = [];
    const queued = await runPaperReproduction({ ...options, queue: { url: harness.redis.url, shards: 2 }, onProgress: (l) => lines.push(l) });
    console.log(`on the queue: ${((Date.now() - t) / 1000).toFixed(1)} s`, JSON.stringify(queued.timings));
    expect(reported(queued)).toEqual(reported(ref));
    // (A CPU-bound job on a busy machine may outlive its lock and be retried: the numbers stay the same.)
    expect(lines.join("\n")).toMatch(/predict deal-tiny on test on queue: 2\/2 shards done, 0 failed, \d+ retried/);
    if (withAblation) expect(lines.join("\n")).toMatch(/ablate on queue: 14\/14 cell runs done, 0 failed, \d+ retried/);
    // 3 models on test + DEAL on 2 held-out splits, 2 ranges each (the merged rows reuse the test predictions' stored results).
    const ran = () => harness.workers.map((w) => (w.log().match(/: done in/g) ?? []).length).reduce((s, n) => s + n, 0);
    expect(ran()).toBeGreaterThanOrEqual(10 + (withAblation ? 14 : 0));
    for (const w of harness.workers.splice(0)) await w.stop();
    // No worker: every job must be answered from the store (an enqueued one would never finish).
    const again = await Promise.race([
      runPaperReproduction({ ...options, queue: { url: harness.redis.url, shards: 2 } }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("a job was enqueued: no worker to run it")), 60_000)),
    ]);
    expect(reported(again)).toEqual(reported(ref));
  }, 1_800_000); // minutes on a busy 2-core machine: every model on three splits, twice (and 14 ablation runs)
});
