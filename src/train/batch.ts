import { tf } from "../backend/tf.js";
import { imageToInput } from "../model/ops.js";
import type { BboxXywh } from "../prompts/samplers.js";
import { uniformClick } from "../prompts/samplers.js";
import type { Random } from "../util/random.js";
import type { TrainSource } from "./source.js";
import { splatDensity, splatHeatmap, type SampleTarget } from "./targets.js";

/** One sample of a batch, in the input frame (S x S pixels, after the random horizontal flip). */
export interface BatchSample {
  /** Index of the image in the source. */
  index: number;
  /** The flip applied. */
  flipped: boolean;
  /** Boxes (xywh, input pixels) of the objects this sample is supervised with. */
  boxesInput: BboxXywh[];
  /** Their labels (class index; 0 for DEAL). */
  target: SampleTarget;
  /** DEAL only: the prompted category and the clicks so far (input pixels) with the clicked object indices. */
  categoryId?: number;
  clicks?: { x: number; y: number }[];
  clicked?: Set<number>;
}

/** A training batch: the normalised images and the samples' ground truth. */
export interface TrainBatch {
  images: tf.Tensor4D;
  samples: BatchSample[];
}

function pickImage(source: TrainSource, rng: Random): number {
  for (let tries = 0; tries < 20; tries++) {
    const i = rng.int(source.size);
    if (source.get(i).bboxesXywh.length > 0) return i;
  }
  return rng.int(source.size);
}

/**
 * Draws a batch: `batchSize` images at random (with replacement, preferring images with objects), each flipped
 * horizontally with probability 0.5. For DEAL (`prompted`), each sample prompts one category present in the
 * image, chosen at random, is supervised with every object of that category, and gets a first click uniform
 * inside one of them. For the baseline, every object is a target with its class index.
 */
export function drawBatch(source: TrainSource, inputSize: number, batchSize: number, rng: Random, prompted: boolean): TrainBatch {
  const samples: BatchSample[] = [];
  const inputs: tf.Tensor4D[] = [];
  const classOf = new Map(source.categoryIds.map((c, i) => [c, i]));
  for (let i = 0; i < batchSize; i++) {
    const index = pickImage(source, rng);
    const ex = source.get(index);
    const flipped = rng.bool(0.5);
    const sx = inputSize / ex.image.width;
    const sy = inputSize / ex.image.height;
    const all = ex.bboxesXywh.map((b) => {
      const x = b[0] * sx, w = b[2] * sx;
      return [flipped ? inputSize - x - w : x, b[1] * sy, w, b[3] * sy] as BboxXywh;
    });
    let keep = all.map((_, k) => k);
    let categoryId: number | undefined;
    if (prompted && all.length > 0) {
      const cats = [...new Set(ex.categoryIds)].sort((a, b) => a - b);
      categoryId = rng.pick(cats);
      keep = keep.filter((k) => ex.categoryIds[k] === categoryId);
    }
    const boxesInput = keep.map((k) => all[k]!);
    const target: SampleTarget = {
      boxesCxcywhNorm: boxesInput.map((b) => [(b[0] + b[2] / 2) / inputSize, (b[1] + b[3] / 2) / inputSize, b[2] / inputSize, b[3] / inputSize]),
      labels: keep.map((k) => (prompted ? 0 : classOf.get(ex.categoryIds[k]!)!)),
    };
    const sample: BatchSample = { index, flipped, boxesInput, target };
    if (prompted) {
      sample.categoryId = categoryId;
      sample.clicked = new Set();
      sample.clicks = [];
      if (boxesInput.length > 0) {
        const first = rng.int(boxesInput.length);
        sample.clicked.add(first);
        sample.clicks.push(uniformClick(boxesInput[first]!, rng));
      } else {
        sample.clicks.push({ x: inputSize / 2, y: inputSize / 2 });
      }
    }
    samples.push(sample);
    inputs.push(tf.tidy(() => {
      const t = imageToInput(ex.image, inputSize);
      return flipped ? (tf.reverse(t, 2) as tf.Tensor4D) : t;
    }));
  }
  const images = tf.concat(inputs, 0) as tf.Tensor4D;
  tf.dispose(inputs);
  return { images, samples };
}

/** Clicks of a batch as tensors: normalised positions [B, K, 2] and a mask [B, K] (K = maxClicks). */
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

/** Heatmap ([B, h, w, channels]) and density ([B, h, w]) targets of a batch on the stride-4 grid. */
export function denseTargets(samples: readonly BatchSample[], h: number, w: number, channels: number): { heat: Float32Array; density: Float32Array } {
  const heat = new Float32Array(samples.length * h * w * channels);
  const density = new Float32Array(samples.length * h * w);
  samples.forEach((s, i) => {
    splatHeatmap(heat.subarray(i * h * w * channels, (i + 1) * h * w * channels), s.target, h, w, channels);
    splatDensity(density.subarray(i * h * w, (i + 1) * h * w), s.target, h, w);
  });
  return { heat, density };
}
