/** One box as COCO stores it: [x, y, width, height] in pixels (x to the right, y down). */
export type BboxXywh = readonly [number, number, number, number];
/** One box by its corners: [x1, y1, x2, y2] in pixels. */
export type BboxXyxy = readonly [number, number, number, number];

/**
 * The corners of a COCO box: [x, y, x + w, y + h]. (For many boxes at once, see {@link convertBoxArray}.)
 *
 * @example
 * xywhToXyxy([10, 20, 4, 6]); // [10, 20, 14, 26]
 */
export function xywhToXyxy(b: BboxXywh): [number, number, number, number] {
  return [b[0], b[1], b[0] + b[2], b[1] + b[3]];
}

/**
 * A corner box as COCO stores it: [x1, y1, x2 - x1, y2 - y1].
 *
 * @example
 * xyxyToXywh([10, 20, 14, 26]); // [10, 20, 4, 6]
 */
export function xyxyToXywh(b: BboxXyxy): [number, number, number, number] {
  return [b[0], b[1], b[2] - b[0], b[3] - b[1]];
}
