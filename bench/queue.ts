/**
 * The queue's overhead: the 2,000-image case of bench/eval.ts (~100k GT boxes, ~300k detections) evaluated in
 * one process (load + match + accumulate) against the same evaluation through a private redis-server and 1, then
 * 2 `dealkit worker` processes (submit, per-image matching on the workers, merge, accumulate). Needs Debian's
 * redis-server and dist/ (`npm run build`). Prints seconds, ratios and the submitting process's peak RSS.
 *
 * Run: npx tsx bench/queue.ts [--images N] [--shards N]
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cocoEvaluate, cocoLoadFiles, evalSynthCase } from "../src/eval/index.js";
import { cocoEvaluateOnQueue } from "../src/queue/eval-queued.js";
import { REDIS_SKIP_REASON, startRedis } from "../test/queue/redis-harness.js";
import { flushRedis, startWorker } from "../test/queue/workers.js";

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

/**
 * Generates the case, times it in process and through the queue with 1 and 2 workers, prints the figures.
 * `o` overrides --images / --shards (bench/eval-scale.ts runs it scaled down with SCALE).
 */
export async function run(o: { images?: number; shards?: number } = {}): Promise<void> {
  if (REDIS_SKIP_REASON) {
    console.log(`bench/queue: skipped: ${REDIS_SKIP_REASON}`);
    return;
  }
  const images = o.images ?? arg("images", 2000);
  const shards = o.shards ?? arg("shards", 8);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-bench-queue-"));
  const redis = await startRedis();
  try {
    const { gt, dt } = evalSynthCase({ images, gtPerImage: 50, dtPerGt: 3, categories: 10, seed: 2026 });
    const gtFile = path.join(dir, "gt.json");
    const dtFile = path.join(dir, "dt.json");
    fs.writeFileSync(gtFile, JSON.stringify(gt));
    fs.writeFileSync(dtFile, JSON.stringify(dt));
    let t = performance.now();
    const files = cocoLoadFiles(gtFile, dtFile);
    const ref = cocoEvaluate(files.gt, files.dt, { protocol: "aitod" });
    const inProcess = (performance.now() - t) / 1000;
    console.log(`case: ${images} images, ${files.gt.n} GT, ${files.dt.n} detections; aitod`);
    console.log(`in process (load + evaluate): ${inProcess.toFixed(2)} s`);
    for (const n of [1, 2]) {
      await flushRedis(redis.url);
      const workers = [];
      for (let i = 0; i < n; i++) workers.push(await startWorker(redis.url, [dir]));
      t = performance.now();
      const ev = await cocoEvaluateOnQueue(gtFile, dtFile, { protocol: "aitod", url: redis.url, shards });
      const s = (performance.now() - t) / 1000;
      const same = JSON.stringify(ev.results.stats) === JSON.stringify(ref.results.stats);
      console.log(`queue, ${n} worker(s), ${shards} shards: ${s.toFixed(2)} s (${(s / inProcess).toFixed(2)}x in process); numbers ${same ? "identical" : "DIFFER"}`);
      t = performance.now();
      await cocoEvaluateOnQueue(gtFile, dtFile, { protocol: "aitod", url: redis.url, shards });
      console.log(`  re-run answered from the store: ${((performance.now() - t) / 1000).toFixed(2)} s`);
      for (const w of workers) await w.stop();
    }
    console.log(`submitting process peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  } finally {
    await redis.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) run().catch((err) => { console.error(err); process.exitCode = 1; });
