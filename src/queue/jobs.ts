import type { EvalParams } from "../eval/params.js";
import type { EvalSynthOptions } from "../eval/synth.js";
import type { EvalSimilarity } from "../eval/similarity.js";
import type { AblationCell } from "../analysis/ablate-grid.js";
import type { DatasetSpec } from "../recipes/dataset.js";

/** The BullMQ queue dealkit's jobs go through (one queue; the job's `kind` says what to run). */
export const DEALKIT_QUEUE_NAME = "dealkit";

/**
 * Redis key under which a shard's result is stored: `dealkit:result:<content key>`.
 *
 * @example
 * resultKeyOf(shardKey(parts)); // "dealkit:result:3f1c..."
 */
export function resultKeyOf(key: string): string {
  return `dealkit:result:${key}`;
}

/** What every job carries: its content key ({@link shardKey}) and its place in the run. */
export interface QueueJobBase {
  /** Content key: the job id and the stored result's name. */
  key: string;
  /** Index of the shard in its run and the run's shard count (for messages only). */
  shard: number;
  of: number;
}

/**
 * Evaluate a shard: pycocotools' per-image evaluation of images `[start, end)` (indices into the GT's image list)
 * of `gtFile` against `dtFile`. The files' sha256 are checked by the worker, so a file changed after submission
 * fails the job instead of giving a wrong answer. The result is the shard's {@link CocoMatchData}, encoded.
 */
export interface EvalShardJob extends QueueJobBase {
  kind: "eval";
  gtFile: string;
  dtFile: string;
  gtSha256: string;
  dtSha256: string;
  start: number;
  end: number;
  params: EvalParams;
  similarity: EvalSimilarity;
  record?: { areaIndex: number; iouIndex: number };
}

/** The prediction settings a shard job carries (the {@link PredictSpec} fields that change results). */
export interface PredictShardSettings {
  clicks?: unknown;
  sampler?: string;
  seed?: number;
  scoreThreshold?: number;
  maxDetections?: number;
  classAgnosticMerge?: number;
  slice?: number;
  overlap?: number;
}

/**
 * Predict a shard: run `model` over the images `[start, end)` (in the data set's order) of `data`, with clicks
 * sampled per image (image i uses the seed's fork i, so a shard gives what the whole run gives for its images)
 * or read from `clicksFile`. The result is the shard's COCO results, as JSON.
 */
export interface PredictShardJob extends QueueJobBase {
  kind: "predict";
  model: string;
  /** The model's fingerprint at submission: the worker refuses a model whose fingerprint differs. */
  modelFingerprint: string;
  data: DatasetSpec;
  clicksFile?: string;
  start: number;
  end: number;
  /** When the run keeps only some images of the data: this range's image ids (then `start`/`end` index the kept list). */
  imageIds?: number[];
  settings: PredictShardSettings;
}

/**
 * One prompt-ablation run, or an image range of it: the (cell, seed) run of {@link ablatePrompts} over the
 * images `[start, end)` of the ablation data (`data` cut to `imagesPerDomain`, then `maxImages`, as
 * {@link ablationDataOf} does). The worker checks that its data has the submitted fingerprint and its model
 * the submitted one. The result is the range's per-image detections and counts, as JSON
 * ({@link encodeAblationShard}); the submitting process evaluates the run's images together.
 */
export interface AblateShardJob extends QueueJobBase {
  kind: "ablate";
  model: string;
  /** The model's fingerprint at submission (weights and INFERENCE_REVISION). */
  modelFingerprint: string;
  data: DatasetSpec;
  imagesPerDomain?: number;
  maxImages?: number;
  /** {@link ablationDataFingerprint} of the data at submission. */
  dataFingerprint: string;
  cell: AblationCell;
  seed: number;
  start: number;
  end: number;
}

/**
 * Evaluate a range of a synthetic case (bench/eval-scale.ts): images `[start, end)` of
 * {@link evalSynthRange}(`synth`), generated on the worker from the seed (no file travels), matched with
 * `params`; the result is the range's compact match results ({@link encodeCompactMatch}), which the submitting
 * process reads category by category ({@link cocoAccumulateStreamed}).
 */
export interface EvalSynthShardJob extends QueueJobBase {
  kind: "eval-synth";
  synth: EvalSynthOptions;
  start: number;
  end: number;
  params: EvalParams;
}

/** Any dealkit queue job. */
export type QueueJob = EvalShardJob | PredictShardJob | AblateShardJob | EvalSynthShardJob;
