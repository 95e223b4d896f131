import { tf } from "../backend/tf.js";
import { bilinearSample, l2normalize, upsampleNearest } from "./ops.js";

/**
 * Pixel matching (opt-in, `ModelConfig.pixelMatch`): the training-free signal of the template-matching reference
 * as three more inputs of the density activation. Per level, the image averaged over `pool` x `pool` pixels and a
 * `window` x `window` patch: the clicked patch (zero-mean over its pixels and channels, normalised) is correlated
 * with every patch of the image (zero-normalised cross-correlation, NCC), read at the stride-2 grid: a window of 4
 * pixels at full resolution (stride 2), 10 pixels on the 2x pooled image and 20 on the 4x pooled one (stride 4,
 * repeated to stride 2, as the stride-4 cosine is). Nothing here is learnt, so it does not depend on the training
 * categories; the density activation learns how far to trust it. Flat patches get NCC near 0 (the variance floor
 * {@link NCC_FLOOR}), so the exemplar of a dot on a black sky matches other dots, not the sky.
 */
export const PIXEL_LEVELS: readonly { pool: number; window: number }[] = [
  { pool: 1, window: 4 },
  { pool: 2, window: 5 },
  { pool: 4, window: 5 },
];

/** Variance floor per patch value, in normalised pixel units (0.1: about 6 grey levels of standard deviation). */
export const NCC_FLOOR = 0.01;

/** Floats of one click's pixel template per level (window^2 x 3). */
export function pixelTemplateDims(): number[] {
  return PIXEL_LEVELS.map((l) => l.window * l.window * 3);
}

/**
 * What pixel matching needs of an image, per level: the pooled image [B, H / pool, W / pool, 3] (the first a copy
 * of the input) and, at the level's output grid, 1 / sqrt(sum (x - mean x)^2 + floor n) of every window (the NCC's
 * image-side normalisation, which does not depend on the prompt).
 */
export interface PixelPyramid {
  levels: tf.Tensor4D[];
  norms: tf.Tensor4D[];
}

/** The pixel pyramid of normalised images [B, H, W, 3] ({@link PixelPyramid}); computed once per encoding. */
export function pixelPyramid(images: tf.Tensor4D): PixelPyramid {
  const levels = PIXEL_LEVELS.map((l) => (l.pool === 1 ? images.clone() : tf.avgPool(images, l.pool, l.pool, "valid")));
  const norms = PIXEL_LEVELS.map((l, i) => tf.tidy(() => {
    const x = levels[i]!;
    const n = l.window * l.window * 3;
    const ones = tf.ones([l.window, l.window, 1, 1]) as tf.Tensor4D;
    const sum = tf.conv2d(x.sum(-1, true) as tf.Tensor4D, ones, levelStride(l), "same");
    const sumSq = tf.conv2d(x.square().sum(-1, true) as tf.Tensor4D, ones, levelStride(l), "same");
    return tf.rsqrt(sumSq.sub(sum.square().div(n)).relu().add(NCC_FLOOR * n)) as tf.Tensor4D;
  }));
  return { levels, norms };
}

/** A level's correlation stride: 2 at full resolution (the stride-2 grid), 1 on the pooled images. */
function levelStride(l: { pool: number }): number {
  return l.pool === 1 ? 2 : 1;
}

/**
 * Per-prompt pixel templates [B, P, window^2 x 3] per level: each click's patch (bilinear samples at the window's
 * pixel centres around the click, rows then columns then channels), zero-mean and unit length, averaged over the
 * prompt's clicks (mask [B, P, K]) and normalised again (as the exemplar's feature vectors are pooled). clickXyNorm [B, P * K, 2] in [0, 1] of the padded input.
 */
export function pixelTemplates(pyramid: PixelPyramid, clickXyNorm: tf.Tensor3D, clickMask: tf.Tensor3D): tf.Tensor3D[] {
  const [b, p, k] = clickMask.shape;
  const m = clickMask.reshape([b, p, k, 1]);
  const denom = m.sum(2).maximum(1e-6);
  return PIXEL_LEVELS.map((l, i) => {
    const level = pyramid.levels[i]!;
    const [, h, w] = level.shape;
    const win = l.window;
    const offs: number[] = [];
    for (let y = 0; y < win; y++) for (let x = 0; x < win; x++) offs.push((x - (win - 1) / 2) / w, (y - (win - 1) / 2) / h);
    const xy = clickXyNorm.reshape([b, p * k, 1, 2]).add(tf.tensor4d(offs, [1, 1, win * win, 2])).reshape([b, p * k * win * win, 2]) as tf.Tensor3D;
    const raw = bilinearSample(level, xy).reshape([b, p, k, win * win * 3]);
    const patch = l2normalize(raw.sub(raw.mean(-1, true)));
    return l2normalize(patch.mul(m).sum(2).div(denom)) as tf.Tensor3D;
  });
}

/**
 * NCC of every prompt's template with every patch, at the stride-2 grid [B, h, w, P] per level (h = H / 2).
 * Templates [B, P, window^2 x 3] as from {@link pixelTemplates} or unpacked exemplar vectors.
 */
export function pixelMatch(pyramid: PixelPyramid, templates: readonly tf.Tensor3D[]): tf.Tensor4D[] {
  return PIXEL_LEVELS.map((l, i) => {
    const x = pyramid.levels[i]!;
    const [b] = x.shape;
    const win = l.window;
    const stride = levelStride(l);
    const p = templates[i]!.shape[1];
    const n = win * win * 3;
    // Templates are zero-mean, so sum (x - mean) t = sum x t: one convolution per image with its prompts' kernels.
    const corr = tf.concat(Array.from({ length: b }, (_, j) => {
      const kernel = templates[i]!.slice([j, 0, 0], [1, p, n]).reshape([p, win, win, 3]).transpose([1, 2, 3, 0]) as tf.Tensor4D;
      return tf.conv2d(x.slice([j, 0, 0, 0], [1, -1, -1, -1]), kernel, stride, "same");
    }), 0);
    const ncc = corr.mul(pyramid.norms[i]!) as tf.Tensor4D;
    return l.pool > 2 ? upsampleNearest(ncc, l.pool / 2) : ncc;
  });
}
