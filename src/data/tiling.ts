import type { RgbImage } from "../structures/image.js";
import { DealkitConfigError } from "../util/errors.js";

/** A window of an image: its top-left offset and size in pixels. Add (x, y) to map tile boxes back. */
export interface Tile {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Options of {@link tileGrid}. Defaults: sliceSize 512, overlap 0.2. */
export interface TileOptions {
  /** Side of a square slice in px. Default 512. */
  sliceSize?: number;
  /** Slice width, overriding sliceSize. */
  sliceWidth?: number;
  /** Slice height, overriding sliceSize. */
  sliceHeight?: number;
  /** Overlap between neighbouring slices as a fraction of the slice side, in [0, 1). Default 0.2. */
  overlap?: number;
}

function positions(length: number, size: number, step: number): number[] {
  if (length <= size) return [0];
  const out: number[] = [];
  for (let p = 0; ; p += step) {
    if (p + size >= length) {
      out.push(length - size); // the last slice is shifted back to end at the border (as SAHI does)
      break;
    }
    out.push(p);
  }
  return out;
}

/**
 * Slices an image of the given size into overlapping tiles, row by row. Slices never leave the image: the
 * last row/column is shifted to end at the border, and an image smaller than a slice is one tile.
 *
 * @example
 * tileGrid(1000, 600, { sliceSize: 512, overlap: 0.2 }); // 2 x 2 tiles, offsets 0/488 and 0/88
 */
export function tileGrid(imageWidth: number, imageHeight: number, options: TileOptions = {}): Tile[] {
  const sw = options.sliceWidth ?? options.sliceSize ?? 512;
  const sh = options.sliceHeight ?? options.sliceSize ?? 512;
  const overlap = options.overlap ?? 0.2;
  if (!(sw >= 1 && sh >= 1)) throw new DealkitConfigError(`tileGrid: slice size must be >= 1, got ${sw}x${sh}`);
  if (!(overlap >= 0 && overlap < 1)) throw new DealkitConfigError(`tileGrid: overlap must be in [0, 1), got ${overlap}`);
  const xs = positions(imageWidth, sw, Math.max(1, Math.floor(sw * (1 - overlap))));
  const ys = positions(imageHeight, sh, Math.max(1, Math.floor(sh * (1 - overlap))));
  const tiles: Tile[] = [];
  for (const y of ys) for (const x of xs) tiles.push({ x, y, width: Math.min(sw, imageWidth), height: Math.min(sh, imageHeight) });
  return tiles;
}

/** Boxes that survive clipping to a tile (see {@link clipBoxesToTile}). */
export interface TileBoxes {
  /** Indices of the kept boxes in the input. */
  indices: Int32Array;
  /** The kept boxes clipped to the tile, xywh in tile pixels. */
  bboxXywh: Float64Array;
  /** The fraction of each kept box's area inside the tile. */
  visible: Float64Array;
}

/**
 * Clips xywh pixel boxes to a tile and keeps those with at least `minVisible` of their area inside
 * (default 0.5). Kept boxes are returned in tile coordinates. An empty (zero-area) box is kept when its
 * position lies inside the tile. The input is not modified.
 *
 * @example
 * clipBoxesToTile(new Float64Array([90, 10, 20, 10]), { x: 0, y: 0, width: 100, height: 100 }); // kept, [90, 10, 10, 10], visible 0.5
 */
export function clipBoxesToTile(bboxXywh: Float64Array, tile: Tile, options: { minVisible?: number } = {}): TileBoxes {
  const minVisible = options.minVisible ?? 0.5;
  const n = bboxXywh.length / 4;
  const idx: number[] = [];
  const boxes: number[] = [];
  const vis: number[] = [];
  const tx2 = tile.x + tile.width, ty2 = tile.y + tile.height;
  for (let i = 0; i < n; i++) {
    const x = bboxXywh[i * 4]!, y = bboxXywh[i * 4 + 1]!, w = bboxXywh[i * 4 + 2]!, h = bboxXywh[i * 4 + 3]!;
    const x1 = Math.max(x, tile.x), y1 = Math.max(y, tile.y), x2 = Math.min(x + w, tx2), y2 = Math.min(y + h, ty2);
    let visible: number;
    if (w * h > 0) visible = x2 > x1 && y2 > y1 ? ((x2 - x1) * (y2 - y1)) / (w * h) : 0;
    else visible = x >= tile.x && x <= tx2 && y >= tile.y && y <= ty2 ? 1 : 0;
    if (visible <= 0 || visible < minVisible) continue;
    idx.push(i);
    boxes.push(x1 - tile.x, y1 - tile.y, Math.max(0, x2 - x1), Math.max(0, y2 - y1));
    vis.push(visible);
  }
  return { indices: Int32Array.from(idx), bboxXywh: Float64Array.from(boxes), visible: Float64Array.from(vis) };
}

/**
 * Copies a window out of an image. The window must lie inside the image.
 *
 * @example
 * const crop = cropImage(img, { x: 10, y: 20, width: 64, height: 64 });
 */
export function cropImage(img: RgbImage, rect: Tile): RgbImage {
  const { x, y, width, height } = rect;
  if (!(Number.isInteger(x) && Number.isInteger(y) && width >= 1 && height >= 1 && x >= 0 && y >= 0 && x + width <= img.width && y + height <= img.height)) {
    throw new DealkitConfigError(`cropImage: window ${width}x${height}+${x}+${y} is not inside the ${img.width}x${img.height} image (integers required)`);
  }
  const out = new Uint8Array(width * height * 3);
  for (let r = 0; r < height; r++) {
    const src = ((y + r) * img.width + x) * 3;
    out.set(img.data.subarray(src, src + width * 3), r * width * 3);
  }
  return { width, height, data: out };
}

/**
 * Resizes with bilinear interpolation and half-pixel centres (as tf.image.resizeBilinear with
 * halfPixelCenters, and PIL / OpenCV INTER_LINEAR without antialiasing); values are rounded to the nearest
 * integer.
 *
 * @example
 * const small = resizeImage(img, 256, 256);
 */
export function resizeImage(img: RgbImage, width: number, height: number): RgbImage {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1)) {
    throw new DealkitConfigError(`resizeImage: size must be positive integers, got ${width}x${height}`);
  }
  const out = new Uint8Array(width * height * 3);
  const sx = img.width / width, sy = img.height / height;
  const src = img.data, W = img.width;
  for (let r = 0; r < height; r++) {
    const fy = Math.min(Math.max((r + 0.5) * sy - 0.5, 0), img.height - 1);
    const y0 = Math.floor(fy), y1 = Math.min(y0 + 1, img.height - 1), dy = fy - y0;
    for (let c = 0; c < width; c++) {
      const fx = Math.min(Math.max((c + 0.5) * sx - 0.5, 0), img.width - 1);
      const x0 = Math.floor(fx), x1 = Math.min(x0 + 1, img.width - 1), dx = fx - x0;
      for (let k = 0; k < 3; k++) {
        const a = src[(y0 * W + x0) * 3 + k]!, b = src[(y0 * W + x1) * 3 + k]!;
        const cc = src[(y1 * W + x0) * 3 + k]!, d = src[(y1 * W + x1) * 3 + k]!;
        const top = a + (b - a) * dx, bottom = cc + (d - cc) * dx;
        out[(r * width + c) * 3 + k] = Math.round(top + (bottom - top) * dy);
      }
    }
  }
  return { width, height, data: out };
}
