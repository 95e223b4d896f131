import { tf } from "../tf.js";
import { KernelScope } from "./scope.js";

type Info = tf.TensorInfo;

/** Geometry of a 2-D convolution, NHWC, as the gradient kernels need it. */
export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
}

/** tfjs's own shape rules (same/valid/explicit padding, rounding), so results match the cpu backend. */
export function convGeometry(
  xShapeNhwc: number[],
  filterShape: number[],
  strides: number | [number, number],
  dilations: number | [number, number],
  pad: unknown,
  dimRoundingMode: unknown,
  depthwise: boolean,
): ConvGeometry {
  const info = tf.backend_util.computeConv2DInfo(
    xShapeNhwc as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations,
    pad as "same",
    dimRoundingMode as "floor" | undefined,
    depthwise,
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/**
 * Crops the input and returns the padding so that its height/width are exactly what the output grid
 * reads, `(out - 1) * stride + (filter - 1) * dilation + 1` starting at -padTop / -padLeft: a convolution
 * of the result with that (explicit) padding and no further padding gives the original outputs.
 */
export function receptiveField(s: KernelScope, x: Info, g: ConvGeometry): { x: Info; pad: ExplicitPad } {
  const needH = (g.outHeight - 1) * g.strideHeight + (g.filterHeight - 1) * g.dilationHeight + 1;
  const needW = (g.outWidth - 1) * g.strideWidth + (g.filterWidth - 1) * g.dilationWidth + 1;
  return splitPad(s, x, [
    [0, 0],
    [g.padTop, needH - g.padTop - g.inHeight],
    [g.padLeft, needW - g.padLeft - g.inWidth],
    [0, 0],
  ]);
}

/** Applies the negative amounts (crops) and returns the positive ones as a convolution's padding. */
export function splitPad(s: KernelScope, x: Info, amounts: Array<[number, number]>): { x: Info; pad: ExplicitPad } {
  const cropped = s.padOrCrop(x, amounts.map(([p, q]) => [Math.min(p, 0), Math.min(q, 0)]));
  return { x: cropped, pad: amounts.map(([p, q]) => [Math.max(p, 0), Math.max(q, 0)]) as ExplicitPad };
}

/** Explicit NHWC padding, as tfjs's conv kernels take it. */
export type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

/**
 * The input of a transposed convolution: dy zero-upsampled by the stride, plus the padding under which a
 * stride-1 correlation with the spatially flipped filter gives the input gradient:
 * `dx[h] = sum_i up[h + padTop - (kh-1)*dh + i*dh] * flip(f)[i]`. The padding is returned rather than
 * applied, since the convolution pads for free; only negative amounts (crops) are applied here.
 */
export function transposedConvInput(s: KernelScope, dy: Info, g: ConvGeometry): { x: Info; pad: ExplicitPad } {
  const [b, oh, ow, c] = dy.shape;
  const sh = g.strideHeight;
  const sw = g.strideWidth;
  let up = dy;
  if (sh > 1 || sw > 1) {
    const r = s.reshape(dy, [b, oh, 1, ow, 1, c]);
    const p = s.padOrCrop(r, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
    up = s.reshape(p, [b, oh * sh, ow * sw, c]);
  }
  const top = (g.filterHeight - 1) * g.dilationHeight - g.padTop;
  const left = (g.filterWidth - 1) * g.dilationWidth - g.padLeft;
  const rows = g.inHeight + (g.filterHeight - 1) * g.dilationHeight;
  const cols = g.inWidth + (g.filterWidth - 1) * g.dilationWidth;
  return splitPad(s, up, [
    [0, 0],
    [top, rows - top - up.shape[1]],
    [left, cols - left - up.shape[2]],
    [0, 0],
  ]);
}

/**
 * The filter flipped in both spatial axes (and, with `swapInOut`, with its in/out channels swapped), in
 * JavaScript: filters are small, and wasm's Reverse + Transpose cost more than the copy.
 */
export function flipFilter(s: KernelScope, filter: Info, swapInOut: boolean): Info {
  const [kh, kw, ci, co] = filter.shape;
  const v = s.backend.readSync(filter.dataId) as Float32Array;
  const out = new Float32Array(v.length);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const src = (i * kw + j) * ci * co;
      const dst = ((kh - 1 - i) * kw + (kw - 1 - j)) * ci * co;
      if (!swapInOut) {
        out.set(v.subarray(src, src + ci * co), dst);
        continue;
      }
      for (let a = 0; a < ci; a++) for (let b = 0; b < co; b++) out[dst + b * ci + a] = v[src + a * co + b];
    }
  }
  return s.constant(out, swapInOut ? [kh, kw, co, ci] : [kh, kw, ci, co], "float32");
}

/** Per filter tap of one axis: the stride phase it feeds and the dy offset it reads (see {@link stridePhaseFilter}). */
function phaseTaps(k: number, stride: number, pad: number): { phase: number[]; offset: number[]; min: number; window: number } {
  const phase: number[] = [];
  const offset: number[] = [];
  for (let i = 0; i < k; i++) {
    const p = (((i - pad) % stride) + stride) % stride; // the one phase p with (p + pad - i) divisible by stride
    phase.push(p);
    offset.push((p + pad - i) / stride);
  }
  const min = Math.min(...offset);
  return { phase, offset, min, window: Math.max(...offset) - min + 1 };
}

/**
 * The input gradient of a stride-s convolution (square stride, no dilation) split by stride phase: output
 * pixel (s*q + ph, s*r + pw) only meets the filter taps i = ph + padTop (mod s), j likewise, at dy offsets
 * q + (ph + padTop - i) / s. All s*s phases become output channels of one stride-1 convolution of dy:
 * `conv(dy, G)` is [b, ceil(H/s), ceil(W/s), s*s*ci] with channel (ph*s + pw)*ci + c, which DepthToSpace
 * interleaves into [b, H, W, ci] (after a crop). G holds each tap of the filter exactly once, so the work is
 * about that of the forward convolution instead of s*s times it (zero-upsampled dy).
 * Returns dy cropped as needed, the convolution's explicit padding, and G ([wh, ww, co, s*s*ci]).
 */
export function stridePhaseFilter(s: KernelScope, dy: Info, filter: Info, g: ConvGeometry): { x: Info; pad: ExplicitPad; filter: Info } {
  const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
  const st = g.strideHeight;
  const rows = phaseTaps(kh, st, g.padTop);
  const cols = phaseTaps(kw, st, g.padLeft);
  const qh = Math.ceil(g.inHeight / st);
  const qw = Math.ceil(g.inWidth / st);
  const v = s.backend.readSync(filter.dataId) as Float32Array;
  const outC = st * st * ci;
  const out = new Float32Array(rows.window * cols.window * co * outC);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const t = rows.offset[i]! - rows.min;
      const u = cols.offset[j]! - cols.min;
      const chan = (rows.phase[i]! * st + cols.phase[j]!) * ci;
      for (let c = 0; c < ci; c++) {
        const src = ((i * kw + j) * ci + c) * co;
        for (let o = 0; o < co; o++) out[((t * cols.window + u) * co + o) * outC + chan + c] = v[src + o]!;
      }
    }
  }
  const [, oh, ow] = dy.shape as [number, number, number, number];
  const top = -rows.min;
  const left = -cols.min;
  const { x, pad } = splitPad(s, dy, [
    [0, 0],
    [top, qh + rows.window - 1 - oh - top],
    [left, qw + cols.window - 1 - ow - left],
    [0, 0],
  ]);
  return { x, pad, filter: s.constant(out, [rows.window, cols.window, co, outC], "float32") };
}
