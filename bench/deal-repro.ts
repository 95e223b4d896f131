/**
 * DEAL vs the supervised baseline, and PG-CPP vs random training clicks, on TinySet-mini's test split
 * (class-agnostic P2SOD columns: AP .25/.5/.75, AP per AI-TOD size bin). Equal budgets: same preset, steps,
 * batch and seed for every model.
 *
 *     npx tsx bench/run.ts deal-repro                 (STEPS, SEEDS, DATA env vars; default 400 steps, seed 0)
 *
 * Checkpoints go to .cache/bench/deal-repro/<variant>-s<seed>; an existing checkpoint with the same step count
 * is reused (delete the folder to retrain). Seed 0's DEAL-pgcpp and baseline runs are the same commands that
 * produce datasets/models/deal-tiny and baseline-tiny, so those are reused when present.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { initBackend } from "../src/backend/index.js";
import { cocoEvaluate, cocoLoadDt, cocoLoadGt } from "../src/eval/index.js";
import { predictDataset } from "../src/infer/index.js";
import { loadModel, openDataset, trainFromSpec } from "../src/recipes/index.js";
import { readManifest } from "../src/train/index.js";
import { cacheDir, projectRoot } from "../src/util/fs.js";

type Variant = { name: string; kind: "deal" | "baseline"; prompting: "pgcpp" | "random" };
const VARIANTS: Variant[] = [
  { name: "baseline", kind: "baseline", prompting: "pgcpp" },
  { name: "deal-pgcpp", kind: "deal", prompting: "pgcpp" },
  { name: "deal-random", kind: "deal", prompting: "random" },
];
const COLUMNS: [string, string][] = [
  ["AP.25", "AP@.25|all|1500"], ["AP.5", "AP@.50|all|1500"], ["AP.75", "AP@.75|all|1500"], ["AP", "AP@[.50:.95]|all|1500"],
  ["APvt", "AP@[.50:.95]|verytiny|1500"], ["APt", "AP@[.50:.95]|tiny|1500"], ["APs", "AP@[.50:.95]|small|1500"], ["APm", "AP@[.50:.95]|medium|1500"],
];

function shippedDir(v: Variant, seed: number, steps: number): string | null {
  if (seed !== 0 || v.prompting !== "pgcpp") return null;
  const dir = path.join(projectRoot(), "datasets", "models", v.kind === "deal" ? "deal-tiny" : "baseline-tiny");
  return fs.existsSync(path.join(dir, "manifest.json")) && readManifest(dir).step === steps ? dir : null;
}

export async function run(): Promise<void> {
  const steps = Number(process.env.STEPS ?? 400);
  const seeds = (process.env.SEEDS ?? "0").split(",").map(Number);
  const data = process.env.DATA ?? "default";
  const backend = await initBackend();
  console.log(`backend ${backend.backend}; ${steps} steps, batch 4, seeds ${seeds.join(",")}`);
  const trainDs = (await openDataset({ data, split: "train" })).dataset;
  const testDs = (await openDataset({ data, split: "test" })).dataset;
  const gt = cocoLoadGt(testDs.toCoco());
  const rows: Record<string, string | number>[] = [];
  for (const seed of seeds) {
    for (const v of VARIANTS) {
      let dir = shippedDir(v, seed, steps);
      let trainSec = NaN;
      if (!dir) {
        dir = cacheDir("bench", "deal-repro", `${v.name}-s${seed}`);
        const done = fs.existsSync(path.join(dir, "manifest.json")) && readManifest(dir).step === steps;
        if (!done) {
          const r = await trainFromSpec({ kind: v.kind, preset: "tiny", data: trainDs, steps, batchSize: 4, seed, prompting: v.prompting, out: dir });
          trainSec = r.seconds;
        }
      }
      const log = `${dir}-train-log.jsonl`;
      if (Number.isNaN(trainSec) && fs.existsSync(log)) {
        const last = fs.readFileSync(log, "utf8").trim().split("\n").pop();
        if (last) trainSec = JSON.parse(last).sec;
      }
      const { model } = loadModel(dir);
      const t0 = Date.now();
      const dt = await predictDataset(model, testDs, { clicks: "per-category", sampler: "center", seed, scoreThreshold: 0.001, maxDetections: 100 });
      const predictSec = (Date.now() - t0) / 1000;
      model.dispose();
      const ev = cocoEvaluate(gt, cocoLoadDt(dt, gt), { protocol: "p2sod", classAgnostic: true });
      const row: Record<string, string | number> = { variant: v.name, seed, trainSec: Math.round(trainSec), msPerImage: Math.round((predictSec * 1000) / testDs.images.length) };
      for (const [label, key] of COLUMNS) row[label] = +(100 * (ev.results.stats[key] ?? NaN)).toFixed(2);
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  }
  console.table(rows);
}
