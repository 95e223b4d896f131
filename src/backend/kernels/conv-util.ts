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
 * Pads (or crops) the input so that its height/width are exactly what the output grid reads,
 * `(out - 1) * stride + (filter - 1) * dilation + 1` starting at -padTop / -padLeft; a 'valid'
 * convolution of the result then gives the original outputs.
 */
export function padToReceptiveField(s: KernelScope, x: Info, g: ConvGeometry): Info {
  const needH = (g.outHeight - 1) * g.strideHeight + (g.filterHeight - 1) * g.dilationHeight + 1;
  const needW = (g.outWidth - 1) * g.strideWidth + (g.filterWidth - 1) * g.dilationWidth + 1;
  return s.padOrCrop(x, [
    [0, 0],
    [g.padTop, needH - g.padTop - g.inHeight],
    [g.padLeft, needW - g.padLeft - g.inWidth],
    [0, 0],
  ]);
}

/**
 * The input of a transposed convolution: dy zero-upsampled by the stride and padded so that a 'valid',
 * stride-1 correlation with the spatially flipped filter gives the input gradient:
 * `dx[h] = sum_i up[h + padTop - (kh-1)*dh + i*dh] * flip(f)[i]`.
 */
export function transposedConvInput(s: KernelScope, dy: Info, g: ConvGeometry): Info {
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
  return s.padOrCrop(up, [
    [0, 0],
    [top, rows - top - up.shape[1]],
    [left, cols - left - up.shape[2]],
    [0, 0],
  ]);
}
