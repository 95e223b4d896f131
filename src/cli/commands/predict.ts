import type { Command } from "commander";
import { initBackend } from "../../backend/init.js";
import { predictDataset } from "../../infer/predict-dataset.js";
import { parsePromptSetting } from "../../prompts/prompt-sets.js";
import { checkOneOf } from "../../util/errors.js";
import { writeFileAtomic } from "../../util/fs.js";
import { CLICK_SAMPLERS } from "../../prompts/samplers.js";
import { loadCheckpoint } from "../../train/checkpoint.js";
import { openTrainingSplit } from "../../train/dataset-source.js";

/** Options of `dealkit predict`, as commander parses them. */
export interface PredictCommandOptions {
  model: string;
  data: string;
  split: string;
  clicks: string;
  sampler: string;
  seed: string;
  out: string;
  scoreThreshold: string;
  maxDetections: string;
  /** IoU threshold of a per-image class-agnostic NMS over all prompts / classes; absent = off. */
  classAgnosticMerge?: string;
  backend?: string;
}

/** Runs `dealkit predict`; returns the number of images and detections written. */
export async function runPredictCommand(o: PredictCommandOptions): Promise<{ images: number; detections: number }> {
  await initBackend(o.backend ? { backend: o.backend as never } : {});
  const ds = await openTrainingSplit(o.data, o.split);
  const { model } = loadCheckpoint(o.model);
  try {
    const results = await predictDataset(model, ds, {
      clicks: parsePromptSetting(o.clicks),
      sampler: checkOneOf("--sampler", o.sampler, CLICK_SAMPLERS),
      seed: Number(o.seed),
      scoreThreshold: Number(o.scoreThreshold),
      maxDetections: Number(o.maxDetections),
      classAgnosticMerge: o.classAgnosticMerge === undefined ? undefined : Number(o.classAgnosticMerge),
    });
    writeFileAtomic(o.out, JSON.stringify(results));
    return { images: ds.images.length, detections: results.length };
  } finally {
    model.dispose();
  }
}

/** `dealkit predict --model CKPT --data DIR --split test [--clicks per-category|per-instance|k] [--seed N] [--class-agnostic-merge IOU] --out DT.json` */
export function register(program: Command): void {
  program
    .command("predict")
    .description("run a checkpoint over a split and write COCO results (DEAL gets clicks sampled from the GT; the baseline none)")
    .requiredOption("--model <dir>", "checkpoint directory (dealkit train --out)")
    .option("--data <dir>", "a TinySet-mini folder, or default", "default")
    .option("--split <name>", "train | val | test | heldout-categories | heldout-dataset", "test")
    .option("--clicks <setting>", "per-category | per-instance | k (clicks per category)", "per-category")
    .option("--sampler <name>", "where a click lands: center | uniform | gaussian | edge", "center")
    .option("--seed <n>", "seed of the click sampling", "0")
    .option("--score-threshold <x>", "drop detections below this score", "0.001")
    .option("--max-detections <n>", "per prompt (DEAL) or per image (baseline)", "100")
    .option("--class-agnostic-merge <iou>", "per image, greedy NMS across all prompts / classes at this IoU (for class-agnostic evaluation); off by default")
    .option("--backend <name>", "auto | gpu | node | wasm | cpu")
    .requiredOption("--out <file>", "COCO results JSON to write")
    .action(async (opts: PredictCommandOptions) => {
      const r = await runPredictCommand(opts);
      process.stdout.write(`wrote ${r.detections} detections on ${r.images} images to ${opts.out}\n`);
    });
}
