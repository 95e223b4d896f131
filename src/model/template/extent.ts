import { boxMean, boxSums, type MatchPlanes } from "./planes.js";

/** Object sizes (px) that the centre-surround search at a click tries. */
export const EXTENT_SIZES_PX: readonly number[] = Object.freeze([2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 19, 22, 26, 30, 35, 40, 48]);

/** The estimated extent of a clicked object. */
export interface ObjectExtent {
  /** Box in image pixels (xyxy, pixel edges, inside the image). */
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** The centre-surround size with the strongest response, px. */
  sizePx: number;
  /** That response: distance (0-255 RGB units) between the object's mean colour and its surround's. */
  contrast: number;
  /** "region" when the box comes from the grown region, "square" when it fell back to sizePx x sizePx. */
  source: "region" | "square";
}

type Rgb = [number, number, number];

/** Scale selection: contrast / sqrt(ring variance + NOISE_FLOOR^2), so a textured surround counts against a size. */
const NOISE_FLOOR = 14;
/** Region growing: pixels must be NOISE_K ring-noise sigmas above the background and FLOOR_LEVEL of the way to the core. */
const NOISE_K = 2;
const FLOOR_LEVEL = 0.05;
/** The region grows inside a window of WINDOW x sizePx around the click. */
const WINDOW = 3;

function dist(a: Rgb, b: Rgb): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

/** Channel sums, sum of squares and pixel count of the image-pixel box [x0, x1) x [y0, y1), clipped to the image. */
function clipped(p: MatchPlanes, x0: number, y0: number, x1: number, y1: number): [number, number, number, number, number] {
  const a = Math.max(0, x0), b = Math.max(0, y0), c = Math.min(p.width, x1), d = Math.min(p.height, y1);
  if (c <= a || d <= b) return [0, 0, 0, 0, 0];
  return [...boxSums(p, a + p.pad, b + p.pad, c - a, d - b), (c - a) * (d - b)];
}

/**
 * Centre box of side s at (x, y) and the ring around it out to side 2s: their mean colours and the ring's
 * colour noise (standard deviation per channel, from the variance summed over channels); ring null if empty.
 */
function centreSurround(p: MatchPlanes, x: number, y: number, s: number): { inner: Rgb; ring: Rgb | null; noise: number } {
  const ix = Math.round(x - s / 2), iy = Math.round(y - s / 2);
  const ox = Math.round(x - s), oy = Math.round(y - s);
  const i = clipped(p, ix, iy, ix + s, iy + s);
  const o = clipped(p, ox, oy, ox + 2 * s, oy + 2 * s);
  const inner: Rgb = [i[0] / i[4], i[1] / i[4], i[2] / i[4]];
  const n = o[4] - i[4];
  if (n <= 0) return { inner, ring: null, noise: 0 };
  const ring: Rgb = [(o[0] - i[0]) / n, (o[1] - i[1]) / n, (o[2] - i[2]) / n];
  const variance = (o[3] - i[3]) / n - (ring[0] ** 2 + ring[1] ** 2 + ring[2] ** 2);
  return { inner, ring, noise: Math.sqrt(Math.max(0, variance) / 3) };
}

/**
 * Estimates the extent of the object under a click, without training:
 * 1. scale: for each size s of {@link EXTENT_SIZES_PX}, the colour distance between the mean of the s x s box
 *    centred on the click and the mean of the ring around it out to 2s x 2s (a box-filter centre-surround, a
 *    difference of box means), divided by the ring's colour noise (with a floor of 14 RGB units): a
 *    signal-to-noise ratio. For a uniform object of side D on a uniform background it peaks at s = D; the ring's
 *    noise keeps it from locking onto an object's inner structure (a car's windows) or the bright core of a
 *    blurred source. The best size is `sizePx`, its contrast `contrast`.
 * 2. shape: the object colour is the mean of the central sizePx/2 box, the background the ring's mean; pixels
 *    are projected on the background-to-object colour axis (0 = background, 1 = object) and a region is grown
 *    (4-connected) from the click over pixels at least min(`level`, max(0.05, 2 ring-noise sigmas)) of the way,
 *    inside a window of 3 sizePx around the click. The box is the region's bounding box.
 * When the contrast is under `minContrast` (default 6 RGB units) or no region grows, the box is the sizePx
 * square centred on the click (`source: "square"`).
 *
 * @example
 * const e = estimateObjectExtent(matchPlanes(image, 0), 40.5, 22.5);
 * [e.x2 - e.x1, e.y2 - e.y1]; // the clicked object's width and height, px
 */
export function estimateObjectExtent(p: MatchPlanes, x: number, y: number, options: { level?: number; minContrast?: number } = {}): ObjectExtent {
  const level = options.level ?? 0.4;
  const minContrast = options.minContrast ?? 6;
  const levels: { s: number; c: number; score: number; ring: Rgb; noise: number }[] = [];
  for (const s of EXTENT_SIZES_PX) {
    const { inner, ring, noise } = centreSurround(p, x, y, s);
    if (!ring) break;
    const c = dist(inner, ring);
    levels.push({ s, c, score: c / Math.sqrt(noise * noise + NOISE_FLOOR * NOISE_FLOOR), ring, noise });
  }
  let chosen: (typeof levels)[number] | null = null;
  for (const l of levels) if (!chosen || l.score > chosen.score) chosen = l;
  const best = chosen?.s ?? EXTENT_SIZES_PX[0]!;
  const bestC = chosen?.c ?? 0;
  const bestRing = chosen?.ring ?? null;
  const bestNoise = chosen?.noise ?? 0;
  const square = (): ObjectExtent => {
    const x1 = Math.max(0, Math.round(x - best / 2)), y1 = Math.max(0, Math.round(y - best / 2));
    return { x1, y1, x2: Math.min(p.width, x1 + best), y2: Math.min(p.height, y1 + best), sizePx: best, contrast: Math.max(0, bestC), source: "square" };
  };
  if (!bestRing || bestC < minContrast) return square();
  const half = Math.max(1, Math.round(best / 4));
  const core = boxMean(p, Math.floor(x) - half + 1, Math.floor(y) - half + 1, Math.floor(x) + half, Math.floor(y) + half)!;
  const axis = [core[0] - bestRing[0], core[1] - bestRing[1], core[2] - bestRing[2]];
  const norm2 = axis[0]! ** 2 + axis[1]! ** 2 + axis[2]! ** 2;
  if (Math.sqrt(norm2) < minContrast) return square();
  const thr = Math.min(level, Math.max(FLOOR_LEVEL, (NOISE_K * bestNoise) / Math.sqrt(norm2)));
  // Window of WINDOW sizePx (at least 7 px) around the click, clipped to the image.
  const r = Math.max(3, Math.round((WINDOW / 2) * best));
  const cx = Math.min(p.width - 1, Math.floor(x)), cy = Math.min(p.height - 1, Math.floor(y));
  const wx0 = Math.max(0, cx - r), wy0 = Math.max(0, cy - r), wx1 = Math.min(p.width, cx + r + 1), wy1 = Math.min(p.height, cy + r + 1);
  const ww = wx1 - wx0, wh = wy1 - wy0;
  const t = new Float32Array(ww * wh);
  for (let yy = 0; yy < wh; yy++) {
    for (let xx = 0; xx < ww; xx++) {
      const o = ((yy + wy0 + p.pad) * p.pw + xx + wx0 + p.pad) * 3;
      t[yy * ww + xx] = ((p.data[o]! - bestRing[0]) * axis[0]! + (p.data[o + 1]! - bestRing[1]) * axis[1]! + (p.data[o + 2]! - bestRing[2]) * axis[2]!) / norm2;
    }
  }
  // Seed: the click's pixel, else the most object-like pixel within sizePx/4 of it.
  let seed = (cy - wy0) * ww + (cx - wx0);
  if (t[seed]! < thr) {
    const rs = Math.max(1, Math.round(best / 4));
    for (let yy = Math.max(0, cy - wy0 - rs); yy <= Math.min(wh - 1, cy - wy0 + rs); yy++) {
      for (let xx = Math.max(0, cx - wx0 - rs); xx <= Math.min(ww - 1, cx - wx0 + rs); xx++) if (t[yy * ww + xx]! > t[seed]!) seed = yy * ww + xx;
    }
    if (t[seed]! < thr) return square();
  }
  const inRegion = new Uint8Array(ww * wh);
  const stack = [seed];
  inRegion[seed] = 1;
  let minX = ww, minY = wh, maxX = -1, maxY = -1, count = 0;
  while (stack.length) {
    const i = stack.pop()!;
    const xx = i % ww, yy = (i - xx) / ww;
    count++;
    if (xx < minX) minX = xx;
    if (xx > maxX) maxX = xx;
    if (yy < minY) minY = yy;
    if (yy > maxY) maxY = yy;
    const push = (j: number) => {
      if (!inRegion[j] && t[j]! >= thr) {
        inRegion[j] = 1;
        stack.push(j);
      }
    };
    if (xx > 0) push(i - 1);
    if (xx < ww - 1) push(i + 1);
    if (yy > 0) push(i - ww);
    if (yy < wh - 1) push(i + ww);
  }
  if (count < 2 && best > 3) return square();
  return { x1: wx0 + minX, y1: wy0 + minY, x2: wx0 + maxX + 1, y2: wy0 + maxY + 1, sizePx: best, contrast: bestC, source: "region" };
}
