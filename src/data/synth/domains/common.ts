import type { Random } from "../../../util/random.js";
import { type Raster, type Rgb, type Shape, capsule, mix, rect } from "../raster.js";
import type { BoundsXyxy } from "../types.js";

/** Shadow colour. */
export const BLACK: Rgb = [0, 0, 0];

/** Returns a shape's bounds as annotation bounds. */
export function boundsOf(s: Shape): BoundsXyxy {
  return [s.x0, s.y0, s.x1, s.y1];
}

/** A colour jittered in brightness and per channel. */
export function jitter(rng: Random, c: Rgb, amount = 0.08): Rgb {
  const m = 1 + rng.uniform(-amount, amount);
  return [
    c[0] * m * (1 + rng.uniform(-amount, amount) / 2),
    c[1] * m * (1 + rng.uniform(-amount, amount) / 2),
    c[2] * m * (1 + rng.uniform(-amount, amount) / 2),
  ];
}

/** Records a shape's coverage in an occluder mask (max with what is there). */
export function coverMask(mask: Float32Array, width: number, height: number, s: Shape): void {
  const xs = Math.max(0, Math.floor(s.x0 - 1)), xe = Math.min(width - 1, Math.ceil(s.x1 + 1));
  const ys = Math.max(0, Math.floor(s.y0 - 1)), ye = Math.min(height - 1, Math.ceil(s.y1 + 1));
  for (let y = ys; y <= ye; y++) {
    for (let x = xs; x <= xe; x++) {
      const d = s.sdf(x + 0.5, y + 0.5);
      if (d >= 0.5) continue;
      const a = d <= -0.5 ? 1 : 0.5 - d;
      const p = y * width + x;
      if (a > mask[p]!) mask[p] = a;
    }
  }
}

/** A straight road crossing the image. */
export interface Road {
  ax: number;
  ay: number;
  bx: number;
  by: number;
  /** Full width, px. */
  width: number;
  angle: number;
}

/**
 * Paints a straight road through a random point at a random (or given) angle, with dashed centre line,
 * and labels its pixels `label`.
 */
export function paintRoad(
  r: Raster,
  rng: Random,
  labels: Uint8Array,
  label: number,
  widthPx: number,
  asphalt: Rgb,
  marking: Rgb,
  angle = rng.uniform(0, Math.PI),
): Road {
  const { width: W, height: H } = r;
  const cx = rng.uniform(0.15, 0.85) * W, cy = rng.uniform(0.15, 0.85) * H;
  const L = Math.hypot(W, H);
  const co = Math.cos(angle), si = Math.sin(angle);
  const road: Road = { ax: cx - co * L, ay: cy - si * L, bx: cx + co * L, by: cy + si * L, width: widthPx, angle };
  r.draw(capsule(road.ax, road.ay, road.bx, road.by, widthPx / 2 + 1.5), mix(asphalt, [200, 200, 190], 0.35));
  r.draw(capsule(road.ax, road.ay, road.bx, road.by, widthPx / 2), asphalt, 1, undefined, labels, label);
  const dash = Math.max(3, widthPx * 0.6);
  for (let t = -L; t < L; t += dash * 2.2) {
    const x0 = cx + co * t, y0 = cy + si * t;
    if (x0 < -dash || y0 < -dash || x0 > W + dash || y0 > H + dash) continue;
    r.draw(capsule(x0, y0, x0 + co * dash, y0 + si * dash, Math.max(0.35, widthPx * 0.03)), marking, 0.8);
  }
  return road;
}

/** A point on a road, in one of its lanes, heading along it (either direction). */
export function anchorOnRoad(rng: Random, road: Road, W: number, H: number): { x: number; y: number; angle: number } | null {
  for (let t = 0; t < 20; t++) {
    const u = rng.next();
    const x = road.ax + (road.bx - road.ax) * u, y = road.ay + (road.by - road.ay) * u;
    if (x < 0 || y < 0 || x >= W || y >= H) continue;
    const side = rng.bool() ? 1 : -1;
    const off = side * road.width * rng.uniform(0.12, 0.38);
    const nx = -Math.sin(road.angle), ny = Math.cos(road.angle);
    return { x: x + nx * off, y: y + ny * off, angle: road.angle + (side > 0 ? 0 : Math.PI) };
  }
  return null;
}

/** Paints rectangular patches (fields, lots, roofs) with shadows; returns their rects. */
export function paintPatches(
  r: Raster,
  rng: Random,
  n: number,
  sizeRange: [number, number],
  colors: readonly Rgb[],
  labels?: Uint8Array,
  label = 0,
  shadow = 0,
): { cx: number; cy: number; w: number; h: number; angle: number }[] {
  const out = [];
  const baseAngle = rng.uniform(0, Math.PI);
  for (let i = 0; i < n; i++) {
    const w = rng.uniform(sizeRange[0], sizeRange[1]), h = rng.uniform(sizeRange[0], sizeRange[1]);
    const cx = rng.uniform(0, r.width), cy = rng.uniform(0, r.height);
    const angle = baseAngle + (rng.bool(0.7) ? 0 : rng.uniform(-0.5, 0.5));
    if (shadow > 0) r.draw(rect(cx + shadow, cy + shadow, w, h, angle), BLACK, 0.35);
    r.draw(rect(cx, cy, w, h, angle, 1), jitter(rng, rng.pick(colors)), 1, undefined, labels, label);
    out.push({ cx, cy, w, h, angle });
  }
  return out;
}
