import { tf } from "../../backend/tf.js";
import type { BboxXywh } from "../../structures/bbox.js";
import { splatDensity, splatHeatmap, type SampleTarget } from "./targets.js";

/** One sample of a training batch, in the input frame (S x S pixels, after the random horizontal flip). */
export interface BatchSample {
  /** Index of the image in the source. */
  index: number;
  /** The flip applied. */
  flipped: boolean;
  /** Boxes (xywh, input pixels) of the objects this sample is supervised with. */
  boxesInput: BboxXywh[];
  /** Their labels (class index; 0 for DEAL). */
  target: SampleTarget;
  /** Prompted training only: the prompted category and the clicks so far (input pixels) with the clicked object indices. */
  categoryId?: number;
  clicks?: { x: number; y: number }[];
  clicked?: Set<number>;
}

/** A training batch: the normalised images [B, S, S, 3] and the samples' ground truth (drawn by train/drawBatch). */
export interface TrainBatch {
  images: tf.Tensor4D;
  samples: BatchSample[];
}

/**
 * Clicks of a batch as tensors: normalised positions [B, K, 2] and a mask [B, K] (K = maxClicks).
 *
 * @example
 * const { xy, mask } = clickTensors(batch.samples, 256, 4);
 */
export function clickTensors(samples: readonly BatchSample[], inputSize: number, maxClicks: number): { xy: tf.Tensor3D; mask: tf.Tensor2D } {
  const b = samples.length;
  const xy = new Float32Array(b * maxClicks * 2);
  const mask = new Float32Array(b * maxClicks);
  samples.forEach((s, i) => {
    (s.clicks ?? []).slice(0, maxClicks).forEach((c, j) => {
      xy[(i * maxClicks + j) * 2] = c.x / inputSize;
      xy[(i * maxClicks + j) * 2 + 1] = c.y / inputSize;
      mask[i * maxClicks + j] = 1;
    });
  });
  return { xy: tf.tensor3d(xy, [b, maxClicks, 2]), mask: tf.tensor2d(mask, [b, maxClicks]) };
}

/**
 * Heatmap ([B, h, w, channels]) and density ([B, h, w]) targets of a batch on the stride-4 grid.
 *
 * @example
 * const dense = denseTargets(batch.samples, 64, 64, 1);
 */
export function denseTargets(samples: readonly BatchSample[], h: number, w: number, channels: number): { heat: Float32Array; density: Float32Array } {
  const heat = new Float32Array(samples.length * h * w * channels);
  const density = new Float32Array(samples.length * h * w);
  samples.forEach((s, i) => {
    splatHeatmap(heat.subarray(i * h * w * channels, (i + 1) * h * w * channels), s.target, h, w, channels);
    splatDensity(density.subarray(i * h * w, (i + 1) * h * w), s.target, h, w);
  });
  return { heat, density };
}
