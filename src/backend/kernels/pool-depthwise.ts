import { tf } from "../tf.js";
import { simdFor } from "./simd.js";

type Info = tf.TensorInfo;

function output(backend: tf.KernelBackend, shape: number[]): Info {
  return { dataId: backend.write(null as unknown as tf.backend_util.BackendValues, shape, "float32"), shape, dtype: "float32" };
}

/**
 * MaxPool and MaxPoolGrad in dealkit's SIMD module (simd/pool.c `max_pool`, `max_pool_grad`), channels in
 * SIMD lanes. wasm's own kernels are very slow off their fast path: [4,128,128,32], 3x3, stride 1 (a
 * heatmap's peak search): 185 ms, here ~15 ms; its gradient at stride 2: ~4 s, here ~5 ms (busy machine,
 * fastest of 15). The gradient goes to the first strict maximum of each window, as on the cpu backend.
 * Strided forward pooling (XNNPACK's fast path), other dtypes and layouts go to `native`.
 */
export function maxPoolKernel(kind: "forward" | "grad", native: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const simd = simdFor(args.backend);
    const x = (kind === "forward" ? args.inputs.x : args.inputs.input) as Info;
    if (simd == null || x.dtype !== "float32" || x.shape.length !== 4) return native(args);
    const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolAttrs;
    const info = tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
    if (info.dilationHeight !== 1 || info.dilationWidth !== 1 || tf.util.sizeFromShape(info.outShape) === 0) return native(args);
    // Strided forward pooling is on XNNPACK's fast path already.
    if (kind === "forward" && (info.strideHeight > 1 || info.strideWidth > 1)) return native(args);
    const backend = args.backend as tf.KernelBackend;
    const dims = [
      info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
      info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
    ];
    if (kind === "forward") {
      const out = output(backend, info.outShape);
      simd.fns.max_pool(simd.ptr(x), simd.ptr(out), ...dims);
      return out;
    }
    const dy = args.inputs.dy as Info;
    if (dy.dtype !== "float32") return native(args);
    const out = output(backend, x.shape);
    simd.fns.max_pool_grad(simd.ptr(x), simd.ptr(dy), simd.ptr(out), ...dims);
    return out;
  };
}

/**
 * DepthwiseConv2dNative and FusedDepthwiseConv2D (bias, linear or relu) with channel multiplier 1 in
 * dealkit's SIMD module (simd/conv.c `depthwise_conv`): [4,128,128,32] with a 3x3 filter, ~4 ms against
 * 16 ms for wasm's own kernel. Float32 NHWC with channels a multiple of 4; anything else goes to `native`.
 */
export function depthwiseKernel(fused: boolean, native: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const simd = simdFor(args.backend);
    const { x, filter, bias, preluActivationWeights } = args.inputs as { x: Info; filter: Info; bias?: Info; preluActivationWeights?: Info };
    const attrs = args.attrs as unknown as tf.FusedDepthwiseConv2DAttrs;
    const act = fused ? (attrs.activation ?? "linear") : "linear";
    if (simd == null || x.dtype !== "float32" || filter.dtype !== "float32" || x.shape.length !== 4) return native(args);
    if (attrs.dataFormat === "NCHW" || preluActivationWeights != null || (act !== "linear" && act !== "relu")) return native(args);
    const [kh, kw, c, m] = filter.shape as [number, number, number, number];
    if (m !== 1 || c % 4 !== 0 || x.shape[3] !== c) return native(args);
    if (bias != null && (bias.dtype !== "float32" || tf.util.sizeFromShape(bias.shape) !== c)) return native(args);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      attrs.strides,
      attrs.dilations ?? 1,
      attrs.pad as "same",
      attrs.dimRoundingMode,
      true,
    );
    if (tf.util.sizeFromShape(info.outShape) === 0) return native(args);
    const out = output(args.backend as tf.KernelBackend, info.outShape);
    simd.fns.depthwise_conv(
      simd.ptr(x), simd.ptr(filter), bias == null ? 0 : simd.ptr(bias), simd.ptr(out),
      info.batchSize, info.inHeight, info.inWidth, c, info.outHeight, info.outWidth, kh, kw,
      info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, info.padInfo.top, info.padInfo.left, act === "relu" ? 1 : 0,
    );
    return out;
  };
}
