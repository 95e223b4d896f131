import type { KernelCase } from "./check-cases.js";
import { tf } from "./tf.js";

/**
 * Check cases of the elementwise, reduction, resize-gradient, depthwise and pooling kernels dealkit adds to
 * the wasm backend (its SIMD module), in every size of the grid. Part of `kernelCases` (check-cases.ts).
 */
export function opCases(): KernelCase[] {
  return [
    {
      kernels: ["Add", "Sub", "Multiply", "RealDiv", "Maximum", "Minimum", "Pow", "Select"],
      name: "add / sub / mul / div / maximum / minimum / pow / where: same shape, bias, per-row, scalar, either order, other broadcasts (values, gradients)",
      inputs: [{ shape: [3, 5, 6, 12] }, { shape: [3, 5, 6, 12] }, { shape: [12] }, { shape: [3, 5, 6, 1] }, { shape: [6, 12] }, { shape: [3, 1, 6, 12] }, { shape: [7], ints: [-5, 5] }],
      run: ([x, y, bias, row, trail, mid, k]) => {
        const all = (p: tf.Tensor, q: tf.Tensor) => [tf.add(p, q), tf.sub(p, q), tf.mul(p, q), tf.div(p, q)];
        const positive = tf.greater(x, 0);
        return [
          ...all(x, y),
          ...all(x, bias),
          ...all(bias, x),
          ...all(x, row),
          ...all(row, x),
          ...all(x, trail),
          ...all(x, mid),
          ...all(x, tf.scalar(1.7)),
          ...all(tf.scalar(-0.3), x),
          tf.maximum(x, y), tf.minimum(x, bias), tf.maximum(row, x), tf.minimum(x, tf.scalar(0.2)), tf.maximum(tf.scalar(-0.1), x),
          tf.minimum(tf.neg(tf.abs(x)), tf.scalar(-0)),
          tf.pow(x, 2), tf.pow(x, tf.scalar(3)), tf.pow(tf.abs(x), 0.5), tf.square(row),
          tf.where(tf.greater(x, y), x, y), tf.where(tf.greater(x, 0), tf.cast(x, "int32"), tf.cast(y, "int32")), tf.where(tf.greater(bias, 0), bias, tf.scalar(1)),
          tf.add(k, k),
          tf.mul(k, tf.scalar(3, "int32")),
          ...tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => tf.sum(tf.mul(tf.div(tf.sub(p, r), q), tf.add(p, q))))([x, bias, row]),
          ...tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.pow(tf.maximum(p, q), 2), tf.where(positive, p, q))))([x, y]),
        ];
      },
    },
    {
      kernels: ["Sum", "Mean"],
      name: "sum / mean over middle, separated, last and all axes; size-1 axes; LayerNorm's moments (values, gradients)",
      inputs: [{ shape: [3, 4, 2, 5, 2, 6] }, { shape: [2, 3, 1, 8] }, { shape: [5000] }, { shape: [64, 70] }],
      run: ([x, y, long, wide]) => {
        const both = (t: tf.Tensor, axes: number | number[], keep = false) => [tf.sum(t, axes, keep), tf.mean(t, axes, keep)];
        return [
          ...both(x, [2, 4]),
          ...both(x, [2, 4], true),
          ...both(x, [1, 2]),
          ...both(x, [0, 2]),
          ...both(x, [1, 3]),
          ...both(x, -1),
          ...both(x, [4, 5], true),
          ...both(x, [0, 1, 2, 3, 4, 5]),
          ...both(y, 2),
          ...both(y, [2, 3]),
          ...both(y, [0, 2]),
          ...both(long, 0),
          ...both(tf.reshape(long, [1, 5000]), 1),
          ...both(tf.concat([wide, wide], 0), [0, 1]),
          ...tf.grads((a: tf.Tensor) => {
            const { mean, variance } = tf.moments(a, -1, true);
            return tf.sum(tf.mul(tf.mul(tf.sub(a, mean), tf.rsqrt(tf.add(variance, 1e-5))), tf.range(0, 6)));
          })([x]),
        ];
      },
    },
    {
      kernels: ["ResizeBilinearGrad", "ResizeNearestNeighborGrad"],
      // Where tfjs 4.22's cpu gradients are right: no half-pixel centres (they ignore them), square inputs for
      // bilinear (its cpu gradient returns [b, w, h, c]), batch 1 for nearest (its cpu gradient reads dy at
      // the image's batch offsets). The tests check dealkit's kernels everywhere by adjointness.
      name: "gradients of resizeBilinear / resizeNearestNeighbor: up, down, odd sizes, align corners",
      inputs: [{ shape: [2, 6, 6, 8] }, { shape: [2, 10, 12, 8] }, { shape: [2, 3, 4, 8] }, { shape: [1, 7, 7, 3] }, { shape: [1, 15, 9, 3] }, { shape: [1, 4, 3, 3] }],
      run: ([x, w1, w2, y, w3, w4]) => {
        const out: tf.Tensor[] = [];
        const grad = (t: tf.Tensor, w: tf.Tensor, f: (a: tf.Tensor4D, size: [number, number]) => tf.Tensor) =>
          tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor4D, [w.shape[1]!, w.shape[2]!]), w)))(t);
        for (const align of [false, true]) {
          for (const w of [w1, w2, w3, w4]) {
            const t = w.shape[0] === 2 ? x : y;
            out.push(grad(t, w, (a, size) => tf.image.resizeBilinear(a, size, align)));
            if (t === y) out.push(grad(t, w, (a, size) => tf.image.resizeNearestNeighbor(a, size, align)));
          }
        }
        return out;
      },
    },
    {
      kernels: ["DepthwiseConv2dNative", "FusedDepthwiseConv2D"],
      name: "depthwiseConv2d dilated; fused with bias and relu / linear",
      inputs: [{ shape: [2, 11, 10, 8] }, { shape: [3, 3, 8, 1] }, { shape: [8] }],
      run: ([x, f, bias]) => [
        tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, "same", "NHWC", 2),
        tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, [[0, 0], [2, 1], [0, 3], [0, 0]]),
        tf.fused.depthwiseConv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 1, pad: "same", bias, activation: "relu" }),
        tf.fused.depthwiseConv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 2, pad: "valid", bias, activation: "linear" }),
        tf.fused.depthwiseConv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 1, pad: "same", activation: "relu6" }),
      ],
    },
    {
      kernels: ["MaxPool", "MaxPoolGrad"],
      name: "maxPool 3x3 stride 1 / 2, 2x2, same / valid / explicit, ties (values, gradients)",
      inputs: [{ shape: [2, 9, 10, 8] }, { shape: [1, 7, 7, 3] }],
      run: ([x, y]) => {
        const ties = tf.round(tf.mul(y, 1.5)); // repeated values: the gradient goes to the first maximum
        const out: tf.Tensor[] = [];
        for (const t of [x, ties] as tf.Tensor4D[]) {
          for (const [k, st, pad] of [[3, 1, "same"], [3, 2, "same"], [2, 2, "valid"], [3, 1, "valid"], [3, 2, 1]] as Array<[number, number, "same" | "valid" | number]>) {
            out.push(tf.maxPool(t, k, st, pad));
            out.push(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, k, st, pad), tf.range(1, 1 + tf.maxPool(t, k, st, pad).size).reshape(tf.maxPool(t, k, st, pad).shape))))(t));
          }
        }
        return out;
      },
    },
  ];
}
