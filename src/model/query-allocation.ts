import { tf } from "../backend/tf.js";
import type { ModelConfig } from "./config.js";

/** Queries chosen for each prompt (fixed shape maxQueries; the mask marks the ones in use). */
export interface QueryAllocation {
  /** Flat fine-map positions of the queries [B, Q] (int32), strongest peak first. */
  indices: tf.Tensor2D;
  /** Normalised (x, y) centres of those positions [B, Q, 2]. */
  centres: tf.Tensor3D;
  /** [B, Q]: 1 for an allocated query, 0 for padding. */
  mask: tf.Tensor2D;
  /** Allocated query count per prompt. */
  counts: number[];
  /** Estimated object count (density integral) per prompt. */
  estimatedCounts: number[];
}

/** The number of queries for an estimated count: ceil(scale * count) + margin, clamped to the bounds. */
export function queriesForCount(count: number, cfg: Pick<ModelConfig, "countScale" | "countMargin" | "minQueries" | "maxQueries">): number {
  const n = Math.ceil(cfg.countScale * Math.max(0, count)) + cfg.countMargin;
  return Math.min(cfg.maxQueries, Math.max(cfg.minQueries, Number.isFinite(n) ? n : cfg.maxQueries));
}

/**
 * Density-Guided Query Allocation. The density integral estimates the object count, which sets how many
 * queries are used ({@link queriesForCount}); queries start at the strongest local maxima of the centre
 * heatmap (3x3 max-pool NMS, as CenterNet), strongest first. `minCounts` (training) raises the count to at
 * least the given values so every ground-truth object can be matched while the density is still untrained.
 * No gradient flows through the selection.
 */
export function allocateQueries(heatLogits: tf.Tensor3D, density: tf.Tensor3D, cfg: ModelConfig, minCounts?: readonly number[]): QueryAllocation {
  const [b, h, w] = heatLogits.shape;
  const q = Math.min(cfg.maxQueries, h * w);
  const estimatedCounts = readAndDispose(tf.tidy(() => density.sum([1, 2])));
  const counts = estimatedCounts.map((c, i) => Math.min(q, queriesForCount(Math.max(c, minCounts?.[i] ?? 0), cfg)));
  const { indices, centres } = selectPeaks(heatLogits, q);
  const mask = tf.tidy(() => {
    const maskData = new Float32Array(b * q);
    counts.forEach((c, i) => maskData.fill(1, i * q, i * q + c));
    return tf.tensor2d(maskData, [b, q]);
  });
  return { indices, centres, mask, counts, estimatedCounts };
}

/**
 * The `q` strongest local maxima of a heatmap (logits [B, H, W]; 3x3 max-pool NMS as CenterNet), strongest
 * first: flat indices [B, q] (int32) and normalised centres [B, q, 2]. Not differentiable.
 */
export function selectPeaks(heatLogits: tf.Tensor3D, q: number): { indices: tf.Tensor2D; centres: tf.Tensor3D } {
  const [b, h, w] = heatLogits.shape;
  return tf.tidy(() => {
    const heat = tf.sigmoid(heatLogits).expandDims(-1) as tf.Tensor4D;
    const pooled = tf.maxPool(heat, 3, 1, "same");
    const peaks = heat.mul(heat.greaterEqual(pooled).toFloat()).reshape([b, h * w]);
    // Tie-break towards the stronger raw heat, so flat regions still yield distinct positions.
    const score = peaks.add(heat.reshape([b, h * w]).mul(1e-3));
    const indices = tf.topk(score, q, true).indices as tf.Tensor2D;
    const fi = indices.toFloat();
    const row = fi.div(w).floor();
    const xs = fi.sub(row.mul(w)).add(0.5).div(w);
    const ys = row.add(0.5).div(h);
    const centres = tf.stack([xs, ys], -1);
    // Fresh constants: selection is not differentiable, and int paths from trainable values upset the tape.
    return {
      indices: tf.tensor2d(indices.dataSync() as Int32Array, [b, q], "int32"),
      centres: tf.tensor3d(centres.dataSync() as Float32Array, [b, q, 2]),
    };
  });
}

/** Reads a tensor into a plain array and frees it. */
export function readAndDispose(t: tf.Tensor): number[] {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
}
