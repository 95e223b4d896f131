import { tf } from "../backend/tf.js";
import type { BatchSample, TrainBatch } from "../model/loss/batch.js";
import type { SampleTarget } from "../model/loss/targets.js";
import { imageToInput } from "../model/ops.js";
import { uniformClick } from "../prompts/samplers.js";
import type { BboxXywh } from "../structures/bbox.js";
import type { Random } from "../util/random.js";
import { trainingTargets, type TrainSource } from "./source.js";

function pickImage(source: TrainSource, rng: Random): number {
  for (let tries = 0; tries < 20; tries++) {
    const i = rng.int(source.size);
    if (trainingTargets(source.get(i)).bboxesXywh.length > 0) return i;
  }
  return rng.int(source.size);
}

/**
 * Draws a batch: `batchSize` images at random (with replacement, preferring images with objects), each flipped
 * horizontally with probability 0.5. For DEAL (`prompted`), each sample prompts one category present in the
 * image, chosen at random, is supervised with every object of that category, and gets a first click uniform
 * inside one of them. For the baseline, every object is a target with its class index. A model's
 * `prepareBatch` then adds what its loss needs.
 *
 * @example
 * const batch = drawBatch(source, model.inputSize, 4, rng, model.promptedTraining);
 */
export function drawBatch(source: TrainSource, inputSize: number, batchSize: number, rng: Random, prompted: boolean): TrainBatch {
  const samples: BatchSample[] = [];
  const inputs: tf.Tensor4D[] = [];
  const classOf = new Map(source.categoryIds.map((c, i) => [c, i]));
  for (let i = 0; i < batchSize; i++) {
    const index = pickImage(source, rng);
    const ex = source.get(index);
    const { bboxesXywh, categoryIds } = trainingTargets(ex);
    const flipped = rng.bool(0.5);
    const sx = inputSize / ex.image.width;
    const sy = inputSize / ex.image.height;
    const all = bboxesXywh.map((b) => {
      const x = b[0] * sx, w = b[2] * sx;
      return [flipped ? inputSize - x - w : x, b[1] * sy, w, b[3] * sy] as BboxXywh;
    });
    let keep = all.map((_, k) => k);
    let categoryId: number | undefined;
    if (prompted && all.length > 0) {
      const cats = [...new Set(categoryIds)].sort((a, b) => a - b);
      categoryId = rng.pick(cats);
      keep = keep.filter((k) => categoryIds[k] === categoryId);
    }
    const boxesInput = keep.map((k) => all[k]!);
    const target: SampleTarget = {
      boxesCxcywhNorm: boxesInput.map((b) => [(b[0] + b[2] / 2) / inputSize, (b[1] + b[3] / 2) / inputSize, b[2] / inputSize, b[3] / inputSize]),
      labels: keep.map((k) => (prompted ? 0 : classOf.get(categoryIds[k]!)!)),
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
