import { tf } from "../../backend/tf.js";
import { stopGradient } from "../ops.js";

/**
 * Loss weights. Defaults: objectness (or class) heatmap 1, size 2, offset 1, prompt heatmap 1, decoder box 1,
 * decoder score 1 (each term is first normalised per sample; see the loss functions).
 */
export interface LossWeights {
  obj: number;
  size: number;
  offset: number;
  prompt: number;
  decoderBox: number;
  decoderScore: number;
}

/** Default {@link LossWeights}. */
export const DEFAULT_LOSS_WEIGHTS: Readonly<LossWeights> = Object.freeze({ obj: 1, size: 2, offset: 1, prompt: 1, decoderBox: 1, decoderScore: 1 });

const logSigmoid = (x: tf.Tensor) => tf.neg(tf.softplus(tf.neg(x)));

/** The per-sample mean of per-sample sums [B] divided by per-sample counts (at least 1). */
export function perSampleMean(sums: tf.Tensor1D, counts: Float32Array): tf.Scalar {
  return sums.div(tf.tensor1d(counts.map((c) => Math.max(1, c)))).mean() as tf.Scalar;
}

/**
 * CenterNet's penalty-reduced focal loss on heatmap logits [B, ...] against Gaussian targets (cells equal to 1 are
 * positives), negatives weighted by `negWeight` (0 in ignore regions), normalised per sample by its positives and
 * averaged over samples.
 */
export function focalLoss(logits: tf.Tensor, target: Float32Array, negWeight: tf.Tensor): tf.Scalar {
  const B = logits.shape[0]!;
  const per = target.length / B;
  const pos = new Float32Array(target.length);
  const numPos = new Float32Array(B);
  for (let i = 0; i < target.length; i++) {
    if (target[i]! >= 0.999) {
      pos[i] = 1;
      numPos[Math.floor(i / per)]! += 1;
    }
  }
  const t = tf.tensor(target, logits.shape);
  const posT = tf.tensor(pos, logits.shape);
  const p = tf.sigmoid(logits);
  const posLoss = logSigmoid(logits).mul(tf.scalar(1).sub(p).square()).mul(posT);
  const negLoss = logSigmoid(tf.neg(logits)).mul(p.square()).mul(tf.scalar(1).sub(t).pow(4)).mul(tf.scalar(1).sub(posT)).mul(negWeight);
  return perSampleMean(posLoss.add(negLoss).neg().reshape([B, -1]).sum(1) as tf.Tensor1D, numPos);
}

/** Weighted L1 [B, g, g, 2] with weights [B, g, g], normalised per sample by `objects` [B]. */
export function weightedL1(pred: tf.Tensor4D, target: Float32Array, weight: Float32Array, objects: Float32Array): tf.Scalar {
  const [B, h, w] = pred.shape;
  const l1 = pred.sub(tf.tensor4d(target, pred.shape)).abs().mul(tf.tensor4d(weight, [B, h, w, 1]));
  return perSampleMean(l1.reshape([B, -1]).sum(1) as tf.Tensor1D, objects);
}

/** Binary cross-entropy on logits, elementwise. */
export function bceWithLogits(x: tf.Tensor, t: tf.Tensor): tf.Tensor {
  return tf.relu(x).sub(x.mul(t)).add(tf.softplus(tf.neg(tf.abs(x))));
}

/**
 * Varifocal loss (IoU-aware targets, alpha 0.75, gamma 2; RT-DETR) of logits [B, Q] with targets [B, Q] (the
 * IoU of a positive's box, 0 for negatives), masked, per sample normalised by its positives.
 */
export function varifocalLoss(logits: tf.Tensor2D, target: Float32Array, mask: Float32Array, positives: Float32Array): tf.Scalar {
  const [B, Q] = logits.shape;
  const t = tf.tensor2d(target, [B, Q]);
  const isPos = tf.tensor2d(target.map((v) => (v > 0 ? 1 : 0)), [B, Q]);
  const p = stopGradient(tf.sigmoid(logits));
  const weight = p.square().mul(0.75).mul(tf.scalar(1).sub(isPos)).add(t);
  const l = bceWithLogits(logits, t).mul(weight).mul(tf.tensor2d(mask, [B, Q]));
  return perSampleMean(l.sum(1) as tf.Tensor1D, positives);
}
