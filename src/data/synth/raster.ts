import type { RgbImage } from "../../structures/image.js";

/** An RGB colour, 0-255 per channel (may leave that range while drawing; clamped on output). */
export type Rgb = readonly [number, number, number];

/**
 * A shape for anti-aliased drawing: its axis-aligned bounds (continuous pixel coordinates, pixel centres at
 * +0.5) and a signed distance in pixels (negative inside). Coverage of a pixel is `clamp(0.5 - sdf, 0, 1)`,
 * which gives one pixel of anti-aliasing and lets sub-pixel shapes fade rather than vanish.
 */
export interface Shape {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  sdf(x: number, y: number): number;
  /** Optional: a conservative x-range the shape can cover on the pixel row at y (long thin shapes use it). */
  rowSpan?(y: number): [number, number] | null;
}

/**
 * A floating-point RGB canvas that the generator paints into; {@link Raster.toRgbImage} quantises it.
 * Float storage keeps layered blending (shadows, haze, noise) free of repeated rounding.
 */
export class Raster {
  readonly data: Float32Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Float32Array(width * height * 3);
  }

  /** Fills every pixel with one colour. */
  fill(c: Rgb): void {
    const d = this.data;
    for (let i = 0; i < d.length; i += 3) {
      d[i] = c[0];
      d[i + 1] = c[1];
      d[i + 2] = c[2];
    }
  }

  /** Sets each pixel to `lerp(a, b, field[i])`; field is width*height values in about [0, 1]. */
  fillField(field: Float32Array, a: Rgb, b: Rgb): void {
    const d = this.data;
    for (let p = 0, i = 0; p < field.length; p++, i += 3) {
      const t = field[p]!;
      d[i] = a[0] + (b[0] - a[0]) * t;
      d[i + 1] = a[1] + (b[1] - a[1]) * t;
      d[i + 2] = a[2] + (b[2] - a[2]) * t;
    }
  }

  /** Multiplies brightness by `1 + amount * (field - 0.5)`, where `mask` (if given) is non-zero. */
  modulate(field: Float32Array, amount: number, mask?: Uint8Array, maskValue?: number): void {
    const d = this.data;
    for (let p = 0, i = 0; p < field.length; p++, i += 3) {
      if (mask && mask[p] !== maskValue) continue;
      const m = 1 + amount * (field[p]! - 0.5);
      d[i] = d[i]! * m;
      d[i + 1] = d[i + 1]! * m;
      d[i + 2] = d[i + 2]! * m;
    }
  }

  /** The colour at integer pixel (x, y), clamped to the canvas. */
  get(x: number, y: number): Rgb {
    const xi = Math.min(this.width - 1, Math.max(0, Math.floor(x)));
    const yi = Math.min(this.height - 1, Math.max(0, Math.floor(y)));
    const i = (yi * this.width + xi) * 3;
    return [this.data[i]!, this.data[i + 1]!, this.data[i + 2]!];
  }

  /**
   * Draws a shape with anti-aliased edges. `shade(x, y)` (optional) multiplies the colour per pixel, for
   * domes, highlights and gradients. `label`/`labelMap` (optional) record where the shape covers > 50%.
   */
  draw(s: Shape, c: Rgb, opacity = 1, shade?: (x: number, y: number) => number, labelMap?: Uint8Array, label = 0): void {
    const w = this.width;
    const xs = Math.max(0, Math.floor(s.x0 - 1));
    const xe = Math.min(w - 1, Math.ceil(s.x1 + 1));
    const ys = Math.max(0, Math.floor(s.y0 - 1));
    const ye = Math.min(this.height - 1, Math.ceil(s.y1 + 1));
    const d = this.data;
    for (let y = ys; y <= ye; y++) {
      const cy = y + 0.5;
      let x0 = xs, x1 = xe;
      if (s.rowSpan) {
        const span = s.rowSpan(cy);
        if (!span) continue;
        x0 = Math.max(xs, Math.floor(span[0] - 1));
        x1 = Math.min(xe, Math.ceil(span[1] + 1));
      }
      for (let x = x0; x <= x1; x++) {
        const cx = x + 0.5;
        const dist = s.sdf(cx, cy);
        if (dist >= 0.5) continue;
        const a = (dist <= -0.5 ? 1 : 0.5 - dist) * opacity;
        const m = shade ? shade(cx, cy) : 1;
        const p = y * w + x;
        const i = p * 3;
        d[i] = d[i]! + (c[0] * m - d[i]!) * a;
        d[i + 1] = d[i + 1]! + (c[1] * m - d[i + 1]!) * a;
        d[i + 2] = d[i + 2]! + (c[2] * m - d[i + 2]!) * a;
        if (labelMap && a > 0.5) labelMap[p] = label;
      }
    }
  }

  /** Separable Gaussian blur with standard deviation `sigma` pixels (no-op below 0.2). */
  blur(sigma: number): void {
    if (sigma < 0.2) return;
    const r = Math.max(1, Math.ceil(sigma * 2.5));
    const k = new Float32Array(2 * r + 1);
    let sum = 0;
    for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp((-i * i) / (2 * sigma * sigma));
    for (let i = 0; i < k.length; i++) k[i] = k[i]! / sum;
    const { width: w, height: h } = this;
    const src = this.data;
    const tmp = new Float32Array(src.length);
    for (let y = 0; y < h; y++) {
      const row = y * w;
      for (let x = 0; x < w; x++) {
        let a = 0, b = 0, c = 0;
        for (let j = -r; j <= r; j++) {
          const xx = x + j < 0 ? 0 : x + j >= w ? w - 1 : x + j;
          const kk = k[j + r]!;
          const i = (row + xx) * 3;
          a += src[i]! * kk;
          b += src[i + 1]! * kk;
          c += src[i + 2]! * kk;
        }
        const o = (row + x) * 3;
        tmp[o] = a;
        tmp[o + 1] = b;
        tmp[o + 2] = c;
      }
    }
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let a = 0, b = 0, c = 0;
        for (let j = -r; j <= r; j++) {
          const yy = y + j < 0 ? 0 : y + j >= h ? h - 1 : y + j;
          const kk = k[j + r]!;
          const i = (yy * w + x) * 3;
          a += tmp[i]! * kk;
          b += tmp[i + 1]! * kk;
          c += tmp[i + 2]! * kk;
        }
        const o = (y * w + x) * 3;
        src[o] = a;
        src[o + 1] = b;
        src[o + 2] = c;
      }
    }
  }

  /** Rounds and clamps into an 8-bit {@link RgbImage}. */
  toRgbImage(): RgbImage {
    const out = new Uint8Array(this.data.length);
    for (let i = 0; i < out.length; i++) {
      const v = Math.round(this.data[i]!);
      out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
    return { width: this.width, height: this.height, data: out };
  }
}

/** Linear interpolation between two colours. */
export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** A colour scaled in brightness. */
export function scale(c: Rgb, m: number): Rgb {
  return [c[0] * m, c[1] * m, c[2] * m];
}

// ---- shapes ---------------------------------------------------------------------------------------------

/** A filled ellipse, centre (cx, cy), radii rx, ry, rotated by `angle` radians. */
export function ellipse(cx: number, cy: number, rx: number, ry: number, angle = 0): Shape {
  const co = Math.cos(angle), si = Math.sin(angle);
  const ex = Math.sqrt((rx * co) ** 2 + (ry * si) ** 2);
  const ey = Math.sqrt((rx * si) ** 2 + (ry * co) ** 2);
  const irx = 1 / Math.max(rx, 1e-3), iry = 1 / Math.max(ry, 1e-3);
  return {
    x0: cx - ex, y0: cy - ey, x1: cx + ex, y1: cy + ey,
    sdf(x, y) {
      const dx = x - cx, dy = y - cy;
      const u = (dx * co + dy * si) * irx, v = (-dx * si + dy * co) * iry;
      const k0 = Math.sqrt(u * u + v * v);
      const k1 = Math.sqrt(u * u * irx * irx + v * v * iry * iry);
      return k1 < 1e-9 ? -Math.min(rx, ry) : (k0 * (k0 - 1)) / k1;
    },
  };
}

/** A filled disc. */
export function disc(cx: number, cy: number, r: number): Shape {
  return {
    x0: cx - r, y0: cy - r, x1: cx + r, y1: cy + r,
    sdf: (x, y) => Math.hypot(x - cx, y - cy) - r,
  };
}

/** A ring (annulus) of centre radius r and thickness t. */
export function ring(cx: number, cy: number, r: number, t: number): Shape {
  const o = r + t / 2;
  return {
    x0: cx - o, y0: cy - o, x1: cx + o, y1: cy + o,
    sdf: (x, y) => Math.abs(Math.hypot(x - cx, y - cy) - r) - t / 2,
  };
}

/** A rectangle of size w x h centred at (cx, cy), rotated by `angle`, with corner radius `radius`. */
export function rect(cx: number, cy: number, w: number, h: number, angle = 0, radius = 0): Shape {
  const co = Math.cos(angle), si = Math.sin(angle);
  const hw = w / 2, hh = h / 2;
  const rad = Math.min(radius, hw, hh);
  const ex = Math.abs(hw * co) + Math.abs(hh * si);
  const ey = Math.abs(hw * si) + Math.abs(hh * co);
  return {
    x0: cx - ex, y0: cy - ey, x1: cx + ex, y1: cy + ey,
    sdf(x, y) {
      const dx = x - cx, dy = y - cy;
      const qx = Math.abs(dx * co + dy * si) - hw + rad;
      const qy = Math.abs(-dx * si + dy * co) - hh + rad;
      const ox = Math.max(qx, 0), oy = Math.max(qy, 0);
      return Math.sqrt(ox * ox + oy * oy) + Math.min(Math.max(qx, qy), 0) - rad;
    },
  };
}

/** A line segment from (x0, y0) to (x1, y1) with round caps and half-width r. */
export function capsule(ax: number, ay: number, bx: number, by: number, r: number): Shape {
  const vx = bx - ax, vy = by - ay;
  const ll = vx * vx + vy * vy || 1e-9;
  const len = Math.sqrt(ll), nx = -vy / len, ny = vx / len;
  const x0 = Math.min(ax, bx) - r, x1 = Math.max(ax, bx) + r;
  const reach = r + 1;
  return {
    x0, y0: Math.min(ay, by) - r, x1, y1: Math.max(ay, by) + r,
    // The band |(p - a) . n| <= r + 1 around the infinite line, cut to the bounds: long roads then cost
    // their own area, not their bounding box's.
    rowSpan: Math.abs(nx) < 1e-6 ? undefined : (y) => {
      const c = -(y - ay) * ny;
      const u = ax + (c - reach) / nx, v = ax + (c + reach) / nx;
      const lo = Math.max(x0, Math.min(u, v)), hi = Math.min(x1, Math.max(u, v));
      return lo <= hi ? [lo, hi] : null;
    },
    sdf(x, y) {
      const px = x - ax, py = y - ay;
      const t = Math.max(0, Math.min(1, (px * vx + py * vy) / ll));
      return Math.hypot(px - vx * t, py - vy * t) - r;
    },
  };
}

/** A filled polygon (any simple polygon; points as [x, y] pairs). Exact signed distance. */
export function polygon(points: readonly (readonly [number, number])[]): Shape {
  const n = points.length;
  const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
  return {
    x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys),
    sdf(x, y) {
      let d = Infinity;
      let inside = false;
      for (let i = 0, j = n - 1; i < n; j = i, i++) {
        const xi = xs[i]!, yi = ys[i]!, xj = xs[j]!, yj = ys[j]!;
        const ex = xj - xi, ey = yj - yi;
        const wx = x - xi, wy = y - yi;
        const t = Math.max(0, Math.min(1, (wx * ex + wy * ey) / (ex * ex + ey * ey || 1e-9)));
        const bx = wx - ex * t, by = wy - ey * t;
        d = Math.min(d, bx * bx + by * by);
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
      return inside ? -Math.sqrt(d) : Math.sqrt(d);
    },
  };
}

/** A regular star / rosette outline with `n` points between radii r0 (inner) and r1 (outer). */
export function star(cx: number, cy: number, r0: number, r1: number, n: number, angle = 0): Shape {
  const pts: [number, number][] = [];
  for (let i = 0; i < 2 * n; i++) {
    const r = i % 2 === 0 ? r1 : r0;
    const a = angle + (i * Math.PI) / n;
    pts.push([cx + r * Math.cos(a), cy + r * Math.sin(a)]);
  }
  return polygon(pts);
}

/** Bounds of a set of shapes as [x0, y0, x1, y1]. */
export function unionBounds(shapes: readonly Shape[]): [number, number, number, number] {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const s of shapes) {
    x0 = Math.min(x0, s.x0);
    y0 = Math.min(y0, s.y0);
    x1 = Math.max(x1, s.x1);
    y1 = Math.max(y1, s.y1);
  }
  return [x0, y0, x1, y1];
}
