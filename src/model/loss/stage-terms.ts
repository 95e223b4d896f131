import { tf } from "../../backend/tf.js";
import type { StageOutput } from "../decoder.js";
import type { TrainBatch } from "./batch.js";
import { setLoss, type LossWeights } from "./losses.js";

/**
 * The sum of scalars (the one scalar itself when alone, so a single term adds no op).
 *
 * @example
 * const total = sumScalars(Object.values(terms));
 */
export function sumScalars(xs: tf.Scalar[]): tf.Scalar {
  return xs.length === 1 ? xs[0]! : (tf.addN(xs) as tf.Scalar);
}

/**
 * The set-loss terms (varifocal, L1, GIoU) summed over the decoder stages and weighted.
 *
 * @example
 * const { vfl, l1, giou } = stageTerms(out.stages, out.allocation.counts, batch, DEFAULT_LOSS_WEIGHTS);
 */
export function stageTerms(stages: readonly StageOutput[], counts: readonly number[], batch: TrainBatch, w: LossWeights): { vfl: tf.Scalar; l1: tf.Scalar; giou: tf.Scalar } {
  const vfl: tf.Scalar[] = [], l1: tf.Scalar[] = [], giou: tf.Scalar[] = [];
  for (const s of stages) {
    const r = setLoss(s, counts, batch.samples.map((x) => x.target));
    vfl.push(r.vfl); l1.push(r.l1); giou.push(r.giou);
  }
  return { vfl: sumScalars(vfl).mul(w.vfl) as tf.Scalar, l1: sumScalars(l1).mul(w.l1) as tf.Scalar, giou: sumScalars(giou).mul(w.giou) as tf.Scalar };
}
