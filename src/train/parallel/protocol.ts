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
  /** This worker's gradient slot, shared (float32, ParamLayout order). */
  grads: SharedArrayBuffer;
}

/** Main -> worker: compute the gradient of one shard with the weights now in the shared buffer. */
export interface ShardRequest {
  type: "shard";
  id: number;
  images: Float32Array;
  shape: [number, number, number, number];
  samples: BatchSample[];
  size: number;
  classOf: [number, number][];
  lossWeights: LossWeights;
  settings: TrainingSettings;
}

/** Main -> worker: stop. */
export interface StopRequest {
  type: "stop";
}

/** Worker -> main. */
export type FromTrainWorker =
  | { type: "ready" }
  | { type: "done"; id: number; loss: number; terms: Record<string, number> }
  | { type: "failed"; id: number; message: string };
