import { DealkitConfigError, checkOneOf } from "../util/errors.js";
import { BOX_UNITS, type BoxUnit } from "./boxes.js";

/**
 * 2-D points, columnar: `xy` holds x0, y0, x1, y1, ... in the named unit (continuous coordinates: the centre
 * of pixel (0, 0) is (0.5, 0.5)). Optional per-point category ids (-1 when unknown).
 *
 * @example
 * const p = Points.from([[12.5, 7.5]]);
 * p.get(0); // [12.5, 7.5]
 */
export class Points {
  readonly xy: Float64Array;
  readonly unit: BoxUnit;
  readonly categoryIds: Int32Array;

  constructor(xy: Float64Array, unit: BoxUnit = "px", categoryIds?: Int32Array) {
    checkOneOf("Points unit", unit, BOX_UNITS);
    if (xy.length % 2 !== 0) throw new DealkitConfigError(`Points: xy length must be even, got ${xy.length}`);
    if (categoryIds && categoryIds.length !== xy.length / 2) {
      throw new DealkitConfigError(`Points: categoryIds has ${categoryIds.length} entries for ${xy.length / 2} points`);
    }
    this.xy = xy;
    this.unit = unit;
    this.categoryIds = categoryIds ?? new Int32Array(xy.length / 2).fill(-1);
  }

  /** Points from [x, y] pairs (copied). */
  static from(rows: readonly (readonly number[])[], unit: BoxUnit = "px", categoryIds?: readonly number[]): Points {
    const xy = new Float64Array(rows.length * 2);
    rows.forEach((r, i) => {
      if (r.length !== 2) throw new DealkitConfigError(`Points.from: row ${i} has ${r.length} numbers, expected 2`);
      xy[i * 2] = r[0]!;
      xy[i * 2 + 1] = r[1]!;
    });
    return new Points(xy, unit, categoryIds ? Int32Array.from(categoryIds) : undefined);
  }

  /** The number of points. */
  get length(): number {
    return this.xy.length / 2;
  }

  /** Point i as [x, y]. */
  get(i: number): [number, number] {
    return [this.xy[i * 2]!, this.xy[i * 2 + 1]!];
  }

  /** Points shifted by (dx, dy). */
  translate(dx: number, dy: number): Points {
    const xy = this.xy.slice();
    for (let i = 0; i < xy.length; i += 2) {
      xy[i] += dx;
      xy[i + 1] += dy;
    }
    return new Points(xy, this.unit, this.categoryIds.slice());
  }
}
