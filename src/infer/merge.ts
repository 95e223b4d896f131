import { overlapXyxy, type MatchMetric } from "../structures/iou.js";
import { checkOneOf } from "../util/errors.js";

/** Greedy non-maximum suppression (keep the best, drop its matches) or non-maximum merging (union them). */
export type MergeMethod = "nms" | "nmm";

/** Options of {@link mergeBoxes}. Defaults: method "nms", metric "iou", threshold 0.5. */
export interface MergeOptions {
  /** "nms" keeps the highest-scoring box of each match cluster; "nmm" replaces it by the union of the cluster. Default "nms". */
  method?: MergeMethod;
  /** "iou" (intersection over union) or "ios" (intersection over the smaller box). Default "iou". */
  metric?: MatchMetric;
  /** Two boxes match when their metric is >= this. Default 0.5. */
  threshold?: number;
}

/** The outcome of {@link mergeBoxes}: kept box indices and, for "nmm", the merged boxes. */
export interface MergeResult {
  /** Index (into the input) of the representative of each output box, best score first. */
  keep: number[];
  /** The output boxes, xyxy px, 4 numbers per kept box (the union of the cluster for "nmm"). */
  boxesXyxy: Float32Array;
  /** How many input boxes each output box absorbed (1 = it matched nothing). */
  clusterSize: Int32Array;
}

/**
 * Pairs of boxes (same group) whose metric is >= threshold, as adjacency lists. A sweep over x1 keeps it
 * near-linear for the many small, scattered boxes of small-object scenes (no n^2 over thousands of boxes).
 */
export function matchingPairs(
  boxesXyxy: ArrayLike<number>,
  groups: ArrayLike<number>,
  metric: MatchMetric,
  threshold: number,
): number[][] {
  const n = groups.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((p, q) => boxesXyxy[4 * p]! - boxesXyxy[4 * q]!);
  const adj: number[][] = Array.from({ length: n }, () => []);
  for (let a = 0; a < n; a++) {
    const i = order[a]!;
    const x2 = boxesXyxy[4 * i + 2]!;
    for (let b = a + 1; b < n; b++) {
      const j = order[b]!;
      if (boxesXyxy[4 * j]! >= x2) break;
      if (groups[i] !== groups[j]) continue;
      if (overlapXyxy(boxesXyxy, i, boxesXyxy, j, metric) >= threshold) {
        adj[i]!.push(j);
        adj[j]!.push(i);
      }
    }
  }
  return adj;
}

/**
 * Greedy NMS or NMM over boxes, within groups (boxes of different groups never merge; pass the category
 * ids for class-aware merging). Boxes are visited by descending `priority` (usually the score); a visited
 * box absorbs every not-yet-absorbed box that matches it. With "nmm" the output box is the union of the
 * representative and what it absorbed (as SAHI's greedy NMM: matches are measured against the
 * representative's own box, not the growing union). Inputs are not modified.
 *
 * @example
 * const r = mergeBoxes(new Float32Array([0,0,10,10, 1,1,11,11]), [0.9, 0.8], [0, 0], { method: "nms" });
 * r.keep; // [0]
 */
export function mergeBoxes(
  boxesXyxy: ArrayLike<number>,
  priority: ArrayLike<number>,
  groups: ArrayLike<number>,
  options: MergeOptions = {},
): MergeResult {
  const method = checkOneOf("merge method", options.method ?? "nms", ["nms", "nmm"] as const);
  const metric = checkOneOf("match metric", options.metric ?? "iou", ["iou", "ios"] as const);
  const threshold = options.threshold ?? 0.5;
  const n = priority.length;
  const adj = matchingPairs(boxesXyxy, groups, metric, threshold);
  const order = Array.from({ length: n }, (_, i) => i).sort((p, q) => priority[q]! - priority[p]! || p - q);
  const absorbed = new Uint8Array(n);
  const keep: number[] = [];
  const out: number[] = [];
  const sizes: number[] = [];
  for (const i of order) {
    if (absorbed[i]) continue;
    absorbed[i] = 1;
    let x1 = boxesXyxy[4 * i]!, y1 = boxesXyxy[4 * i + 1]!, x2 = boxesXyxy[4 * i + 2]!, y2 = boxesXyxy[4 * i + 3]!;
    let size = 1;
    for (const j of adj[i]!) {
      if (absorbed[j]) continue;
      absorbed[j] = 1;
      size++;
      if (method === "nmm") {
        x1 = Math.min(x1, boxesXyxy[4 * j]!);
        y1 = Math.min(y1, boxesXyxy[4 * j + 1]!);
        x2 = Math.max(x2, boxesXyxy[4 * j + 2]!);
        y2 = Math.max(y2, boxesXyxy[4 * j + 3]!);
      }
    }
    keep.push(i);
    out.push(x1, y1, x2, y2);
    sizes.push(size);
  }
  return { keep, boxesXyxy: Float32Array.from(out), clusterSize: Int32Array.from(sizes) };
}
