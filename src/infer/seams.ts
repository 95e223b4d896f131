import type { Tile } from "../data/tiling.js";
import { iosXyxy } from "../structures/iou.js";

/**
 * True when box (x1, y1, x2, y2), in image px, touches a border of `rect` that is inside the image (not
 * the image's own edge): the object may continue in the next slice.
 */
export function touchesInnerBorder(
  box: ArrayLike<number>,
  rect: Tile,
  imageWidth: number,
  imageHeight: number,
  marginPx: number,
): boolean {
  const [x1, y1, x2, y2] = [box[0]!, box[1]!, box[2]!, box[3]!];
  return (
    (rect.x > 0 && x1 <= rect.x + marginPx) ||
    (rect.y > 0 && y1 <= rect.y + marginPx) ||
    (rect.x + rect.width < imageWidth && x2 >= rect.x + rect.width - marginPx) ||
    (rect.y + rect.height < imageHeight && y2 >= rect.y + rect.height - marginPx)
  );
}

/** What {@link resolveSeams} did. */
export interface SeamStats {
  /** Boxes touching an inner slice border. */
  cut: number;
  /** Cut boxes dropped because a box of the same group from another slice holds them (IoS >= threshold) and is not cut. */
  dropped: number;
  /** Cut boxes joined with cut pieces of the same object from neighbouring slices. */
  joined: number;
}

/**
 * Seam handling before the general merge. A cut box that another slice sees whole (a not-cut box of the
 * same group containing it at IoS >= `threshold`) is dropped. Cut pieces of one object that every slice
 * cuts (objects larger than the overlap) are joined: two cut boxes of the same group from different slices
 * that overlap and line up across the seam (their extents along one axis agree at 1-D IoS >= 0.8) become
 * their union. Returns the surviving boxes as new arrays; inputs are not modified.
 */
export function resolveSeams(
  boxesXyxy: Float32Array,
  scores: Float32Array,
  groups: Int32Array,
  sliceOf: Int32Array,
  cut: Uint8Array,
  threshold: number,
): { boxesXyxy: Float32Array; index: number[]; scores: Float32Array; stats: SeamStats } {
  const n = scores.length;
  const cutIdx: number[] = [];
  const wholeIdx: number[] = [];
  for (let i = 0; i < n; i++) (cut[i] ? cutIdx : wholeIdx).push(i);
  const dropped = new Uint8Array(n);
  // Whole boxes sorted by x1, so each cut box only looks at the whole boxes that can overlap it.
  const wholeByX = wholeIdx.slice().sort((a, b) => boxesXyxy[4 * a]! - boxesXyxy[4 * b]!);
  const wholeX1 = wholeByX.map((i) => boxesXyxy[4 * i]!);
  let droppedCount = 0;
  for (const i of cutIdx) {
    const x2 = boxesXyxy[4 * i + 2]!;
    for (let k = 0; k < wholeByX.length && wholeX1[k]! < x2; k++) {
      const j = wholeByX[k]!;
      if (groups[j] !== groups[i] || sliceOf[j] === sliceOf[i]) continue;
      if (iosXyxy(boxesXyxy, i, boxesXyxy, j) >= threshold) {
        dropped[i] = 1;
        droppedCount++;
        break;
      }
    }
  }
  // Union-find over the surviving cut pieces.
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const live = cutIdx.filter((i) => !dropped[i]);
  let joined = 0;
  for (let a = 0; a < live.length; a++) {
    for (let b = a + 1; b < live.length; b++) {
      const i = live[a]!, j = live[b]!;
      if (groups[i] !== groups[j] || sliceOf[i] === sliceOf[j]) continue;
      if (iosXyxy(boxesXyxy, i, boxesXyxy, j) <= 0) continue;
      if (axisIos(boxesXyxy, i, j, 0) >= 0.8 || axisIos(boxesXyxy, i, j, 1) >= 0.8) {
        const ri = find(i), rj = find(j);
        if (ri !== rj) {
          parent[rj] = ri;
          joined++;
        }
      }
    }
  }
  const outBoxes: number[] = [];
  const outScores: number[] = [];
  const index: number[] = [];
  const rootSlot = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    if (dropped[i]) continue;
    const r = cut[i] ? find(i) : i;
    const slot = rootSlot.get(r);
    if (slot === undefined) {
      rootSlot.set(r, index.length);
      index.push(i);
      outBoxes.push(boxesXyxy[4 * i]!, boxesXyxy[4 * i + 1]!, boxesXyxy[4 * i + 2]!, boxesXyxy[4 * i + 3]!);
      outScores.push(scores[i]!);
    } else {
      outBoxes[4 * slot] = Math.min(outBoxes[4 * slot]!, boxesXyxy[4 * i]!);
      outBoxes[4 * slot + 1] = Math.min(outBoxes[4 * slot + 1]!, boxesXyxy[4 * i + 1]!);
      outBoxes[4 * slot + 2] = Math.max(outBoxes[4 * slot + 2]!, boxesXyxy[4 * i + 2]!);
      outBoxes[4 * slot + 3] = Math.max(outBoxes[4 * slot + 3]!, boxesXyxy[4 * i + 3]!);
      if (scores[i]! > outScores[slot]!) outScores[slot] = scores[i]!;
    }
  }
  return {
    boxesXyxy: Float32Array.from(outBoxes),
    index,
    scores: Float32Array.from(outScores),
    stats: { cut: cutIdx.length, dropped: droppedCount, joined },
  };
}

/** 1-D intersection over the smaller extent of boxes i and j along axis 0 (x) or 1 (y). */
function axisIos(b: ArrayLike<number>, i: number, j: number, axis: 0 | 1): number {
  const lo = Math.max(b[4 * i + axis]!, b[4 * j + axis]!);
  const hi = Math.min(b[4 * i + 2 + axis]!, b[4 * j + 2 + axis]!);
  const smaller = Math.min(b[4 * i + 2 + axis]! - b[4 * i + axis]!, b[4 * j + 2 + axis]! - b[4 * j + axis]!);
  return hi > lo && smaller > 0 ? (hi - lo) / smaller : 0;
}
