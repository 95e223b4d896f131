/**
 * Bounded-memory evaluation at TinySet-9M scale: a deterministic synthetic case of ~9M GT boxes and ~27M
 * detections over 268,000 images (10 categories, coco protocol), evaluated on BullMQ workers (`dealkit worker`
 * processes over a private redis-server) with 1, then 2 workers. The case never exists as one JSON, nor as files:
 * each worker generates its image range from the seed (evalSynthRange: image i from the seed's fork i), matches
 * it, and stores compact per-category match results (score, rank, state per area x IoU) in Redis; the submitting
 * process reads them category by category (GETRANGE), merges the ranges exactly and accumulates (one category in
 * memory at a time). Prints wall time and the peak RSS of every process (submitter, each worker, redis-server):
 * each must stay <= 4 GiB. Then the 2,000-image case of bench/queue.ts (~100k GT, ~300k detections) through
 * the queue vs in process.
 *
 * Needs Debian's redis-server and dist/ (`npm run build`).
 *
 *     npx tsx bench/run.ts eval-scale                 # the full case (minutes: ~9M GT / 27M detections)
 *     SCALE=0.01 npx tsx bench/run.ts eval-scale      # 1% of the images (smoke test, seconds)
 *     npx tsx bench/eval-scale.ts [--scale F] [--shards N] [--skip-small]
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { evaluateSynthOnQueue } from "../src/queue/eval-streamed.js";
import { REDIS_SKIP_REASON, startRedis } from "../test/queue/redis-harness.js";
import { flushRedis, startWorker } from "../test/queue/workers.js";
import { run as runQueueBench } from "./queue.js";

const GIB = 1024 ** 3;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** Peak resident set (VmHWM) of a live process, bytes; NaN where /proc is not there. */
function peakRss(pid: number | undefined): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

const gib = (b: number) => `${(b / GIB).toFixed(2)} GiB`;

/** Runs the scaled case with 1 and 2 workers, then bench/queue.ts's case (scaled too). */
export async function run(): Promise<void> {
  if (REDIS_SKIP_REASON) {
    console.log(`bench/eval-scale: skipped: ${REDIS_SKIP_REASON}`);
    return;
  }
  const scale = Number(arg("scale") ?? process.env.SCALE ?? 1);
  if (!(scale > 0 && scale <= 1)) throw new Error(`SCALE / --scale must be in (0, 1]; got ${scale}`);
  const images = Math.max(1, Math.round(268_000 * scale));
  // 33.6 GT per image and 3 detections per GT: ~9.0M GT and ~27M detections at scale 1.
  const synth = { images, gtPerImage: 33.6, dtPerGt: 3, categories: 10, seed: 9, imageSidePx: 1024 };
  const shards = Number(arg("shards") ?? Math.max(2, Math.ceil(images / 4096)));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-bench-eval-scale-"));
  const redis = await startRedis();
  let ok = true;
  try {
    console.log(`case: ${images} images, ~${((images * synth.gtPerImage) / 1e6).toFixed(2)}M GT, ~${((images * synth.gtPerImage * synth.dtPerGt) / 1e6).toFixed(2)}M detections (seed ${synth.seed}, 10 categories), coco protocol, ${shards} shards; scale ${scale}`);
    let first: string | undefined;
    for (const n of [1, 2]) {
      await flushRedis(redis.url);
      const workers = [];
      for (let i = 0; i < n; i++) workers.push(await startWorker(redis.url, [dir], ["--lock-duration", "600000"]));
      const t = performance.now();
      const ev = await evaluateSynthOnQueue({
        url: redis.url, synth, shards, protocol: "coco",
        onProgress: (p) => { if (p.done % Math.max(1, Math.floor(p.total / 8)) === 0) process.stderr.write(`  ${p.done}/${p.total} shards\n`); },
      });
      const s = (performance.now() - t) / 1000;
      const stats = JSON.stringify(ev.stats);
      first ??= stats;
      const rss = workers.map((w) => peakRss(w.child.pid));
      const redisRss = peakRss(redis.process.pid);
      console.log(`${n} worker(s): ${s.toFixed(1)} s (workers ${ev.timings.queueS.toFixed(1)} s, streamed accumulate ${ev.timings.accumulateS.toFixed(1)} s); stored ${gib(ev.storedBytes)}; ` +
        `AP ${ev.stats["AP@[.50:.95]|all|100"]?.toFixed(4)}, AP50 ${ev.stats["AP@.50|all|100"]?.toFixed(4)}; numbers ${stats === first ? "identical to 1 worker" : "DIFFER from 1 worker"}`);
      console.log(`  peak RSS: ${rss.map((r, i) => `worker ${i + 1} ${gib(r)}`).join(", ")}, redis-server ${gib(redisRss)}`);
      for (const r of [...rss, redisRss]) if (r > 4 * GIB) ok = false;
      if (stats !== first) ok = false;
      for (const w of workers) await w.stop();
    }
    const submitter = process.resourceUsage().maxRSS * 1024;
    console.log(`submitting process peak RSS: ${gib(submitter)}`);
    if (submitter > 4 * GIB) ok = false;
    console.log(ok ? "every process stayed within 4 GiB; 1 and 2 workers agree" : "FAILED: a process went over 4 GiB, or the numbers differ");
  } finally {
    await redis.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (!process.argv.includes("--skip-small")) {
    console.log("\nthe 100k GT / 300k detections case, queue vs in process (bench/queue.ts):");
    await runQueueBench({ images: Math.max(20, Math.round(2000 * scale)) });
  }
  if (!ok) process.exitCode = 1;
}

if (require.main === module) run().catch((err) => { console.error(err); process.exitCode = 1; });
