import type { DetectionList } from "../model/types.js";

// Small columnar helpers over DetectionList, internal to src/infer/. Every helper returns new arrays.

/** A DetectionList with no detections. */
export function emptyDetectionList(): DetectionList {
  return {
    length: 0,
    boxesXyxy: new Float32Array(0),
    scores: new Float32Array(0),
    categoryIds: new Int32Array(0),
    clickIndex: new Int32Array(0),
  };
}

/** The detections at `indices`, in that order. */
export function pickDetections(list: DetectionList, indices: readonly number[]): DetectionList {
  const n = indices.length;
  const out: DetectionList = {
    length: n,
    boxesXyxy: new Float32Array(4 * n),
    scores: new Float32Array(n),
    categoryIds: new Int32Array(n),
    clickIndex: new Int32Array(n),
  };
  indices.forEach((src, k) => {
    out.boxesXyxy.set(list.boxesXyxy.subarray(4 * src, 4 * src + 4), 4 * k);
    out.scores[k] = list.scores[src]!;
    out.categoryIds[k] = list.categoryIds[src]!;
    out.clickIndex[k] = list.clickIndex[src]!;
  });
  return out;
}

/** All detections of `lists` in one list, each list's boxes shifted by its (dx, dy). */
export function concatDetections(lists: readonly { list: DetectionList; dx?: number; dy?: number }[]): DetectionList {
  const n = lists.reduce((s, l) => s + l.list.length, 0);
  const out: DetectionList = {
    length: n,
    boxesXyxy: new Float32Array(4 * n),
    scores: new Float32Array(n),
    categoryIds: new Int32Array(n),
    clickIndex: new Int32Array(n),
  };
  let k = 0;
  for (const { list, dx = 0, dy = 0 } of lists) {
    for (let i = 0; i < list.length; i++, k++) {
      out.boxesXyxy[4 * k] = list.boxesXyxy[4 * i]! + dx;
      out.boxesXyxy[4 * k + 1] = list.boxesXyxy[4 * i + 1]! + dy;
      out.boxesXyxy[4 * k + 2] = list.boxesXyxy[4 * i + 2]! + dx;
      out.boxesXyxy[4 * k + 3] = list.boxesXyxy[4 * i + 3]! + dy;
      out.scores[k] = list.scores[i]!;
      out.categoryIds[k] = list.categoryIds[i]!;
      out.clickIndex[k] = list.clickIndex[i]!;
    }
  }
  return out;
}

/** Indices of `list` sorted by descending score (ties by index), optionally cut to `topK`. */
export function topByScore(list: DetectionList, topK = Infinity): number[] {
  const order = Array.from({ length: list.length }, (_, i) => i).sort(
    (a, b) => list.scores[b]! - list.scores[a]! || a - b,
  );
  return Number.isFinite(topK) ? order.slice(0, Math.max(0, Math.floor(topK))) : order;
}
