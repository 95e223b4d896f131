import { tf } from "../tf.js";
import { convGeometry, flipFilter, receptiveField, transposedConvInput } from "./conv-util.js";
import { heapBackend } from "./memory.js";
import { composed, KernelScope } from "./scope.js";
import { simdFor } from "./simd.js";
import type { ConvGeometry } from "./conv-util.js";

type Info = tf.TensorInfo;
type Filter4 = [number, number, number, number];

/**
 * DepthwiseConv2dNativeBackpropInput: dx is a depthwise convolution of dy, zero-upsampled by the stride,
 * with the spatially flipped filter; channel multipliers are summed afterwards.
 */
export function depthwiseBackpropInputKernel(backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { strides, dilations, pad, dimRoundingMode, inputShape } =
      attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
    const dy = inputs.dy as Info;
    const filter = inputs.filter as Info;
    return composed(backend as tf.KernelBackend, backendName, (s) => {
      const [kh, kw, ci, m] = filter.shape as Filter4;
      const g = convGeometry(inputShape, filter.shape as Filter4, strides, dilations ?? 1, pad, dimRoundingMode, true);
      const { x: up, pad: convPad } = transposedConvInput(s, dy, g);
      const flipped = s.reshape(flipFilter(s, filter, false), [kh, kw, ci * m, 1]);
      const y = s.run(
        "DepthwiseConv2dNative",
        { x: up, filter: flipped },
        { strides: [1, 1], dilations: [g.dilationHeight, g.dilationWidth], pad: convPad },
      ); // [b, H, W, ci*m]
      if (m === 1) return y;
      return s.sum(s.reshape(y, [g.batch, g.inHeight, g.inWidth, ci, m]), [4]);
    });
  };
}

/**
 * DepthwiseConv2dNativeBackpropFilter. On wasm: one pass per filter tap over heap views of x and dy in
 * JavaScript, float64 accumulators ({@link filterGradByTaps}). Elsewhere: one depthwise convolution
 * (batch x channels become the channels of a batch-1 input, dy is the filter and the forward stride
 * becomes the dilation; a sum over the batch follows). Against that convolution the per-tap loop is
 * ~3x faster on wasm (XNNPACK has no fast path for a 64x64 "filter" producing a 3x3 output), and the
 * convolution was 2-23x faster than a multiply-and-sum per tap through wasm's kernels.
 */
export function depthwiseBackpropFilterKernel(backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { strides, dilations, pad, dimRoundingMode, filterShape } =
      attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
    const x = inputs.x as Info;
    const dy = inputs.dy as Info;
    return composed(backend as tf.KernelBackend, backendName, (s) => {
      const [kh, kw, ci, m] = filterShape as Filter4;
      const g = convGeometry(x.shape, filterShape as Filter4, strides, dilations ?? 1, pad, dimRoundingMode, true);
      const simd = simdFor(backend);
      if (simd != null && x.dtype === "float32" && dy.dtype === "float32") {
        // dealkit's SIMD kernel: the per-tap loop below with channels in the SIMD lanes (~5x faster).
        const n = kh * kw * ci * m;
        const out = s.allocate(filterShape.slice(), "float32");
        const acc = s.allocate([2 * n], "float32"); // float64 scratch
        simd.fns.depthwise_filter_grad(
          simd.ptr(x), simd.ptr(dy), simd.ptr(out), simd.ptr(acc),
          g.batch, g.inHeight, g.inWidth, ci, m, g.outHeight, g.outWidth,
          kh, kw, g.strideHeight, g.strideWidth, g.dilationHeight, g.dilationWidth, g.padTop, g.padLeft,
        );
        s.dispose(acc);
        return out;
      }
      const heap = heapBackend(backend);
      if (heap != null && x.dtype === "float32" && dy.dtype === "float32") return filterGradByTaps(s, heap, x, dy, g, filterShape as Filter4);
      const field = receptiveField(s, x, g);
      const [b, h, w] = field.x.shape;
      const xc = s.reshape(s.transpose(field.x, [1, 2, 0, 3]), [1, h, w, b * ci]); // spatial axes stay 1 and 2
      const dy5 = s.reshape(dy, [b, g.outHeight, g.outWidth, ci, m]);
      const f = s.reshape(s.transpose(dy5, [1, 2, 0, 3, 4]), [g.outHeight, g.outWidth, b * ci, m]);
      const y = s.run(
        "DepthwiseConv2dNative",
        { x: xc, filter: f },
        {
          strides: [g.dilationHeight, g.dilationWidth],
          dilations: [g.strideHeight, g.strideWidth],
          pad: field.pad,
        },
      ); // [1, kh, kw, b*ci*m]
      return s.sum(s.reshape(y, [kh, kw, b, ci, m]), [2]);
    });
  };
}

/**
 * dF[i, j, c, k] = sum over b, y, x of x[b, y*sh + i*dh - padTop, x*sw + j*dw - padLeft, c] * dy[b, y, x, c*M + k],
 * taps outside x skipped (zero padding), read in place from the wasm heap.
 */
function filterGradByTaps(
  s: KernelScope,
  heap: NonNullable<ReturnType<typeof heapBackend>>,
  x: Info,
  dy: Info,
  g: ConvGeometry,
  filterShape: Filter4,
): Info {
  const [kh, kw, ci, m] = filterShape;
  const [b, h, w] = x.shape as Filter4;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = g;
  const cm = ci * m;
  const acc = new Float64Array(kh * kw * cm);
  const xv = heap.typedArrayFromHeap(x) as Float32Array;
  const dv = heap.typedArrayFromHeap(dy) as Float32Array;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const a0 = (i * kw + j) * cm;
      for (let n = 0; n < b; n++) {
        for (let y = 0; y < oh; y++) {
          const xr = y * sh + i * dh - g.padTop;
          if (xr < 0 || xr >= h) continue;
          for (let q = 0; q < ow; q++) {
            const xc = q * sw + j * dw - g.padLeft;
            if (xc < 0 || xc >= w) continue;
            const xo = ((n * h + xr) * w + xc) * ci;
            const dyo = ((n * oh + y) * ow + q) * cm;
            if (m === 1) {
              for (let c = 0; c < ci; c++) acc[a0 + c] += xv[xo + c]! * dv[dyo + c]!;
            } else {
              for (let c = 0; c < ci; c++) {
                const xval = xv[xo + c]!;
                for (let k = 0; k < m; k++) acc[a0 + c * m + k] += xval * dv[dyo + c * m + k]!;
              }
            }
          }
        }
      }
    }
  }
  const out = s.allocate(filterShape.slice(), "float32");
  heap.typedArrayFromHeap(out).set(acc);
  return out;
}
