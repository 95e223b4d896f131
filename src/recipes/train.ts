import { checkModelMemory, resolveModelConfig } from "../model/config.js";
import * as path from "node:path";
import { Dataset } from "../data/dataset.js";
import type { ModelKind } from "../model/config.js";
import { datasetSource } from "../train/dataset-source.js";
import { trainDetector, type TrainOptions, type TrainResult } from "../train/loop.js";
import { openDataset, type DatasetSpec } from "./dataset.js";
import { modelForData } from "./model.js";

/**
 * A training job: which model, on which data, how long, where the checkpoint goes; every {@link TrainOptions}
 * field passes through. Defaults: kind "deal", preset "tiny", data TinySet-mini's train split, seed 0 (both
 * the initial weights and the data stream), log file `<out>-train-log.jsonl` beside `out`.
 *
 * @example
 * const spec: TrainSpec = { kind: "baseline", data: { gt: "instances.json", images: "photos/" }, steps: 200, out: "ckpt/base" };
 */
export interface TrainSpec extends Omit<TrainOptions, "checkpointDir" | "logFile"> {
  kind?: ModelKind | string;
  preset?: string;
  /** The training data: a {@link DatasetSpec} (TinySet-mini's split defaults to "train") or a data set in memory. */
  data?: DatasetSpec | Dataset;
  /** Checkpoint folder (written every `checkpointEvery` steps, at the end and on abort); none when absent. */
  out?: string;
  /** JSONL log; default `<out>-train-log.jsonl` beside `out` when `out` is given. */
  logFile?: string;
  /** DEAL: the class-prior head (ModelConfig.classPrior); default DEAL_CLASS_PRIOR (modelForData). */
  classPrior?: boolean;
  /** DEAL: pixel matching in the density activation (ModelConfig.pixelMatch); default DEAL_PIXEL_MATCH (modelForData). */
  pixelMatch?: boolean;
}

/** What {@link trainFromSpec} did. */
export interface TrainSpecResult extends TrainResult {
  /** Where the checkpoint is (undefined without `out`). */
  out?: string;
  /** Training images and the categories the model learnt. */
  images: number;
  categoryIds: readonly number[];
  /** One line on the training data. */
  data: string;
}

/**
 * The shipped DEAL recipe paints procedural objects of novel kinds into half of the training crops
 * (src/train/novel-objects.ts; decided on val over three training seeds: seen categories within noise, unseen
 * categories and the shifted data set up on every seed, src/model/README.md). The baseline has no prompts to learn
 * them with: 0.
 */
export const DEAL_NOVEL_OBJECTS = 0.5;

/** The recipe's `augment.novelObjects` for a model kind ({@link DEAL_NOVEL_OBJECTS} for DEAL, 0 otherwise). */
export function defaultNovelObjects(kind: string): number {
  return kind === "deal" ? DEAL_NOVEL_OBJECTS : 0;
}

/**
 * The share of DEAL's novel-object crops that are whole synthetic scenes (novel kinds on a random background;
 * src/train/novel-objects.ts). Off: tried on val over two training seeds (src/model/README.md, "What was tried").
 */
export const DEAL_NOVEL_SCENES = 0;

/** The recipe's `augment.novelScenes` for a model kind ({@link DEAL_NOVEL_SCENES} for DEAL, 0 otherwise). */
export function defaultNovelScenes(kind: string): number {
  return kind === "deal" ? DEAL_NOVEL_SCENES : 0;
}

/**
 * Trains a model from a {@link TrainSpec}: opens the data, decodes its images, builds the model for it
 * ({@link modelForData}) and runs the seeded training loop; the model is disposed at the end (its weights are
 * in the checkpoint). The `dealkit train` command and the paper reproduction's missing-model step are this
 * call.
 *
 * @example
 * await trainFromSpec({ kind: "deal", data: { data: "default" }, steps: 400, seed: 0, prompting: "pgcpp", out: "ckpt/deal" });
 */
export async function trainFromSpec(spec: TrainSpec): Promise<TrainSpecResult> {
  // Refused before any data is read or weights allocated: a batch of crops that would not fit in memory.
  const cfg = resolveModelConfig({ preset: spec.preset ?? "tiny", kind: spec.kind ?? "deal" });
  checkModelMemory(cfg, { side: cfg.inputSize, batch: spec.batchSize ?? 1, training: true, sideField: "inputSize" }, `--batch ${spec.batchSize ?? 1} with preset ${cfg.preset}`);
  const opened = spec.data instanceof Dataset ? { dataset: spec.data, description: "a data set in memory" } : await openDataset(spec.data ?? {}, { defaultSplit: "train" });
  const source = await datasetSource(opened.dataset);
  const { kind, preset, data: _data, out, logFile, classPrior, pixelMatch, ...train } = spec;
  const model = modelForData(kind ?? "deal", source.categoryIds, { preset, seed: spec.seed, classPrior, pixelMatch });
  try {
    const result = await trainDetector(model, source, {
      ...train,
      augment: { novelObjects: defaultNovelObjects(kind ?? "deal"), novelScenes: defaultNovelScenes(kind ?? "deal"), ...train.augment },
      checkpointDir: out,
      logFile: logFile ?? (out ? path.join(out, "..", `${path.basename(out)}-train-log.jsonl`) : undefined),
    });
    return { ...result, out, images: source.size, categoryIds: source.categoryIds, data: opened.description };
  } finally {
    model.dispose();
  }
}
