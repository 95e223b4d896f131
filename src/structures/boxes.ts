import { DealkitConfigError, checkOneOf } from "../util/errors.js";

/** How the four numbers of a box are laid out. */
export type BoxFormat = "xyxy" | "xywh" | "cxcywh";
/** Pixels, or fractions of the image width/height. */
export type BoxUnit = "px" | "norm";
/** The valid {@link BoxFormat} values. */
export const BOX_FORMATS: readonly BoxFormat[] = ["xyxy", "xywh", "cxcywh"];
/** The valid {@link BoxUnit} values. */
export const BOX_UNITS: readonly BoxUnit[] = ["px", "norm"];

type BoxArray = Float32Array | Float64Array;

/**
 * Axis-aligned boxes, columnar: `data` holds 4 numbers per box in the named `format` and `unit`.
 * Instances are immutable by convention: every operation returns a new `Boxes`.
 *
 * Defaults: unit "px"; `Boxes.from` builds a Float64Array.
 *
 * @example
 * const b = Boxes.from([[10, 10, 4, 6]], "xywh");
 * b.to("xyxy").data; // Float64Array [10, 10, 14, 16]
 */
export class Boxes {
  readonly data: BoxArray;
  readonly format: BoxFormat;
  readonly unit: BoxUnit;

  constructor(data: BoxArray, format: BoxFormat, unit: BoxUnit = "px") {
    checkOneOf("Boxes format", format, BOX_FORMATS);
    checkOneOf("Boxes unit", unit, BOX_UNITS);
    if (data.length % 4 !== 0) {
      throw new DealkitConfigError(`Boxes: data length must be a multiple of 4, got ${data.length}`);
    }
    this.data = data;
    this.format = format;
    this.unit = unit;
  }

  /** Boxes from rows of 4 numbers (copied into a Float64Array). */
  static from(rows: readonly (readonly number[])[], format: BoxFormat, unit: BoxUnit = "px"): Boxes {
    const data = new Float64Array(rows.length * 4);
    rows.forEach((r, i) => {
      if (r.length !== 4) throw new DealkitConfigError(`Boxes.from: row ${i} has ${r.length} numbers, expected 4`);
      data.set(r, i * 4);
    });
    return new Boxes(data, format, unit);
  }

  /** An empty set of boxes. */
  static empty(format: BoxFormat = "xyxy", unit: BoxUnit = "px"): Boxes {
    return new Boxes(new Float64Array(0), format, unit);
  }

  /** The number of boxes. */
  get length(): number {
    return this.data.length / 4;
  }

  /** Box `i` as 4 numbers in this format. */
  get(i: number): [number, number, number, number] {
    const d = this.data;
    const k = i * 4;
    return [d[k]!, d[k + 1]!, d[k + 2]!, d[k + 3]!];
  }

  /** All boxes as rows (handy in notebooks and tests). */
  toRows(): [number, number, number, number][] {
    const out: [number, number, number, number][] = [];
    for (let i = 0; i < this.length; i++) out.push(this.get(i));
    return out;
  }

  /** The same boxes in another format (a new array of the same type; same unit). */
  to(format: BoxFormat): Boxes {
    checkOneOf("Boxes format", format, BOX_FORMATS);
    return new Boxes(convertBoxArray(this.data, this.format, format), format, this.unit);
  }

  /** Converts normalized boxes to pixels (or returns a copy when already in pixels). */
  toPx(imageWidth: number, imageHeight: number): Boxes {
    if (this.unit === "px") return new Boxes(this.data.slice(), this.format, "px");
    return new Boxes(scaleBoxArray(this.data, imageWidth, imageHeight), this.format, "px");
  }

  /** Converts pixel boxes to fractions of the image size (or returns a copy when already normalized). */
  toNorm(imageWidth: number, imageHeight: number): Boxes {
    if (this.unit === "norm") return new Boxes(this.data.slice(), this.format, "norm");
    return new Boxes(scaleBoxArray(this.data, imageWidth, imageHeight, true), this.format, "norm");
  }

  /** Area of each box, (x2 - x1) * (y2 - y1) as torchvision's box_area (negative for inverted boxes). */
  area(): Float64Array {
    const d = this.format === "xyxy" ? this.data : convertBoxArray(this.data, this.format, "xyxy");
    const out = new Float64Array(this.length);
    for (let i = 0; i < out.length; i++) out[i] = (d[i * 4 + 2]! - d[i * 4]!) * (d[i * 4 + 3]! - d[i * 4 + 1]!);
    return out;
  }

  /** The boxes at `indices`, in that order. */
  select(indices: ArrayLike<number>): Boxes {
    const out = new (this.data.constructor as { new (n: number): BoxArray })(indices.length * 4);
    for (let j = 0; j < indices.length; j++) out.set(this.data.subarray(indices[j]! * 4, indices[j]! * 4 + 4), j * 4);
    return new Boxes(out, this.format, this.unit);
  }

  /** Boxes clipped to [0, width] x [0, height] (same format), as torchvision's clip_boxes_to_image. */
  clip(width: number, height: number): Boxes {
    const xyxy = convertBoxArray(this.data, this.format, "xyxy");
    for (let i = 0; i < xyxy.length; i += 4) {
      xyxy[i] = Math.min(Math.max(xyxy[i]!, 0), width);
      xyxy[i + 1] = Math.min(Math.max(xyxy[i + 1]!, 0), height);
      xyxy[i + 2] = Math.min(Math.max(xyxy[i + 2]!, 0), width);
      xyxy[i + 3] = Math.min(Math.max(xyxy[i + 3]!, 0), height);
    }
    return new Boxes(convertBoxArray(xyxy, "xyxy", this.format), this.format, this.unit);
  }

  /** Boxes shifted by (dx, dy) in their own unit (maps tile-local detections back to the full image). */
  translate(dx: number, dy: number): Boxes {
    const out = this.data.slice();
    const both = this.format === "xyxy";
    for (let i = 0; i < out.length; i += 4) {
      out[i] += dx;
      out[i + 1] += dy;
      if (both) {
        out[i + 2] += dx;
        out[i + 3] += dy;
      }
    }
    return new Boxes(out, this.format, this.unit);
  }
}

/**
 * Converts a flat array of boxes between formats (torchvision.ops.box_convert); returns a new array of the
 * same type. `from === to` returns a copy.
 *
 * @example
 * convertBoxArray(new Float64Array([5, 5, 2, 4]), "cxcywh", "xyxy"); // [4, 3, 6, 7]
 */
export function convertBoxArray<T extends BoxArray>(data: T, from: BoxFormat, to: BoxFormat): T {
  const out = data.slice() as T;
  if (from === to) return out;
  for (let i = 0; i < out.length; i += 4) {
    let x1: number, y1: number, x2: number, y2: number;
    const a = data[i]!, b = data[i + 1]!, c = data[i + 2]!, d = data[i + 3]!;
    if (from === "xyxy") [x1, y1, x2, y2] = [a, b, c, d];
    else if (from === "xywh") [x1, y1, x2, y2] = [a, b, a + c, b + d];
    else [x1, y1, x2, y2] = [a - 0.5 * c, b - 0.5 * d, a + 0.5 * c, b + 0.5 * d];
    if (to === "xyxy") {
      out[i] = x1; out[i + 1] = y1; out[i + 2] = x2; out[i + 3] = y2;
    } else if (to === "xywh") {
      out[i] = x1; out[i + 1] = y1; out[i + 2] = x2 - x1; out[i + 3] = y2 - y1;
    } else {
      out[i] = (x1 + x2) / 2; out[i + 1] = (y1 + y2) / 2; out[i + 2] = x2 - x1; out[i + 3] = y2 - y1;
    }
  }
  return out;
}

// Dividing (rather than multiplying by 1/w) keeps px -> norm -> px exact for most values.
function scaleBoxArray<T extends BoxArray>(data: T, sx: number, sy: number, divide = false): T {
  const out = data.slice() as T;
  for (let i = 0; i < out.length; i += 4) {
    if (divide) {
      out[i] /= sx; out[i + 1] /= sy; out[i + 2] /= sx; out[i + 3] /= sy;
    } else {
      out[i] *= sx; out[i + 1] *= sy; out[i + 2] *= sx; out[i + 3] *= sy;
    }
  }
  return out;
}
