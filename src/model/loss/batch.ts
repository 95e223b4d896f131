import type { tf } from "../../backend/tf.js";

/** One object of a training crop (px of the crop, xyxy). Ignore objects mask the loss instead of being targets. */
export interface TrainObject {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  categoryId: number;
  ignore: boolean;
}

/** One prompt of a training crop: a category, its target objects and the clicks so far (with the object each hit). */
export interface TrainPrompt {
  categoryId: number;
  /** Indices into the sample's objects: every non-ignored object of the category. */
  targets: number[];
  clicks: { x: number; y: number }[];
  /** The object each click is on. */
  clickObjects: number[];
}

/** One sample of a training batch: an augmented crop's objects and prompts, and a seed for its own random choices. */
export interface BatchSample {
  /** Index of the image in the source. */
  index: number;
  objects: TrainObject[];
  /** Prompted training (DEAL): every category of the crop (up to the sampler's limit), each with a first click. */
  prompts: TrainPrompt[];
  /**
   * Seed of this sample's random choices inside the loss (objectness dropout, random extra clicks): per sample, so
   * a batch split across workers makes the same choices.
   */
  seed: number;
}

/** A training batch: normalised crops [B, S, S, 3] (S = size) and their samples; `classOf` maps category ids to class indices (baseline). */
export interface TrainBatch {
  images: tf.Tensor4D;
  samples: BatchSample[];
  size: number;
  classOf: ReadonlyMap<number, number>;
}
