import type { RgbImage } from "../structures/image.js";
import { DealkitConfigError } from "../util/errors.js";

/** One slice of a large image: its top-left corner and size in image pixels. */
export interface SliceRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Start offsets along one axis: a step of size * (1 - overlap), the last slice flush with the far edge. */
function axisStarts(length: number, size: number, overlap: number): number[] {
  if (length <= size) return [0];
  const step = Math.max(1, Math.floor(size * (1 - overlap)));
  const starts: number[] = [];
  for (let s = 0; s + size < length; s += step) starts.push(s);
  starts.push(length - size);
  return starts;
}

/**
 * The slice grid of a width x height image: square slices of `sliceSize` px overlapping by the fraction
 * `overlap`, row by row; the last row and column are shifted back to end at the image edge (as SAHI does),
 * and an image smaller than a slice is one slice.
 *
 * @example
 * sliceRects(1000, 600, 512, 0.2).length; // 3 columns x 2 rows = 6
 */
export function sliceRects(width: number, height: number, sliceSize: number, overlap: number): SliceRect[] {
  if (!(Number.isInteger(sliceSize) && sliceSize >= 16)) {
    throw new DealkitConfigError(`sliceSize must be an integer >= 16, got ${sliceSize}`);
  }
  if (!(overlap >= 0 && overlap < 0.9)) throw new DealkitConfigError(`overlap must be in [0, 0.9), got ${overlap}`);
  const out: SliceRect[] = [];
  for (const y of axisStarts(height, sliceSize, overlap)) {
    for (const x of axisStarts(width, sliceSize, overlap)) {
      out.push({ x, y, width: Math.min(sliceSize, width), height: Math.min(sliceSize, height) });
    }
  }
  return out;
}

/** A copy of the pixels of `rect` (which must lie inside the image). */
export function cropImage(image: RgbImage, rect: SliceRect): RgbImage {
  const data = new Uint8Array(rect.width * rect.height * 3);
  const rowBytes = rect.width * 3;
  for (let r = 0; r < rect.height; r++) {
    const src = ((rect.y + r) * image.width + rect.x) * 3;
    data.set(image.data.subarray(src, src + rowBytes), r * rowBytes);
  }
  return { width: rect.width, height: rect.height, data };
}

/**
 * The slice that holds a point best: among the slices containing it, the one where it lies farthest from
 * the slice border (so the click's context is as complete as possible).
 */
export function bestSliceFor(rects: readonly SliceRect[], x: number, y: number): number {
  let best = -1;
  let bestMargin = -Infinity;
  rects.forEach((r, i) => {
    const margin = Math.min(x - r.x, r.x + r.width - x, y - r.y, r.y + r.height - y);
    if (margin >= 0 && margin > bestMargin) {
      best = i;
      bestMargin = margin;
    }
  });
  return best;
}
