/**
 * The runs of bench/deal-repro.ts: which checkpoint each (variant, training seed) uses, and cached predictions
 * per (model fingerprint, data set, click seed). Not a bench itself (no `run` export).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { CocoResult, Dataset } from "../src/data/index.js";
import { cocoEvaluate, cocoLoadDt, cocoLoadGt, type CocoGtJson } from "../src/eval/index.js";
import { predictDataset } from "../src/infer/index.js";
import { INFERENCE_REVISION } from "../src/model/index.js";
import { loadModel, trainFromSpec } from "../src/recipes/index.js";
import { readManifest } from "../src/train/index.js";
import { contentFingerprint } from "../src/util/fingerprint.js";
import { cacheDir, projectRoot, writeFileAtomic } from "../src/util/fs.js";

/** deal-plain: DEAL (PG-CPP) trained without procedural novel objects (`train --novel-objects 0`), the ablation of that recipe step. */
export type Variant = "baseline" | "deal-pgcpp" | "deal-random" | "deal-plain" | "deal-pgcpp-last" | "deal-random-last";
export const VARIANTS: readonly Variant[] = ["baseline", "deal-pgcpp", "deal-random", "deal-plain", "deal-pgcpp-last", "deal-random-last"];
const SHIPPED: Partial<Record<Variant, string>> = { baseline: "baseline-tiny", "deal-pgcpp": "deal-tiny", "deal-random": "deal-tiny-random" };

/** The prediction settings of every row: one centre click per category, as the protocol says. */
export const PREDICT = { clicks: "per-category" as const, sampler: "center" as const, scoreThreshold: 0.01, maxDetections: 300 };

/**
 * The checkpoint of (variant, seed): the shipped model for seed 0 when there is one with `steps` steps, else
 * `<runsDir>/<variant>-s<seed>`, trained there (the shipped models' command, another seed) when missing.
 */
export async function checkpointFor(v: Variant, seed: number, steps: number, runsDir: string, train: () => Promise<Dataset>): Promise<string> {
  const shipped = SHIPPED[v] && path.join(projectRoot(), "datasets", "models", SHIPPED[v]);
  if (shipped && seed === 0 && fs.existsSync(path.join(shipped, "manifest.json")) && readManifest(shipped).step === steps) return shipped;
  const dir = path.join(runsDir, `${v}-s${seed}`);
  if (fs.existsSync(path.join(dir, "manifest.json")) && readManifest(dir).step === steps) return dir;
  console.log(`training ${v} seed ${seed} (${steps} steps) into ${dir}`);
  await trainFromSpec({
    kind: v === "baseline" ? "baseline" : "deal",
    preset: "tiny",
    data: await train(),
    steps,
    batchSize: 4,
    seed,
    prompting: v.startsWith("deal-random") ? "random" : "pgcpp",
    // The recipe's novel objects for DEAL (trainFromSpec's default), none for deal-plain.
    ...(v === "deal-plain" ? { augment: { novelObjects: 0 } } : {}),
    // "-last" and deal-plain: the decoder trained on the last prompt round (the default before the first round was
    // chosen on val; deal-plain is the ablation of novel objects in that recipe).
    ...(v.endsWith("-last") || v === "deal-plain" ? { decoderRound: "last" as const } : {}),
    out: dir,
    resume: fs.existsSync(path.join(dir, "manifest.json")),
  });
  return dir;
}


/** Predictions of a model on a data set with one click seed, cached under .cache/bench/deal-repro/predictions. */
export async function predictionsFor(model: string, fingerprint: string, ds: Dataset, dsKey: string, clickSeed: number): Promise<CocoResult[]> {
  const key = model === "template" ? [fingerprint, dsKey, clickSeed, PREDICT] : [fingerprint, dsKey, clickSeed, PREDICT, INFERENCE_REVISION];
  const file = path.join(cacheDir("bench", "deal-repro", "predictions"), `${contentFingerprint(...key)}.json`);
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8")) as CocoResult[];
  const loaded = loadModel(model);
  try {
    const results = await predictDataset(loaded.model, ds, { ...PREDICT, seed: clickSeed });
    writeFileAtomic(file, JSON.stringify(results));
    return results;
  } finally {
    loaded.model.dispose();
  }
}

/** A part a bench evaluates on: a data set, its GT (possibly restricted) and, when set, the categories kept. */
export interface Part { key: string; ds: Dataset; gt: CocoGtJson; cats?: Set<number> }

/**
 * The p2sod class-agnostic stats (fractions, keyed like "AP@.50|all|1500") of detections on a part: only detections
 * on the part's images, and of its categories when it has `cats`.
 */
export function evaluatePart(part: Part, dt: readonly CocoResult[]): Record<string, number> {
  const imgs = new Set(part.gt.images.map((i) => i.id));
  const keep = dt.filter((r) => imgs.has(r.image_id) && (!part.cats || part.cats.has(r.category_id)));
  const gt = cocoLoadGt(part.gt);
  return cocoEvaluate(gt, cocoLoadDt(keep, gt), { protocol: "p2sod", classAgnostic: true }).results.stats;
}
