import { DealkitConfigError } from "../util/errors.js";
import { Boxes } from "./boxes.js";

/**
 * Detections of one image, columnar: xyxy pixel boxes (4 numbers each), scores, category ids, and the index of
 * the click that produced each one (`clickIndex`, -1 for a detector that takes no clicks, such as the
 * supervised baseline, and for detections read back from COCO results). What every detector returns and every
 * consumer (merging, analysis, evaluation glue, viz) reads. Build one with {@link createDetections}; the
 * functions below never modify their inputs.
 *
 * @example
 * const d = createDetections(new Float32Array([0, 0, 4, 4]), new Float32Array([0.9]), new Int32Array([1]));
 * d.length; // 1
 */
export interface Detections {
  length: number;
  boxesXyxy: Float32Array;
  scores: Float32Array;
  categoryIds: Int32Array;
  clickIndex: Int32Array;
}

/**
 * Detections from their columns, checked for matching lengths (a DealkitConfigError otherwise); `clickIndex`
 * defaults to -1 everywhere. The arrays are used as they are, not copied.
 *
 * @example
 * createDetections(new Float32Array([0, 0, 4, 4]), new Float32Array([0.9]), new Int32Array([1])).clickIndex; // Int32Array [-1]
 */
export function createDetections(boxesXyxy: Float32Array, scores: Float32Array, categoryIds: Int32Array, clickIndex?: Int32Array): Detections {
  const n = scores.length;
  if (boxesXyxy.length !== n * 4) throw new DealkitConfigError(`Detections: ${boxesXyxy.length} box numbers for ${n} scores (expected ${n * 4})`);
  if (categoryIds.length !== n) throw new DealkitConfigError(`Detections: ${categoryIds.length} category ids for ${n} scores`);
  if (clickIndex && clickIndex.length !== n) throw new DealkitConfigError(`Detections: ${clickIndex.length} click indices for ${n} scores`);
  return { length: n, boxesXyxy, scores, categoryIds, clickIndex: clickIndex ?? new Int32Array(n).fill(-1) };
}

/**
 * No detections.
 *
 * @example
 * emptyDetections().length; // 0
 */
export function emptyDetections(): Detections {
  return createDetections(new Float32Array(0), new Float32Array(0), new Int32Array(0), new Int32Array(0));
}

/**
 * The detections at `indices`, in that order (new arrays).
 *
 * @example
 * selectDetections(d, detectionOrder(d, 10)); // the 10 best, best first
 */
export function selectDetections(d: Detections, indices: ArrayLike<number>): Detections {
  const n = indices.length;
  const out = createDetections(new Float32Array(4 * n), new Float32Array(n), new Int32Array(n), new Int32Array(n));
  for (let k = 0; k < n; k++) {
    const i = indices[k]!;
    out.boxesXyxy.set(d.boxesXyxy.subarray(4 * i, 4 * i + 4), 4 * k);
    out.scores[k] = d.scores[i]!;
    out.categoryIds[k] = d.categoryIds[i]!;
    out.clickIndex[k] = d.clickIndex[i]!;
  }
  return out;
}

/**
 * All detections of `parts` in one list (new arrays), each part's boxes shifted by its (dx, dy) pixels
 * (default 0): how the detections of tiles or slices go back to the full image.
 *
 * @example
 * concatDetections([{ detections: onTile, dx: 512, dy: 0 }, { detections: onOther }]);
 */
export function concatDetections(parts: readonly { detections: Detections; dx?: number; dy?: number }[]): Detections {
  const n = parts.reduce((s, p) => s + p.detections.length, 0);
  const out = createDetections(new Float32Array(4 * n), new Float32Array(n), new Int32Array(n), new Int32Array(n));
  let k = 0;
  for (const { detections: d, dx = 0, dy = 0 } of parts) {
    for (let i = 0; i < d.length; i++, k++) {
      out.boxesXyxy[4 * k] = d.boxesXyxy[4 * i]! + dx;
      out.boxesXyxy[4 * k + 1] = d.boxesXyxy[4 * i + 1]! + dy;
      out.boxesXyxy[4 * k + 2] = d.boxesXyxy[4 * i + 2]! + dx;
      out.boxesXyxy[4 * k + 3] = d.boxesXyxy[4 * i + 3]! + dy;
      out.scores[k] = d.scores[i]!;
      out.categoryIds[k] = d.categoryIds[i]!;
      out.clickIndex[k] = d.clickIndex[i]!;
    }
  }
  return out;
}

/**
 * The detections shifted by (dx, dy) pixels (new arrays): maps detections on a tile back to the full image.
 *
 * @example
 * translateDetections(onTile, tile.x, tile.y);
 */
export function translateDetections(d: Detections, dx: number, dy: number): Detections {
  return concatDetections([{ detections: d, dx, dy }]);
}

/**
 * Indices of `d` by descending score (ties by index, so the order is stable), cut to the first `topK`
 * (default: all). The detections are not reordered.
 *
 * @example
 * detectionOrder(d, 5); // the indices of the 5 best detections
 */
export function detectionOrder(d: Pick<Detections, "length" | "scores">, topK = Infinity): number[] {
  const order = Array.from({ length: d.length }, (_, i) => i).sort((a, b) => d.scores[b]! - d.scores[a]! || a - b);
  return Number.isFinite(topK) ? order.slice(0, Math.max(0, Math.floor(topK))) : order;
}

/**
 * The boxes as a {@link Boxes} (xyxy, px; shares the array).
 *
 * @example
 * detectionBoxes(d).to("xywh").get(0);
 */
export function detectionBoxes(d: Detections): Boxes {
  return new Boxes(d.boxesXyxy, "xyxy", "px");
}
