import { tf } from "../../backend/tf.js";
import { SIZE_REF_PX } from "../config.js";
import { decodeBoxXyxy } from "../decoder.js";
import type { QuerySet } from "../query-allocation.js";
import { iouXyxy } from "../../structures/iou.js";
import type { TrainObject } from "./batch.js";
import { perSampleMean, varifocalLoss, type LossWeights } from "./losses.js";

/**
 * One-to-one assignment of decoder queries to ground truth, per image and prompt: every (query, target) pair is
 * scored by IoU(initial box, target) + 0.5 x a Gaussian of their centre distance (scale 0.25 x the object's
 * side + 1 px, so tiny objects whose initial box is still poor are reachable), pairs scoring >= 0.3 are taken
 * greedily, best first. Returns the target object index per query (-1: a negative, which learns a low score;
 * so duplicates and queries of the wrong prompt learn to be suppressed).
 */
export function assignQueries(qs: QuerySet, objectsOf: (b: number) => readonly TrainObject[], targetsOf: (b: number, prompt: number) => readonly number[]): Int32Array {
  const Q = qs.perImage;
  const out = new Int32Array(qs.batch * Q).fill(-1);
  for (let b = 0; b < qs.batch; b++) {
    const objects = objectsOf(b);
    const byPrompt = new Map<number, number[]>();
    for (let q = b * Q; q < (b + 1) * Q; q++) {
      const j = qs.prompt[q]!;
      if (j < 0) continue;
      if (!byPrompt.has(j)) byPrompt.set(j, []);
      byPrompt.get(j)!.push(q);
    }
    for (const [j, queries] of byPrompt) {
      const pairs: [number, number, number][] = [];
      for (const t of targetsOf(b, j)) {
        const o = objects[t]!;
        const gx = (o.x1 + o.x2) / 2, gy = (o.y1 + o.y2) / 2;
        const scale = 0.25 * Math.sqrt((o.x2 - o.x1) * (o.y2 - o.y1)) + 1;
        for (const q of queries) {
          const d2 = (qs.boxes[q * 4]! - gx) ** 2 + (qs.boxes[q * 4 + 1]! - gy) ** 2;
          const m = iouXyxy(decodeBoxXyxy(qs.boxes, q * 4), 0, [o.x1, o.y1, o.x2, o.y2], 0) + 0.5 * Math.exp(-d2 / (2 * scale * scale));
          if (m >= 0.3) pairs.push([m, q, t]);
        }
      }
      pairs.sort((a, c) => c[0] - a[0] || a[1] - c[1] || a[2] - c[2]);
      const usedQ = new Set<number>(), usedT = new Set<number>();
      for (const [, q, t] of pairs) {
        if (usedQ.has(q) || usedT.has(t)) continue;
        usedQ.add(q);
        usedT.add(t);
        out[q] = t;
      }
    }
  }
  return out;
}

/**
 * The loss of one decoder layer: a scale-normalised L1 on positives (|dx| / w + |dy| / h + |d log w| + |d log h|:
 * the same penalty for a 3 px and a 30 px object off by a tenth of its size) and the varifocal score loss with the
 * IoU of the layer's box as the positive's target; both normalised per sample by its positives.
 */
export function decoderLayerLoss(boxes: tf.Tensor3D, logits: tf.Tensor2D, qs: QuerySet, assigned: Int32Array, objectsOf: (b: number) => readonly TrainObject[]): { box: tf.Scalar; score: tf.Scalar } {
  const B = qs.batch, Q = qs.perImage;
  const values = boxes.dataSync();
  const target = new Float32Array(B * Q);
  const positives = new Float32Array(B);
  const posIdx: number[] = [];
  const gtEncoded: number[] = [];
  const gtScale: number[] = [];
  for (let i = 0; i < B * Q; i++) {
    const t = assigned[i]!;
    if (t < 0) continue;
    const b = Math.floor(i / Q);
    const o = objectsOf(b)[t]!;
    const w = o.x2 - o.x1, h = o.y2 - o.y1;
    target[i] = Math.max(0.01, iouXyxy(decodeBoxXyxy(values, i * 4), 0, [o.x1, o.y1, o.x2, o.y2], 0));
    positives[b]! += 1;
    posIdx.push(i);
    gtEncoded.push((o.x1 + o.x2) / 2, (o.y1 + o.y2) / 2, Math.log(w / SIZE_REF_PX), Math.log(h / SIZE_REF_PX));
    gtScale.push(1 / w, 1 / h, 1, 1);
  }
  const score = varifocalLoss(logits, target, qs.mask, positives);
  if (posIdx.length === 0) return { box: tf.scalar(0), score };
  const pred = tf.gather(boxes.reshape([B * Q, 4]), tf.tensor1d(posIdx, "int32"));
  const perPos = pred.sub(tf.tensor2d(gtEncoded, [posIdx.length, 4])).abs().mul(tf.tensor2d(gtScale, [posIdx.length, 4])).sum(1);
  const sums = tf.unsortedSegmentSum(perPos, tf.tensor1d(posIdx.map((i) => Math.floor(i / Q)), "int32"), B) as tf.Tensor1D;
  return { box: perSampleMean(sums, positives), score };
}

/**
 * The decoder's two loss terms over all its layers (DEAL and the baseline alike): {@link decoderLayerLoss} per layer,
 * summed over the layers and weighted.
 */
export function decoderTerms(
  out: { boxes: readonly tf.Tensor3D[]; logits: readonly tf.Tensor2D[] }, qs: QuerySet, assigned: Int32Array,
  objectsOf: (b: number) => readonly TrainObject[], w: Pick<LossWeights, "decoderBox" | "decoderScore">,
): { decoderBox: tf.Scalar; decoderScore: tf.Scalar } {
  const box: tf.Scalar[] = [], score: tf.Scalar[] = [];
  out.boxes.forEach((bx, i) => {
    const l = decoderLayerLoss(bx, out.logits[i]!, qs, assigned, objectsOf);
    box.push(l.box);
    score.push(l.score);
  });
  return { decoderBox: tf.addN(box).mul(w.decoderBox) as tf.Scalar, decoderScore: tf.addN(score).mul(w.decoderScore) as tf.Scalar };
}
