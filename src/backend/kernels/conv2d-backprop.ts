import { tf } from "../tf.js";
import { convGeometry, flipFilter, receptiveField, stridePhaseFilter, transposedConvInput } from "./conv-util.js";
import { depthToSpaceCropped } from "./memory.js";
import { composed, KernelScope } from "./scope.js";
import { simdFor } from "./simd.js";
import type { ConvGeometry } from "./conv-util.js";

type Info = tf.TensorInfo;

/**
 * Conv2DBackpropFilter. Where dealkit's SIMD module runs (the wasm backend in Node and browsers with
 * WebAssembly SIMD): {@link filterGradSimd}. Otherwise as one convolution: the input's channels become the batch, its batch becomes the
 * channels, dy is the filter and the forward stride becomes the dilation. XNNPACK runs this far faster
 * than im2col + matmul on the wasm backend (batch 8, 3x3 filters, one core, ms per call):
 *
 *     layer (in -> out, stride, size)   im2col + 1 matmul   matmul per tap   dilated conv
 *     3 -> 16, s2, 128x128                    102                90              7.2
 *     16 -> 32, s2, 64x64                     140               130              5.9
 *     32 -> 64, s2, 32x32                      81                83              4.2
 *     64 -> 64, s1, 16x16                      60                72              7.5
 *     32 -> 32, s1, 64x64                     272               324             40.7
 *
 * (BatchMatMul with transposeA misses XNNPACK's fast path on wasm.) A 1x1 stride-1 filter is x^T dy, one
 * product through dealkit's BatchMatMul ([4,64,64,64] -> 64: 8 ms against 17 ms plus 8 ms of transposes).
 */
export function conv2dBackpropFilterKernel(backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    return composed(backend as tf.KernelBackend, backendName, (s) => {
      let x = inputs.x as Info;
      let dy = inputs.dy as Info;
      if (dataFormat === "NCHW") {
        x = s.transpose(x, [0, 2, 3, 1]);
        dy = s.transpose(dy, [0, 2, 3, 1]);
      }
      const [kh, kw, ci, co] = filterShape;
      const g = convGeometry(x.shape, filterShape, strides, 1, pad, dimRoundingMode, false);
      const direct = filterGradSimd(s, x, dy, g, filterShape);
      if (direct != null) return direct;
      if (kh === 1 && kw === 1 && g.strideHeight === 1 && g.strideWidth === 1 && g.padTop === 0 && g.padLeft === 0 && g.outHeight === g.inHeight && g.outWidth === g.inWidth) {
        // 1x1, stride 1: x^T dy, one product (half the time of the convolution and its transposes).
        const n = g.batch * g.inHeight * g.inWidth;
        const dw = s.run("BatchMatMul", { a: s.reshape(x, [n, ci]), b: s.reshape(dy, [n, co]) }, { transposeA: true, transposeB: false });
        return s.reshape(dw, [1, 1, ci, co]);
      }
      const field = receptiveField(s, x, g);
      const xT = s.transpose(field.x, [3, 1, 2, 0]); // [ci, H, W, B]: spatial axes stay 1 and 2
      const dyT = s.transpose(dy, [1, 2, 0, 3]); // [oh, ow, B, co]
      const y = s.run(
        "Conv2D",
        { x: xT, filter: dyT },
        {
          strides: [g.dilationHeight, g.dilationWidth],
          dilations: [g.strideHeight, g.strideWidth],
          pad: field.pad,
          dataFormat: "NHWC",
        },
      ); // [ci, kh, kw, co]: the receptive-field padding makes the output exactly kh x kw
      if (y.shape[1] !== kh || y.shape[2] !== kw) throw new Error("dealkit: Conv2DBackpropFilter shape mismatch");
      return s.transpose(y, [1, 2, 0, 3]);
    });
  };
}

/** Tiles per block of the Winograd filter gradient (16 measured best of 8-64: the transforms stay in L1/L2). */
const WINOGRAD_TILES = 16;

/**
 * The filter gradient by dealkit's SIMD kernels, reading x and dy in place on the heap (no transposes, no
 * padding copies, no packing). 3x3 stride 1 with channels multiples of 4: Winograd F(3x3, 2x2) (simd/winograd.c
 * `winograd_filter_grad3x3`). Anything else: `conv2d_filter_grad`, where every tap of every output row is a
 * register-blocked product of an input row and a dy row ([4,128,128,32] -> 32, 3x3, stride 1: 30 ms, against
 * 85 ms for the dilated convolution with its transposes). Null where the module is not available.
 */
function filterGradSimd(s: KernelScope, x: Info, dy: Info, g: ConvGeometry, filterShape: number[]): Info | null {
  const simd = simdFor(s.backend);
  if (simd == null || x.dtype !== "float32" || dy.dtype !== "float32") return null;
  const [kh, kw, ci, co] = filterShape as [number, number, number, number];
  if (kh === 3 && kw === 3 && g.strideHeight === 1 && g.strideWidth === 1 && g.dilationHeight === 1 && g.dilationWidth === 1 && ci % 4 === 0 && co % 4 === 0) {
    // Winograd F(3x3, 2x2): 16 products per 2x2 output tile instead of 36 ([4,128,128,32] -> 32: 20 ms against 30 ms).
    const out = s.allocate([3, 3, ci, co], "float32");
    const scratch = [16 * ci * co, 32 * ci * co, 16 * WINOGRAD_TILES * ci, 16 * WINOGRAD_TILES * co].map((len) => s.allocate([len], "float32"));
    const [p, acc, v, d] = scratch.map((t) => simd.ptr(t));
    simd.fns.winograd_filter_grad3x3(
      simd.ptr(x), simd.ptr(dy), simd.ptr(out), p!, acc!, v!, d!,
      g.batch, g.inHeight, g.inWidth, ci, g.outHeight, g.outWidth, co, g.padTop, g.padLeft, WINOGRAD_TILES,
    );
    scratch.forEach((t) => s.dispose(t));
    return out;
  }
  const n = kh * kw * ci * co;
  const out = s.allocate([kh, kw, ci, co], "float32");
  const acc = s.allocate([2 * n], "float32"); // float64 scratch
  simd.fns.conv2d_filter_grad(
    simd.ptr(x), simd.ptr(dy), simd.ptr(out), simd.ptr(acc),
    g.batch, g.inHeight, g.inWidth, ci, g.outHeight, g.outWidth, co,
    kh, kw, g.strideHeight, g.strideWidth, g.dilationHeight, g.dilationWidth, g.padTop, g.padLeft,
  );
  s.dispose(acc);
  return out;
}

/**
 * Conv2DBackpropInput as one forward convolution. Stride 1: of dy with the flipped, in/out-swapped filter.
 * Square strides > 1: split by stride phase ({@link stridePhaseFilter}: one stride-1 convolution of dy whose
 * output channels are the s*s phases, then a depth-to-space interleave), not a convolution of the zero-upsampled dy, which
 * multiplies by zeros s*s - 1 times in s*s. Other strides ([2, 1]...) and filters smaller than the stride:
 * the zero-upsampled dy. Replaces wasm's own kernel, a plain loop ~10x slower than its XNNPACK forward
 * convolution (batch 8, 32 -> 32 channels, 64x64: 190 ms against 17 ms). Stride 2, 3x3, ms per call:
 *
 *     dx shape, filter              zero-upsampled dy   stride phases
 *     [8,64,64,16], 16 <- 32               10.7              6.7
 *     [8,32,32,32], 32 <- 64               10.1              5.4
 *     [4,128,128,16], 16 <- 32             22.4             12.0
 */
export function conv2dBackpropInputKernel(backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    return composed(backend as tf.KernelBackend, backendName, (s) => {
      let dy = inputs.dy as Info;
      const filter = inputs.filter as Info;
      const nchw = dataFormat === "NCHW";
      const xShape = nchw ? [inputShape[0], inputShape[2], inputShape[3], inputShape[1]] : inputShape;
      if (nchw) dy = s.transpose(dy, [0, 2, 3, 1]);
      const g = convGeometry(xShape, filter.shape, strides, 1, pad, dimRoundingMode, false);
      // Phases without taps (a filter smaller than the stride) would be convolutions of zeros: those keep
      // the zero-upsampled path, whose work is then no larger.
      const [kh, kw] = filter.shape as [number, number, number, number];
      if (g.strideHeight === g.strideWidth && g.strideHeight > 1 && kh >= g.strideHeight && kw >= g.strideWidth) {
        const st = g.strideHeight;
        const phased = stridePhaseFilter(s, dy, filter, g);
        const y = s.run(
          "Conv2D",
          { x: phased.x, filter: phased.filter },
          { strides: [1, 1], dilations: [1, 1], pad: phased.pad, dataFormat: "NHWC" },
        ); // [b, ceil(H/s), ceil(W/s), s*s*ci]
        const dx = depthToSpaceCropped(s, y, st, g.inHeight, g.inWidth);
        return nchw ? s.transpose(dx, [0, 3, 1, 2]) : dx;
      }
      const { x, pad: convPad } = transposedConvInput(s, dy, g);
      const dx = s.run(
        "Conv2D",
        { x, filter: flipFilter(s, filter, true) },
        { strides: [1, 1], dilations: [1, 1], pad: convPad, dataFormat: "NHWC" },
      );
      return nchw ? s.transpose(dx, [0, 3, 1, 2]) : dx;
    });
  };
}
