import { tf } from "../../backend/tf.js";
import type { StageOutput } from "../decoder.js";
import { cxcywhToXyxy, stopGradient } from "../ops.js";
import { hungarianMatch } from "./matching.js";
import type { SampleTarget } from "./targets.js";

/**
 * Loss weights. Defaults (RT-DETR's set loss weights; the density terms chosen here):
 * vfl 1, l1 5, giou 2 (per decoder stage, encoder stage included), heat 1, density 1, count 0.2.
 */
export interface LossWeights {
  vfl: number;
  l1: number;
  giou: number;
  heat: number;
  density: number;
  count: number;
}

/** Default {@link LossWeights}. */
export const DEFAULT_LOSS_WEIGHTS: LossWeights = { vfl: 1, l1: 5, giou: 2, heat: 1, density: 1, count: 0.2 };

const logSigmoid = (x: tf.Tensor) => tf.neg(tf.softplus(tf.neg(x)));

/** Binary cross-entropy on logits, elementwise. */
function bceWithLogits(x: tf.Tensor, t: tf.Tensor): tf.Tensor {
  return tf.relu(x).sub(x.mul(t)).add(tf.softplus(tf.neg(tf.abs(x))));
}

/**
 * The set loss of one stage: Hungarian matching (per sample, allocated queries only), then
 * varifocal loss (IoU-aware targets, alpha 0.75, gamma 2; RT-DETR), L1 and GIoU on matched boxes, each
 * normalised by the number of objects in the batch.
 */
export function setLoss(stage: StageOutput, counts: readonly number[], targets: readonly SampleTarget[]): { vfl: tf.Scalar; l1: tf.Scalar; giou: tf.Scalar } {
  const [b, q, c] = stage.logits.shape;
  const probs = tf.tidy(() => tf.sigmoid(stage.logits).dataSync());
  const boxes = stage.boxesCxcywhNorm.dataSync();
  const maskData = new Float32Array(b * q);
  const scoreTarget = new Float32Array(b * q * c);
  const onehot = new Float32Array(b * q * c);
  const idx: number[] = [];
  const gt: number[] = [];
  let numGt = 0;
  for (let i = 0; i < b; i++) {
    maskData.fill(1, i * q, i * q + counts[i]!);
    const t = targets[i]!;
    numGt += t.boxesCxcywhNorm.length;
    const pairs = hungarianMatch(boxes.subarray(i * q * 4, (i + 1) * q * 4), probs.subarray(i * q * c, (i + 1) * q * c), c, counts[i]!, t);
    for (const p of pairs) {
      const o = (i * q + p.query) * c + t.labels[p.gt]!;
      scoreTarget[o] = p.iou;
      onehot[o] = 1;
      idx.push(i * q + p.query);
      gt.push(...t.boxesCxcywhNorm[p.gt]!);
    }
  }
  const norm = Math.max(1, numGt);
  const alpha = 0.75;
  const x = stage.logits;
  const mask = tf.tensor3d(maskData, [b, q, 1]);
  const st = tf.tensor3d(scoreTarget, [b, q, c]);
  const oh = tf.tensor3d(onehot, [b, q, c]);
  const p = stopGradient(tf.sigmoid(x));
  const weight = p.square().mul(alpha).mul(tf.scalar(1).sub(oh)).add(st);
  const vfl = bceWithLogits(x, st).mul(weight).mul(mask).sum().div(norm) as tf.Scalar;
  if (idx.length === 0) return { vfl, l1: tf.scalar(0), giou: tf.scalar(0) };
  const pred = tf.gather(stage.boxesCxcywhNorm.reshape([b * q, 4]), tf.tensor1d(idx, "int32"));
  const gtT = tf.tensor2d(gt, [idx.length, 4]);
  const l1 = pred.sub(gtT).abs().sum().div(norm) as tf.Scalar;
  const giou = tf.scalar(1).sub(giouPairs(cxcywhToXyxy(pred), cxcywhToXyxy(gtT))).sum().div(norm) as tf.Scalar;
  return { vfl, l1, giou };
}

/** Generalised IoU of paired xyxy boxes [N, 4] -> [N]. */
export function giouPairs(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const [ax1, ay1, ax2, ay2] = tf.unstack(a, 1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
  const [bx1, by1, bx2, by2] = tf.unstack(b, 1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
  const iw = tf.relu(tf.minimum(ax2, bx2).sub(tf.maximum(ax1, bx1)));
  const ih = tf.relu(tf.minimum(ay2, by2).sub(tf.maximum(ay1, by1)));
  const inter = iw.mul(ih);
  const union = ax2.sub(ax1).mul(ay2.sub(ay1)).add(bx2.sub(bx1).mul(by2.sub(by1))).sub(inter).add(1e-9);
  const hull = tf.maximum(ax2, bx2).sub(tf.minimum(ax1, bx1)).mul(tf.maximum(ay2, by2).sub(tf.minimum(ay1, by1))).add(1e-9);
  const iou = inter.div(union);
  return iou.sub(hull.sub(union).div(hull));
}

/**
 * CenterNet's penalty-reduced focal loss on heatmap logits (any shape) against a Gaussian target (cells equal
 * to 1 are positives), normalised by the number of positives.
 */
export function heatmapFocalLoss(logits: tf.Tensor, target: Float32Array): tf.Scalar {
  const t = tf.tensor(target, logits.shape);
  const posData = target.map((v) => (v >= 0.999 ? 1 : 0));
  const numPos = Math.max(1, posData.reduce((a, v) => a + v, 0));
  const pos = tf.tensor(posData, logits.shape);
  const p = tf.sigmoid(logits);
  const posLoss = logSigmoid(logits).mul(tf.scalar(1).sub(p).square()).mul(pos);
  const negW = tf.scalar(1).sub(t).pow(4).mul(tf.scalar(1).sub(pos));
  const negLoss = logSigmoid(tf.neg(logits)).mul(p.square()).mul(negW);
  return posLoss.add(negLoss).sum().neg().div(numPos) as tf.Scalar;
}

/**
 * Density terms: pixel-wise squared error summed over the map (mean over the batch), and the count error
 * |sum(density) - N| / max(1, N) (mean over the batch).
 */
export function densityLosses(density: tf.Tensor3D, target: Float32Array, counts: readonly number[]): { density: tf.Scalar; count: tf.Scalar } {
  const b = density.shape[0];
  const t = tf.tensor(target, density.shape);
  const pix = density.sub(t).square().sum().div(b) as tf.Scalar;
  const n = tf.tensor1d(counts.slice());
  const count = density.sum([1, 2]).sub(n).abs().div(n.maximum(1)).mean() as tf.Scalar;
  return { density: pix, count };
}
