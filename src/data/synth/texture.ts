import type { Random } from "../../util/random.js";

/**
 * Smooth value noise on a width x height grid: random values on a lattice of `cellPx` pixels, blended with
 * a smoothstep. Values lie in [0, 1]. `stretchY` > 1 elongates features along x (waves, furrows).
 */
export function valueNoise(rng: Random, width: number, height: number, cellPx: number, stretchY = 1): Float32Array {
  const cx = Math.max(1, cellPx);
  const cy = Math.max(1, cellPx / stretchY);
  const gw = Math.ceil(width / cx) + 2;
  const gh = Math.ceil(height / cy) + 2;
  const lattice = new Float32Array(gw * gh);
  for (let i = 0; i < lattice.length; i++) lattice[i] = rng.next();
  const ox = rng.next(), oy = rng.next();
  const ix = new Int32Array(width), tx = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const f = x / cx + ox;
    ix[x] = Math.floor(f);
    const t = f - ix[x]!;
    tx[x] = t * t * (3 - 2 * t);
  }
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const f = y / cy + oy;
    const iy = Math.floor(f);
    let ty = f - iy;
    ty = ty * ty * (3 - 2 * ty);
    const r0 = iy * gw, r1 = r0 + gw;
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = ix[x]!, t = tx[x]!;
      const a = lattice[r0 + i]! + (lattice[r0 + i + 1]! - lattice[r0 + i]!) * t;
      const b = lattice[r1 + i]! + (lattice[r1 + i + 1]! - lattice[r1 + i]!) * t;
      out[row + x] = a + (b - a) * ty;
    }
  }
  return out;
}

/**
 * Fractal noise: `octaves` layers of {@link valueNoise}, each half the cell size and `gain` times the weight
 * of the one before, rescaled to [0, 1].
 */
export function fbm(
  rng: Random,
  width: number,
  height: number,
  cellPx: number,
  octaves = 4,
  gain = 0.5,
  stretchY = 1,
): Float32Array {
  const out = new Float32Array(width * height);
  let w = 1, total = 0, cell = cellPx;
  for (let o = 0; o < octaves && cell >= 1; o++) {
    const layer = valueNoise(rng, width, height, cell, stretchY);
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + layer[i]! * w;
    total += w;
    w *= gain;
    cell /= 2;
  }
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < out.length; i++) {
    const v = out[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo || total || 1;
  for (let i = 0; i < out.length; i++) out[i] = (out[i]! - lo) / span;
  return out;
}

/** Pixel-wise white noise in [0, 1] (grain, sensor speckle). */
export function whiteNoise(rng: Random, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = rng.next();
  return out;
}
