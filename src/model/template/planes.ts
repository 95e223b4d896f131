import type { RgbImage } from "../../structures/image.js";

/**
 * An RGB image prepared for template matching: float pixels (HWC) padded by `pad` px on every side with the
 * edge pixels replicated (so a template can be placed over an object that touches the border), and integral
 * images of each channel and of the sum of squares over channels (box sums and variances in O(1)).
 * Coordinates inside are padded pixels: image pixel (x, y) is padded pixel (x + pad, y + pad).
 */
export interface MatchPlanes {
  /** The original image's size. */
  width: number;
  height: number;
  pad: number;
  /** Padded size: width + 2 pad, height + 2 pad. */
  pw: number;
  ph: number;
  /** pw * ph * 3 floats, RGB, row-major. */
  data: Float32Array;
  /** Integral image of each channel, (pw + 1) * (ph + 1) each: sums[c][y * (pw + 1) + x] = sum over [0, x) x [0, y). */
  sums: [Float64Array, Float64Array, Float64Array];
  /** Integral image of r^2 + g^2 + b^2. */
  squares: Float64Array;
  /**
   * Robust pixel noise of the image (RGB units, per channel): 1.4826 x the median absolute difference of
   * horizontally neighbouring pixels, / sqrt 2. Texture counts as noise here, which is what a region grower needs.
   */
  noise: number;
}

/**
 * Pads an image (edge replication) and builds its integral images.
 *
 * @example
 * const planes = matchPlanes(image, 16);
 * boxSums(planes, 16, 16, 4, 4); // the channel sums of the image's top-left 4x4 pixels
 */
export function matchPlanes(image: RgbImage, pad: number): MatchPlanes {
  const { width: w, height: h } = image;
  const pw = w + 2 * pad;
  const ph = h + 2 * pad;
  const data = new Float32Array(pw * ph * 3);
  for (let y = 0; y < ph; y++) {
    const sy = Math.min(h - 1, Math.max(0, y - pad));
    for (let x = 0; x < pw; x++) {
      const sx = Math.min(w - 1, Math.max(0, x - pad));
      const s = (sy * w + sx) * 3;
      const d = (y * pw + x) * 3;
      data[d] = image.data[s]!;
      data[d + 1] = image.data[s + 1]!;
      data[d + 2] = image.data[s + 2]!;
    }
  }
  const stride = pw + 1;
  const sums: [Float64Array, Float64Array, Float64Array] = [0, 1, 2].map(() => new Float64Array(stride * (ph + 1))) as [Float64Array, Float64Array, Float64Array];
  const squares = new Float64Array(stride * (ph + 1));
  for (let y = 0; y < ph; y++) {
    let r = 0, g = 0, b = 0, q = 0;
    for (let x = 0; x < pw; x++) {
      const d = (y * pw + x) * 3;
      const vr = data[d]!, vg = data[d + 1]!, vb = data[d + 2]!;
      r += vr;
      g += vg;
      b += vb;
      q += vr * vr + vg * vg + vb * vb;
      const o = (y + 1) * stride + x + 1;
      sums[0][o] = sums[0][o - stride]! + r;
      sums[1][o] = sums[1][o - stride]! + g;
      sums[2][o] = sums[2][o - stride]! + b;
      squares[o] = squares[o - stride]! + q;
    }
  }
  return { width: w, height: h, pad, pw, ph, data, sums, squares, noise: neighbourNoise(image) };
}

function neighbourNoise(image: RgbImage): number {
  const hist = new Float64Array(256);
  const { width: w, height: h, data } = image;
  let n = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x + 1 < w; x++) {
      const o = (y * w + x) * 3;
      for (let c = 0; c < 3; c++) hist[Math.abs(data[o + c]! - data[o + 3 + c]!)]! += 1;
      n += 3;
    }
  }
  let acc = 0;
  for (let v = 0; v < 256; v++) {
    acc += hist[v]!;
    if (acc >= n / 2) return (1.4826 * Math.max(0.5, v)) / Math.SQRT2;
  }
  return 0;
}

function rect(table: Float64Array, stride: number, x: number, y: number, w: number, h: number): number {
  return table[(y + h) * stride + x + w]! - table[y * stride + x + w]! - table[(y + h) * stride + x]! + table[y * stride + x]!;
}

/**
 * Channel sums [r, g, b] and the sum of squares over the padded-pixel box [x, x + w) x [y, y + h) (integers,
 * inside the padded image).
 */
export function boxSums(p: MatchPlanes, x: number, y: number, w: number, h: number): [number, number, number, number] {
  const s = p.pw + 1;
  return [rect(p.sums[0], s, x, y, w, h), rect(p.sums[1], s, x, y, w, h), rect(p.sums[2], s, x, y, w, h), rect(p.squares, s, x, y, w, h)];
}

/**
 * Mean colour [r, g, b] of the image-pixel box [x0, x1) x [y0, y1), clipped to the image (not the padding).
 * Returns null when nothing of the box is on the image.
 */
export function boxMean(p: MatchPlanes, x0: number, y0: number, x1: number, y1: number): [number, number, number] | null {
  const a = Math.max(0, x0), b = Math.max(0, y0), c = Math.min(p.width, x1), d = Math.min(p.height, y1);
  if (c <= a || d <= b) return null;
  const [r, g, bl] = boxSums(p, a + p.pad, b + p.pad, c - a, d - b);
  const n = (c - a) * (d - b);
  return [r / n, g / n, bl / n];
}

/**
 * The image shrunk by an integer factor: floor(width / f) x floor(height / f) pixels, each the mean of an f x f
 * block (a remainder row / column is dropped). f = 1 returns the image itself.
 *
 * @example
 * shrinkImage({ width: 4, height: 2, data }, 2); // 2 x 1 pixels
 */
export function shrinkImage(image: RgbImage, f: number): RgbImage {
  if (f === 1) return image;
  const w = Math.max(1, Math.floor(image.width / f)), h = Math.max(1, Math.floor(image.height / f));
  const acc = new Float64Array(w * h * 3);
  for (let y = 0; y < Math.min(image.height, h * f); y++) {
    const row = Math.floor(y / f) * w;
    for (let x = 0; x < Math.min(image.width, w * f); x++) {
      const d = (row + Math.floor(x / f)) * 3, s = (y * image.width + x) * 3;
      acc[d]! += image.data[s]!;
      acc[d + 1]! += image.data[s + 1]!;
      acc[d + 2]! += image.data[s + 2]!;
    }
  }
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(acc[i]! / (f * f));
  return { width: w, height: h, data };
}
