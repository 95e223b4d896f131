import type { BackendName } from "../../backend/init.js";
import type { BatchSample } from "../../model/loss/batch.js";
import type { ModelConfig } from "../../model/config.js";
import type { LossWeights } from "../../model/loss/losses.js";
import type { TrainingSettings } from "../../model/loss/training.js";

/** What a training worker starts with (workerData). */
export interface TrainWorkerInit {
  config: ModelConfig;
  backend: BackendName | "auto";
  /** The current weights, shared (float32, ParamLayout order). */
  weights: SharedArrayBuffer;
}

/**
 * Main -> worker: take groups of the batch's samples, one at a time, until none is left, and write each group's
 * gradient into its slot (the weights are those now in the shared buffer). Every thread claims the next group from
 * `next` (Atomics.add on its int32 0); which thread computes a group does not change its gradient.
 */
export interface SamplesRequest {
  type: "samples";
  id: number;
  /** The batch's images [B, S, S2, C], shared (float32). */
  images: SharedArrayBuffer;
  shape: [number, number, number, number];
  samples: BatchSample[];
  size: number;
  classOf: [number, number][];
  lossWeights: LossWeights;
  settings: TrainingSettings;
  /** Groups of sample indices, each computed in one pass (partitionSamples). */
  groups: number[][];
  /** int32 [1]: the next group to claim. */
  next: SharedArrayBuffer;
  /** One gradient slot of ParamLayout size (float32) per group: group g's gradient goes to slot g. */
  grads: SharedArrayBuffer;
}

/** The loss and terms (means over its samples) of one group, `index` its position in `groups`. */
export interface SampleLoss {
  index: number;
  loss: number;
  terms: Record<string, number>;
}

/** Main -> worker: stop. */
export interface StopRequest {
  type: "stop";
}

/** Worker -> main. */
export type FromTrainWorker =
  | { type: "ready" }
  | { type: "done"; id: number; samples: SampleLoss[] }
  | { type: "failed"; id: number; message: string };
