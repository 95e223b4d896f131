/**
 * Sliced inference and prediction throughput on the CPU (wasm) backend, with the results checked identical in the
 * same run:
 * - the 4000x4000 remote-sensing scene of bench/detect.ts (detectSliced, one click per category, score >= 0.3):
 *   serial (one slice per call, this thread), batched on this thread (`--batch`, default the model's memory
 *   bound), and batched over `--workers` DetectorWorkers (default 2); the target is <= 12 s;
 * - images/s of predictDataset over TinySet-mini's test split (clicks: one per category, seed 0), on this thread
 *   and on the worker pool.
 * Uses the shipped deal-tiny weights (datasets/models/deal-tiny), else an untrained DEAL-tiny (same cost).
 *
 *     npx tsx bench/run.ts sliced [--json]
 *     npx tsx bench/sliced.ts [--large 4000] [--workers 2] [--batch N] [--no-predict] [--json]
 *
 * With --json the last line is {"slices", "sliceBatch", "workers", "serialS", "batchedS", "workersS",
 * "targetS": 12, "identical", "predictImagesPerS": {"oneThread", "workers"}, "predictIdentical", "tensorsLeaked"}.
 * Wall-clock figures mean something only on an otherwise idle machine; the pool's start-up is not counted.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { initBackend } from "../src/backend/init.js";
import { tf } from "../src/backend/tf.js";
import { generateImage } from "../src/data/synth/index.js";
import { DetectorWorkers } from "../src/infer/parallel/workers.js";
import { predictDataset } from "../src/infer/predict-dataset.js";
import { detectSliced, type SlicedResult } from "../src/infer/sliced.js";
import { createDeal, type DealModel } from "../src/model/deal.js";
import { openDataset } from "../src/recipes/index.js";
import type { Click, PromptableDetector } from "../src/structures/index.js";
import { loadCheckpoint } from "../src/train/checkpoint.js";
import { Random } from "../src/util/random.js";

const MODEL_DIR = path.join(__dirname, "..", "datasets", "models", "deal-tiny");
const argv = process.argv;
const flag = (name: string) => argv.includes(`--${name}`);
const num = (name: string, def: number | undefined) => {
  const i = argv.indexOf(`--${name}`);
  return i > 0 ? Number(argv[i + 1]) : def;
};

const same = (a: SlicedResult, b: SlicedResult) => {
  const x = a.detections, y = b.detections;
  const eq = (p: ArrayLike<number>, q: ArrayLike<number>) => p.length === q.length && Array.prototype.every.call(p, (v: number, i: number) => v === q[i]);
  return eq(x.boxesXyxy, y.boxesXyxy) && eq(x.scores, y.scores) && eq(x.categoryIds, y.categoryIds) && eq(x.clickIndex, y.clickIndex);
};

/** Runs the bench and prints its figures (and, with --json, one JSON line last). */
export async function run(): Promise<Record<string, unknown>> {
  const large = num("large", 4000)!;
  const workers = num("workers", 2)!;
  const batch = num("batch", undefined);
  const json = flag("json");
  const report = await initBackend({ backend: "wasm" });
  const pretrained = fs.existsSync(path.join(MODEL_DIR, "manifest.json"));
  const model = (pretrained ? loadCheckpoint(MODEL_DIR).model : createDeal({ preset: "tiny" }, 0)) as DealModel;
  let pool: DetectorWorkers | null = null;
  try {
    const big = generateImage("remote-sensing", new Random(12), { width: large, density: "medium" });
    const cats = [...new Set(big.annotations.map((a) => a.categoryId))];
    const clicks: Click[] = cats.map((c) => {
      const b = big.annotations.find((a) => a.categoryId === c)!.bboxXywh;
      return { x: b[0] + b[2] / 2, y: b[1] + b[3] / 2, categoryId: c };
    });
    console.log(`sliced: ${pretrained ? "deal-tiny weights" : "untrained DEAL-tiny"}, ${report.backend}, ${large}x${large} scene, ${big.annotations.length} objects, ${clicks.length} clicks (one per category)`);
    // Warm-up: one slice-sized call, batched and not (kernels, heap growth).
    const s = model.inputSize;
    const crop = generateImage("remote-sensing", new Random(13), { width: s, density: "medium" }).image;
    const emb = await model.embedClicks(crop, [{ x: s / 2, y: s / 2 }]);
    await model.detectWithEmbeddings(crop, emb);
    await model.detectWithEmbeddingsBatch([crop, crop], emb);
    const before = tf.memory().numTensors;
    const opts = { scoreThreshold: 0.3 };
    const timed = async (det: PromptableDetector, sliceBatch: number | undefined) => {
      const t0 = performance.now();
      const r = await detectSliced(det, big.image, clicks, { ...opts, ...(sliceBatch !== undefined ? { sliceBatch } : {}) });
      return { r, s: (performance.now() - t0) / 1000 };
    };
    const serial = await timed(model, 1);
    const line = (name: string, t: { r: SlicedResult; s: number }, extra = "") =>
      console.log(`  ${name}: ${t.s.toFixed(1)} s (${t.r.stats.slices} slices of ${t.r.stats.sliceSize} px, ${t.r.stats.sliceBatch} per call, ${t.r.stats.finalDetections} boxes)${extra}`);
    line("serial, 1 slice at a time, 1 thread", serial);
    const batched = await timed(model, batch);
    line("batched, 1 thread", batched, `; ${(serial.s / batched.s).toFixed(2)}x vs serial; ${same(batched.r, serial.r) ? "identical" : "DIFFERENT"}`);
    const tensorsLeaked = tf.memory().numTensors - before;
    pool = await DetectorWorkers.start(model, workers);
    await Promise.all(Array.from({ length: workers }, () => pool!.detectWithEmbeddingsBatch([crop, crop], emb))); // one per worker
    const par = await timed(pool, batch);
    line(`batched, ${workers} workers`, par, `; ${(serial.s / par.s).toFixed(2)}x vs serial; ${same(par.r, serial.r) ? "identical" : "DIFFERENT"}; target <= 12 s: ${par.s <= 12 ? "met" : "NOT met"}`);
    const identical = same(batched.r, serial.r) && same(par.r, serial.r);
    console.log(`  results identical across the three: ${identical}; tensors leaked on this thread: ${tensorsLeaked}`);

    let predict: { oneThread: number; workers: number } | null = null;
    let predictIdentical: boolean | null = null;
    if (!flag("no-predict")) {
      const ds = (await openDataset({ data: "default", split: "test" })).dataset;
      const n = ds.images.length;
      const t0 = performance.now();
      const a = await predictDataset(model, ds, { seed: 0 });
      const one = n / ((performance.now() - t0) / 1000);
      const t1 = performance.now();
      const b = await predictDataset(pool, ds, { seed: 0 });
      const many = n / ((performance.now() - t1) / 1000);
      predictIdentical = JSON.stringify(a) === JSON.stringify(b);
      predict = { oneThread: one, workers: many };
      console.log(`  predict, TinySet-mini test (${n} images): 1 thread ${one.toFixed(2)} images/s, ${workers} workers ${many.toFixed(2)} images/s (${(many / one).toFixed(2)}x); ${predictIdentical ? "identical" : "DIFFERENT"}`);
    }
    const out = {
      slices: serial.r.stats.slices, sliceBatch: batched.r.stats.sliceBatch, workers, serialS: serial.s, batchedS: batched.s, workersS: par.s, targetS: 12,
      identical, predictImagesPerS: predict, predictIdentical, tensorsLeaked,
    };
    if (json) console.log(JSON.stringify(out));
    return out;
  } finally {
    pool?.dispose();
    model.dispose();
  }
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
