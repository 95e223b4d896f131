import type { MatchPlanes } from "./planes.js";

/**
 * An exemplar: an RGB patch cut around a clicked object, and where the object's box lies inside it.
 * `pixels` is tw * th * 3 floats (0-255, RGB, row-major).
 */
export interface Exemplar {
  tw: number;
  th: number;
  pixels: Float32Array;
  /** The object box's offset (px) from the patch's top-left corner, and its size. */
  ox: number;
  oy: number;
  w: number;
  h: number;
}

/** A match: the object box (xyxy, image px, not clipped) and its normalised cross-correlation. */
export interface Match {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
}

/**
 * Per-pixel-channel variance floor (RGB units squared) in the correlation's denominator, so flat image regions
 * (a noise-free background) do not turn tiny fluctuations into high correlations.
 */
const VARIANCE_FLOOR = 4;

/**
 * Cuts the exemplar for an object box (xyxy, image px): the box grown by `margin` px on every side, pixels
 * outside the image replicated from its edge.
 *
 * @example
 * const ex = cutExemplar(planes, { x1: 10, y1: 12, x2: 16, y2: 17 }, 2); // a 10 x 9 patch, object at (2, 2)
 */
export function cutExemplar(p: MatchPlanes, box: { x1: number; y1: number; x2: number; y2: number }, margin: number): Exemplar {
  const tx = Math.floor(box.x1) - margin, ty = Math.floor(box.y1) - margin;
  const tw = Math.ceil(box.x2) + margin - tx, th = Math.ceil(box.y2) + margin - ty;
  const pixels = new Float32Array(tw * th * 3);
  for (let j = 0; j < th; j++) {
    const sy = Math.min(p.height - 1, Math.max(0, ty + j)) + p.pad;
    for (let i = 0; i < tw; i++) {
      const sx = Math.min(p.width - 1, Math.max(0, tx + i)) + p.pad;
      const s = (sy * p.pw + sx) * 3, d = (j * tw + i) * 3;
      pixels[d] = p.data[s]!;
      pixels[d + 1] = p.data[s + 1]!;
      pixels[d + 2] = p.data[s + 2]!;
    }
  }
  return { tw, th, pixels, ox: box.x1 - tx, oy: box.y1 - ty, w: box.x2 - box.x1, h: box.y2 - box.y1 };
}

/** The exemplar resampled (bilinear) by `scale`; the object box scales with it (exactly; the patch to whole pixels). */
export function scaleExemplar(ex: Exemplar, scale: number): Exemplar {
  if (scale === 1) return ex;
  const tw = Math.max(2, Math.round(ex.tw * scale)), th = Math.max(2, Math.round(ex.th * scale));
  const kx = tw / ex.tw, ky = th / ex.th;
  const pixels = new Float32Array(tw * th * 3);
  for (let j = 0; j < th; j++) {
    const fy = Math.min(ex.th - 1, Math.max(0, (j + 0.5) / ky - 0.5));
    const y0 = Math.floor(fy), y1 = Math.min(ex.th - 1, y0 + 1), wy = fy - y0;
    for (let i = 0; i < tw; i++) {
      const fx = Math.min(ex.tw - 1, Math.max(0, (i + 0.5) / kx - 0.5));
      const x0 = Math.floor(fx), x1 = Math.min(ex.tw - 1, x0 + 1), wx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const a = ex.pixels[(y0 * ex.tw + x0) * 3 + c]!, b = ex.pixels[(y0 * ex.tw + x1) * 3 + c]!;
        const d = ex.pixels[(y1 * ex.tw + x0) * 3 + c]!, e = ex.pixels[(y1 * ex.tw + x1) * 3 + c]!;
        pixels[(j * tw + i) * 3 + c] = (a * (1 - wx) + b * wx) * (1 - wy) + (d * (1 - wx) + e * wx) * wy;
      }
    }
  }
  // The object box scales by exactly `scale`; the patch's pixel grid is rounded (at most half a pixel apart).
  return { tw, th, pixels, ox: ex.ox * scale, oy: ex.oy * scale, w: ex.w * scale, h: ex.h * scale };
}

/** A zero-mean (per channel) template and its norm; null for a flat patch. */
function zeroMean(ex: Exemplar): { t: Float32Array; norm: number } | null {
  const n = ex.tw * ex.th;
  const mean = [0, 0, 0];
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) mean[c]! += ex.pixels[i * 3 + c]! / n;
  const t = new Float32Array(n * 3);
  let ss = 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const v = ex.pixels[i * 3 + c]! - mean[c]!;
      t[i * 3 + c] = v;
      ss += v * v;
    }
  }
  return ss < n * 3 * VARIANCE_FLOOR ? null : { t, norm: Math.sqrt(ss) };
}

/** The exemplar shrunk by an integer factor (f x f box averages; a remainder row / column is dropped). */
function shrinkExemplar(ex: Exemplar, f: number): Exemplar {
  if (f === 1) return ex;
  const tw = Math.max(1, Math.floor(ex.tw / f)), th = Math.max(1, Math.floor(ex.th / f));
  const pixels = new Float32Array(tw * th * 3);
  for (let j = 0; j < th * f && j < ex.th; j++) {
    for (let i = 0; i < tw * f && i < ex.tw; i++) {
      const d = (Math.floor(j / f) * tw + Math.floor(i / f)) * 3, s = (j * ex.tw + i) * 3;
      for (let c = 0; c < 3; c++) pixels[d + c]! += ex.pixels[s + c]! / (f * f);
    }
  }
  return { tw, th, pixels, ox: ex.ox / f, oy: ex.oy / f, w: ex.w / f, h: ex.h / f };
}

/** The correlation of a zero-mean template at padded placements of one image level, and the valid placements. */
interface Correlator {
  at: (u: number, v: number) => number;
  u0: number;
  u1: number;
  v0: number;
  v1: number;
}

function correlator(p: MatchPlanes, ex: Exemplar): Correlator | null {
  const zm = zeroMean(ex);
  if (!zm) return null;
  const { t, norm } = zm;
  const { tw, th } = ex;
  const n = tw * th;
  const rowLen = tw * 3;
  const data = p.data;
  const pw = p.pw;
  const floor = n * 3 * VARIANCE_FLOOR;
  // Placements (padded px of the patch's top-left) whose object centre is on the image and patch inside the padding.
  const u0 = Math.max(0, Math.ceil(p.pad - ex.ox - ex.w / 2)), u1 = Math.min(pw - tw, Math.floor(p.pad + p.width - ex.ox - ex.w / 2));
  const v0 = Math.max(0, Math.ceil(p.pad - ex.oy - ex.h / 2)), v1 = Math.min(p.ph - th, Math.floor(p.pad + p.height - ex.oy - ex.h / 2));
  if (u1 < u0 || v1 < v0) return null;
  const [sr, sg, sb] = p.sums;
  const sq = p.squares;
  const stride = pw + 1;
  const rect = (table: Float64Array, o: number) => table[o + th * stride + tw]! - table[o + tw]! - table[o + th * stride]! + table[o]!;
  const at = (u: number, v: number): number => {
    let s = 0;
    for (let j = 0; j < th; j++) {
      const a = ((v + j) * pw + u) * 3;
      const b = j * rowLen;
      for (let k = 0; k < rowLen; k++) s += data[a + k]! * t[b + k]!;
    }
    const o = v * stride + u;
    const r = rect(sr, o), g = rect(sg, o), bl = rect(sb, o);
    return s / (Math.sqrt(Math.max(0, rect(sq, o) - (r * r + g * g + bl * bl) / n) + floor) * norm);
  };
  return { at, u0, u1, v0, v1 };
}

/**
 * The pyramid factor for an object: the largest power of two that keeps its shorter side >= 4 px.
 *
 * @example
 * pyramidFactor({ w: 13, h: 9 }); // 2
 */
export function pyramidFactor(ex: { w: number; h: number }): number {
  let f = 1;
  while (Math.min(ex.w, ex.h) / (2 * f) >= 4) f *= 2;
  return f;
}

/**
 * Zero-mean normalised cross-correlation of an exemplar with the image, over every placement whose object
 * centre lies on the image, for one exemplar at one scale:
 * - the correlation is a direct sum over the patch; the image's local means and variances come from the
 *   integral images (per channel means; the variance summed over channels, with a small floor);
 * - coarse search: on the image shrunk by {@link pyramidFactor} (`level(f)`: box averages, so the object's
 *   shorter side is 4-7 px there) the correlation is evaluated at every placement, and local maxima within half
 *   the object's size are kept (at most `maxPeaks`, the highest first, at least 0.8 minScore);
 * - each is refined at full resolution by hill climbing with halving steps down to 1 px, then a parabola fit per
 *   axis gives the sub-pixel position; its full-resolution correlation is the score.
 * Returns the object boxes at the peaks with their correlation (in [-1, 1]) as the score.
 *
 * @example
 * const matches = matchExemplar((f) => levels[f], exemplar, { minScore: 0.3, maxPeaks: 200 });
 */
export function matchExemplar(level: (f: number) => MatchPlanes, ex: Exemplar, options: { minScore: number; maxPeaks: number }): Match[] {
  const p = level(1);
  const full = correlator(p, ex);
  if (!full) return [];
  const f = pyramidFactor(ex);
  const pc = level(f);
  const coarse = f === 1 ? full : correlator(pc, shrinkExemplar(ex, f));
  if (!coarse) return [];
  const gw = coarse.u1 - coarse.u0 + 1, gh = coarse.v1 - coarse.v0 + 1;
  const grid = new Float32Array(gw * gh);
  for (let gy = 0; gy < gh; gy++) for (let gx = 0; gx < gw; gx++) grid[gy * gw + gx] = coarse.at(coarse.u0 + gx, coarse.v0 + gy);
  const radius = Math.max(1, Math.round(Math.min(ex.w, ex.h) / (2 * f)));
  const peaks = gridPeaks(grid, gw, gh, radius, 0.8 * options.minScore);
  const out: Match[] = [];
  const clamp = (a: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, a));
  for (const i of peaks.slice(0, options.maxPeaks)) {
    const uc = coarse.u0 + (i % gw), vc = coarse.v0 + Math.floor(i / gw);
    const u = clamp((uc - pc.pad) * f + p.pad, full.u0, full.u1), v = clamp((vc - pc.pad) * f + p.pad, full.v0, full.v1);
    const r = refine(full, u, v, f === 1 ? grid[i]! : full.at(u, v), Math.max(1, f / 2));
    if (r.score < options.minScore) continue;
    const x1 = r.u - p.pad + ex.ox, y1 = r.v - p.pad + ex.oy;
    out.push({ x1, y1, x2: x1 + ex.w, y2: y1 + ex.h, score: Math.min(1, r.score) });
  }
  return out;
}

/** Indices of grid cells that are maxima of their (2r+1)^2 window (ties: the first in row order), >= min, by value. */
function gridPeaks(g: Float32Array, gw: number, gh: number, r: number, min: number): number[] {
  const peaks: number[] = [];
  for (let y = 0; y < gh; y++) {
    for (let x = 0; x < gw; x++) {
      const i = y * gw + x;
      const v = g[i]!;
      if (!(v >= min)) continue;
      let isMax = true;
      for (let yy = Math.max(0, y - r); yy <= Math.min(gh - 1, y + r) && isMax; yy++) {
        for (let xx = Math.max(0, x - r); xx <= Math.min(gw - 1, x + r); xx++) {
          const j = yy * gw + xx;
          const w = g[j]!;
          if (w > v || (w === v && j < i)) {
            isMax = false;
            break;
          }
        }
      }
      if (isMax) peaks.push(i);
    }
  }
  return peaks.sort((a, b) => g[b]! - g[a]! || a - b);
}

/** Hill climbing from a grid peak with steps step, step/2, ..., 1, then a parabola fit per axis. */
function refine(c: Correlator, u: number, v: number, value: number, step: number): { u: number; v: number; score: number } {
  const seen = new Map<number, number>();
  const at = (a: number, b: number): number => {
    if (a < c.u0 || a > c.u1 || b < c.v0 || b > c.v1) return -Infinity;
    const key = b * 65536 + a;
    let s = seen.get(key);
    if (s === undefined) {
      s = c.at(a, b);
      seen.set(key, s);
    }
    return s;
  };
  seen.set(v * 65536 + u, value);
  let best = value;
  for (let s = step; s >= 1; s = Math.floor(s / 2)) {
    for (let moves = 0; moves < 4 * step; moves++) {
      let bu = u, bv = v, bs = best;
      for (let dy = -s; dy <= s; dy += s) for (let dx = -s; dx <= s; dx += s) {
        if (dx === 0 && dy === 0) continue;
        const val = at(u + dx, v + dy);
        if (val > bs) {
          bs = val;
          bu = u + dx;
          bv = v + dy;
        }
      }
      if (bs <= best) break;
      best = bs;
      u = bu;
      v = bv;
    }
  }
  const para = (m: number, c: number, pl: number): number => {
    const d = m - 2 * c + pl;
    return Number.isFinite(m) && Number.isFinite(pl) && d < 0 ? Math.max(-0.5, Math.min(0.5, (m - pl) / (2 * d))) : 0;
  };
  return { u: u + para(at(u - 1, v), best, at(u + 1, v)), v: v + para(at(u, v - 1), best, at(u, v + 1)), score: best };
}
