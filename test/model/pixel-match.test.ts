import { beforeAll, describe, expect, it } from "vitest";
import { tf } from "../../src/backend/tf.js";
import { NCC_FLOOR, PIXEL_LEVELS, pixelMatch, pixelPyramid, pixelTemplates } from "../../src/model/pixel-match.js";
import { useFastBackend } from "../train/backend.js";

// The reference is written from the definition, pixel by pixel: a level is the image averaged over pool x pool
// blocks; the patch of a level pixel (i, j) is its window x window neighbourhood (zero outside the image), rows then
// columns then channels; NCC = sum (p - mean p) t / sqrt(sum (p - mean p)^2 + floor n), with t the zero-mean, unit
// template. Level 0 (pool 1, even window 4) reads the stride-2 cell (i, j) as the 4 x 4 block of rows 2i-1..2i+2.
const H = 32, W = 40;
let s = 7;
const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
const data = Float32Array.from({ length: H * W * 3 }, () => rnd() * 2 - 1);
const data2 = Float32Array.from({ length: H * W * 3 }, () => rnd() * 2 - 1);
// A flat region (every channel the same value): its patches have no variance.
for (let y = 20; y < 32; y++) for (let x = 28; x < 40; x++) for (let c = 0; c < 3; c++) data[(y * W + x) * 3 + c] = 0.3;

function level(pool: number, img: Float32Array = data): { h: number; w: number; at: (y: number, x: number, c: number) => number } {
  const h = H / pool, w = W / pool;
  const v = new Float64Array(h * w * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) {
    let sum = 0;
    for (let dy = 0; dy < pool; dy++) for (let dx = 0; dx < pool; dx++) sum += img[((y * pool + dy) * W + x * pool + dx) * 3 + c]!;
    v[(y * w + x) * 3 + c] = sum / (pool * pool);
  }
  return { h, w, at: (y, x, c) => (y < 0 || x < 0 || y >= h || x >= w ? 0 : v[(y * w + x) * 3 + c]!) };
}

/** The patch whose first row / column is (y0, x0) on a level. */
function patch(l: ReturnType<typeof level>, y0: number, x0: number, win: number): number[] {
  const out: number[] = [];
  for (let y = y0; y < y0 + win; y++) for (let x = x0; x < x0 + win; x++) for (let c = 0; c < 3; c++) out.push(l.at(y, x, c));
  return out;
}

function centred(p: number[]): number[] {
  const m = p.reduce((a, b) => a + b, 0) / p.length;
  return p.map((v) => v - m);
}

function unitTemplate(p: number[]): number[] {
  const c = centred(p);
  const n = Math.sqrt(c.reduce((a, b) => a + b * b, 0));
  return c.map((v) => v / n);
}

function ncc(p: number[], t: number[]): number {
  const c = centred(p);
  return c.reduce((a, v, k) => a + v * t[k]!, 0) / Math.sqrt(c.reduce((a, b) => a + b * b, 0) + NCC_FLOOR * p.length);
}

describe("pixel matching (NCC of the clicked pixels)", () => {
  beforeAll(async () => {
    await useFastBackend();
  });

  it("equals the NCC computed pixel by pixel at every stride-2 cell of all three levels; flat patches score 0", () => {
    const before = tf.memory().numTensors;
    const levels = PIXEL_LEVELS.map((l) => level(l.pool));
    // Two prompts per level: templates cut by hand at two places of the image.
    const templates = PIXEL_LEVELS.map((l, i) => [patch(levels[i]!, 1, 2, l.window), patch(levels[i]!, 3, 5, l.window)].map(unitTemplate));
    const got = tf.tidy(() => {
      const pyr = pixelPyramid(tf.tensor4d(data, [1, H, W, 3]));
      const maps = pixelMatch(pyr, templates.map((ts) => tf.tensor3d([ts], [1, 2, ts[0]!.length])));
      return maps.map((m) => m.arraySync() as number[][][][]);
    });
    expect(tf.memory().numTensors).toBe(before);
    let worst = 0;
    PIXEL_LEVELS.forEach((l, i) => {
      expect([got[i]!.length, got[i]![0]!.length, got[i]![0]![0]!.length, got[i]![0]![0]![0]!.length]).toEqual([1, H / 2, W / 2, 2]);
      for (let y = 0; y < H / 2; y++) for (let x = 0; x < W / 2; x++) {
        // The level pixel under stride-2 cell (y, x) and the first row / column of its window.
        const [ly, lx] = l.pool === 1 ? [y, x] : [Math.floor(y / (l.pool / 2)), Math.floor(x / (l.pool / 2))];
        const [y0, x0] = l.pool === 1 ? [2 * y - 1, 2 * x - 1] : [ly - 2, lx - 2];
        const p = patch(levels[i]!, y0, x0, l.window);
        for (let k = 0; k < 2; k++) worst = Math.max(worst, Math.abs(got[i]![0]![y]![x]![k]! - ncc(p, templates[i]![k]!)));
      }
    });
    expect(worst).toBeLessThan(1e-4);
    // Inside the flat corner (level 0, away from its edge) the correlation is 0, not noise blown up to +-1.
    expect(Math.abs(got[0]![0]![13]![17]![0]!)).toBeLessThan(1e-3);
  });

  it("matches each image of a batch with its own prompts' templates", () => {
    const imgs = [data, data2];
    const levels = imgs.map((img) => PIXEL_LEVELS.map((l) => level(l.pool, img)));
    // Image 0's prompts are cut from image 0, image 1's from image 1, at other places.
    const at = [[[1, 2], [3, 5]], [[2, 1], [4, 3]]];
    const templates = PIXEL_LEVELS.map((l, i) => imgs.map((_, b) => at[b]!.map(([y, x]) => unitTemplate(patch(levels[b]![i]!, y!, x!, l.window)))));
    const got = tf.tidy(() => {
      const pixels = new Float32Array(2 * H * W * 3);
      pixels.set(data, 0);
      pixels.set(data2, H * W * 3);
      const pyr = pixelPyramid(tf.tensor4d(pixels, [2, H, W, 3]));
      return pixelMatch(pyr, templates.map((ts) => tf.tensor3d(ts, [2, 2, ts[0]![0]!.length]))).map((m) => m.arraySync() as number[][][][]);
    });
    let worst = 0;
    PIXEL_LEVELS.forEach((l, i) => {
      for (let b = 0; b < 2; b++) for (let y = 0; y < H / 2; y++) for (let x = 0; x < W / 2; x++) {
        const [ly, lx] = l.pool === 1 ? [y, x] : [Math.floor(y / (l.pool / 2)), Math.floor(x / (l.pool / 2))];
        const [y0, x0] = l.pool === 1 ? [2 * y - 1, 2 * x - 1] : [ly - 2, lx - 2];
        const p = patch(levels[b]![i]!, y0, x0, l.window);
        for (let k = 0; k < 2; k++) worst = Math.max(worst, Math.abs(got[i]![b]![y]![x]![k]! - ncc(p, templates[i]![b]![k]!)));
      }
    });
    expect(worst).toBeLessThan(1e-4);
  });

  it("cuts a click's template at the level's pixel centres, and pools a prompt's clicks as unit vectors", () => {
    const levels = PIXEL_LEVELS.map((l) => level(l.pool));
    // Clicks at the centre of a level pixel: level 0 at a stride-2 cell centre (odd coordinates), level 1 at a half
    // resolution pixel's centre (also odd), level 2 at a quarter resolution pixel's centre (4k + 2).
    const clicks = [[9, 7], [13, 11], [18, 10]];
    const got = tf.tidy(() => {
      const pyr = pixelPyramid(tf.tensor4d(data, [1, H, W, 3]));
      const xy = tf.tensor3d([clicks.map(([x, y]) => [x! / W, y! / H])]);
      const one = pixelTemplates(pyr, xy, tf.ones([1, 3, 1]) as tf.Tensor3D).map((t) => t.arraySync() as number[][][]);
      // One prompt of the first two clicks.
      const two = pixelTemplates(pyr, xy.slice([0, 0, 0], [1, 2, 2]) as tf.Tensor3D, tf.ones([1, 1, 2]) as tf.Tensor3D).map((t) => t.arraySync() as number[][][]);
      return { one, two };
    });
    PIXEL_LEVELS.forEach((l, i) => {
      const [x, y] = clicks[i]!;
      const win = l.window;
      // Window of `win` level pixels centred on the click (even window: the click between the two middle pixels).
      const y0 = Math.round(y! / l.pool - win / 2), x0 = Math.round(x! / l.pool - win / 2);
      const want = unitTemplate(patch(levels[i]!, y0, x0, win));
      const have = got.one[i]![0]![i]!;
      expect(Math.max(...want.map((v, k) => Math.abs(v - have[k]!)))).toBeLessThan(1e-4);
    });
    // Pooling (level 0): the normalised mean of the two clicks' unit templates, (9, 7) and (13, 11).
    const t1 = unitTemplate(patch(levels[0]!, 5, 7, 4)), t2 = unitTemplate(patch(levels[0]!, 9, 11, 4));
    const mean = t1.map((v, k) => (v + t2[k]!) / 2);
    const norm = Math.sqrt(mean.reduce((acc, v) => acc + v * v, 0));
    const pooled = got.two[0]![0]![0]!;
    expect(Math.max(...mean.map((v, k) => Math.abs(v / norm - pooled[k]!)))).toBeLessThan(1e-4);
  });
});
