import type { DetectionList } from "../model/types.js";
import { DealkitConfigError } from "../util/errors.js";
import { Boxes } from "./boxes.js";

/**
 * Detections of one image, columnar: xyxy pixel boxes, scores, category ids and the index of the click
 * that produced each one (-1 without clicks). Implements the model's {@link DetectionList} contract, so a
 * detector's output can be wrapped with `Detections.fromList(list)` without copying.
 *
 * @example
 * const d = new Detections(new Float32Array([0, 0, 4, 4]), new Float32Array([0.9]), new Int32Array([1]));
 * d.boxes().to("xywh").get(0); // [0, 0, 4, 4]
 */
export class Detections implements DetectionList {
  readonly boxesXyxy: Float32Array;
  readonly scores: Float32Array;
  readonly categoryIds: Int32Array;
  readonly clickIndex: Int32Array;

  constructor(boxesXyxy: Float32Array, scores: Float32Array, categoryIds: Int32Array, clickIndex?: Int32Array) {
    const n = scores.length;
    if (boxesXyxy.length !== n * 4) throw new DealkitConfigError(`Detections: ${boxesXyxy.length} box numbers for ${n} scores (expected ${n * 4})`);
    if (categoryIds.length !== n) throw new DealkitConfigError(`Detections: ${categoryIds.length} category ids for ${n} scores`);
    if (clickIndex && clickIndex.length !== n) throw new DealkitConfigError(`Detections: ${clickIndex.length} click indices for ${n} scores`);
    this.boxesXyxy = boxesXyxy;
    this.scores = scores;
    this.categoryIds = categoryIds;
    this.clickIndex = clickIndex ?? new Int32Array(n).fill(-1);
  }

  /** No detections. */
  static empty(): Detections {
    return new Detections(new Float32Array(0), new Float32Array(0), new Int32Array(0));
  }

  /** Wraps any {@link DetectionList} (shares its arrays). */
  static fromList(list: DetectionList): Detections {
    if (list instanceof Detections) return list;
    return new Detections(list.boxesXyxy, list.scores, list.categoryIds, list.clickIndex);
  }

  /** Concatenates several lists (e.g. the tiles of a sliced inference) into new arrays. */
  static concat(lists: readonly DetectionList[]): Detections {
    const n = lists.reduce((s, l) => s + l.length, 0);
    const out = new Detections(new Float32Array(n * 4), new Float32Array(n), new Int32Array(n), new Int32Array(n));
    let k = 0;
    for (const l of lists) {
      out.boxesXyxy.set(l.boxesXyxy, k * 4);
      out.scores.set(l.scores, k);
      out.categoryIds.set(l.categoryIds, k);
      out.clickIndex.set(l.clickIndex, k);
      k += l.length;
    }
    return out;
  }

  /** The number of detections. */
  get length(): number {
    return this.scores.length;
  }

  /** The boxes as a {@link Boxes} (xyxy, px; shares the array). */
  boxes(): Boxes {
    return new Boxes(this.boxesXyxy, "xyxy", "px");
  }

  /** The detections at `indices`, in that order (new arrays). */
  select(indices: ArrayLike<number>): Detections {
    const n = indices.length;
    const out = new Detections(new Float32Array(n * 4), new Float32Array(n), new Int32Array(n), new Int32Array(n));
    for (let j = 0; j < n; j++) {
      const i = indices[j]!;
      out.boxesXyxy.set(this.boxesXyxy.subarray(i * 4, i * 4 + 4), j * 4);
      out.scores[j] = this.scores[i]!;
      out.categoryIds[j] = this.categoryIds[i]!;
      out.clickIndex[j] = this.clickIndex[i]!;
    }
    return out;
  }

  /** Indices sorted by descending score (stable); the arrays are not reordered. */
  orderByScore(): Int32Array {
    const idx = Array.from({ length: this.length }, (_, i) => i);
    idx.sort((a, b) => this.scores[b]! - this.scores[a]! || a - b);
    return Int32Array.from(idx);
  }

  /** The detections shifted by (dx, dy) pixels: maps detections on a tile back to the full image. */
  translate(dx: number, dy: number): Detections {
    const boxes = this.boxesXyxy.slice();
    for (let i = 0; i < boxes.length; i += 4) {
      boxes[i] += dx;
      boxes[i + 1] += dy;
      boxes[i + 2] += dx;
      boxes[i + 3] += dy;
    }
    return new Detections(boxes, this.scores.slice(), this.categoryIds.slice(), this.clickIndex.slice());
  }
}
