import { tf } from "../tf.js";
import { convGeometry, padToReceptiveField, tapWindow, transposedConvInput } from "./conv-util.js";
import { composed } from "./scope.js";

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
      const upP = transposedConvInput(s, dy, g);
      const f = s.reshape(filter, [kh, kw, ci * m, 1]);
      const flipped = s.run("Reverse", { x: f }, { dims: [0, 1] });
      const y = s.run(
        "DepthwiseConv2dNative",
        { x: upP, filter: flipped },
        { strides: [1, 1], dilations: [g.dilationHeight, g.dilationWidth], pad: "valid", dimRoundingMode: undefined },
      ); // [b, H, W, ci*m]
      if (m === 1) return y;
      return s.sum(s.reshape(y, [g.batch, g.inHeight, g.inWidth, ci, m]), [4]);
    });
  };
}

/** How DepthwiseConv2dNativeBackpropFilter is computed (timings in the kernel's note). */
export type DepthwiseFilterMethod = "taps" | "depthwiseConv";

/**
 * DepthwiseConv2dNativeBackpropFilter. "taps": for each filter tap, the input window times dy, summed
 * over batch and positions. "depthwiseConv": one depthwise convolution with batch x channels as the
 * channels and dy as the filter (the forward stride becomes the dilation), then a sum over the batch.
 */
export function depthwiseBackpropFilterKernel(backendName: string, method: DepthwiseFilterMethod = "taps"): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { strides, dilations, pad, dimRoundingMode, filterShape } =
      attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
    const x = inputs.x as Info;
    const dy = inputs.dy as Info;
    return composed(backend as tf.KernelBackend, backendName, (s) => {
      const [kh, kw, ci, m] = filterShape as Filter4;
      const g = convGeometry(x.shape, filterShape as Filter4, strides, dilations ?? 1, pad, dimRoundingMode, true);
      const xp = padToReceptiveField(s, x, g);
      if (method === "depthwiseConv") {
        const [b, hp, wp] = xp.shape;
        const xc = s.reshape(s.transpose(xp, [1, 2, 0, 3]), [1, hp, wp, b * ci]);
        const dy5 = s.reshape(dy, [b, g.outHeight, g.outWidth, ci, m]);
        const f = s.reshape(s.transpose(dy5, [1, 2, 0, 3, 4]), [g.outHeight, g.outWidth, b * ci, m]);
        const y = s.run(
          "DepthwiseConv2dNative",
          { x: xc, filter: f },
          {
            strides: [g.dilationHeight, g.dilationWidth],
            dilations: [g.strideHeight, g.strideWidth],
            pad: "valid",
            dimRoundingMode: undefined,
          },
        ); // [1, kh, kw, b*ci*m]
        return s.sum(s.reshape(y, [kh, kw, b, ci, m]), [2]);
      }
      const dy5 = m === 1 ? dy : s.reshape(dy, [g.batch, g.outHeight, g.outWidth, ci, m]);
      const parts: Info[] = [];
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          let tap = tapWindow(s, xp, g, i, j);
          if (m > 1) tap = s.reshape(tap, [g.batch, g.outHeight, g.outWidth, ci, 1]);
          const prod = s.run("Multiply", { a: tap, b: dy5 });
          parts.push(s.sum(prod, [0, 1, 2], true)); // [1, 1, 1, ci(, m)]
        }
      }
      const all = parts.length === 1 ? parts[0] : s.concat(parts, 0);
      return s.reshape(all, [kh, kw, ci, m]);
    });
  };
}
