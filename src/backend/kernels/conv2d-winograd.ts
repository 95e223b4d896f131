import { tf } from "../tf.js";
import { composed } from "./scope.js";
import { simdFor } from "./simd.js";

type Info = tf.TensorInfo;

/** Tiles transformed at a time: their transforms (16 x 16 x channels floats each way) stay in L1/L2 (16 measured best of 8-128). */
const TILE_BLOCK = 16;

/**
 * The cases the Winograd kernel takes: NHWC float32, 3x3, stride 1, no dilation, channels multiples of 4.
 * Returns the output geometry, or null for the native kernel.
 */
function winogradGeometry(x: Info, filter: Info, attrs: tf.Conv2DAttrs) {
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs;
  if (dataFormat === "NCHW" || x.dtype !== "float32" || filter.dtype !== "float32" || x.shape.length !== 4) return null;
  const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
  if (kh !== 3 || kw !== 3 || ci % 4 !== 0 || co % 4 !== 0 || x.shape[3] !== ci) return null;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    strides,
    dilations ?? 1,
    pad as "same",
    dimRoundingMode,
  );
  if (info.strideHeight !== 1 || info.strideWidth !== 1 || info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  if (info.outHeight <= 0 || info.outWidth <= 0) return null;
  return info;
}

/**
 * A 3x3 stride-1 convolution by Winograd F(2x2, 3x3) in dealkit's SIMD module (simd/winograd.c
 * `winograd_conv3x3`): 16 multiplies per 2x2 outputs and channel pair instead of 36, the tile transforms
 * kept in cache. [4,128,128,32] -> 32 channels: 22 ms against 38 ms for XNNPACK's direct convolution.
 * Returns null for the cases it does not take (then the backend's own kernel runs).
 */
function winogradConv(
  backend: tf.KernelBackend,
  x: Info,
  filter: Info,
  attrs: tf.Conv2DAttrs,
  bias: Info | null,
  relu: boolean,
): Info | null {
  const simd = simdFor(backend);
  const info = simd == null ? null : winogradGeometry(x, filter, attrs);
  if (simd == null || info == null) return null;
  const [, , ci, co] = filter.shape as [number, number, number, number];
  if (bias != null && (bias.dtype !== "float32" || tf.util.sizeFromShape(bias.shape) !== co)) return null;
  return composed(backend, "wasm", (s) => {
    const out = s.allocate(info.outShape, "float32");
    const u = s.allocate([16 * ci * co], "float32");
    const v = s.allocate([16 * TILE_BLOCK * ci], "float32");
    const m = s.allocate([16 * TILE_BLOCK * co], "float32");
    simd.fns.winograd_conv3x3(
      simd.ptr(x), simd.ptr(filter), bias == null ? 0 : simd.ptr(bias), simd.ptr(out), simd.ptr(u), simd.ptr(v), simd.ptr(m),
      info.batchSize, info.inHeight, info.inWidth, ci, info.outHeight, info.outWidth, co,
      info.padInfo.top, info.padInfo.left, relu ? 1 : 0, TILE_BLOCK,
    );
    return out;
  });
}

/** Conv2D on wasm: 3x3 stride-1 convolutions by Winograd ({@link winogradConv}), the rest native. */
export function conv2DKernel(native: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x, filter } = args.inputs as { x: Info; filter: Info };
    return winogradConv(args.backend as tf.KernelBackend, x, filter, args.attrs as unknown as tf.Conv2DAttrs, null, false) ?? native(args);
  };
}

/**
 * FusedConv2D on wasm: 3x3 stride-1 convolutions with a per-channel bias (or none) and a linear or relu
 * activation by Winograd ({@link winogradConv}), the rest native.
 */
export function fusedConv2DKernel(native: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as { x: Info; filter: Info; bias?: Info; preluActivationWeights?: Info };
    const attrs = args.attrs as unknown as tf.FusedConv2DAttrs;
    const act = attrs.activation ?? "linear";
    if (preluActivationWeights != null || (act !== "linear" && act !== "relu")) return native(args);
    return winogradConv(args.backend as tf.KernelBackend, x, filter, attrs, bias ?? null, act === "relu") ?? native(args);
  };
}
