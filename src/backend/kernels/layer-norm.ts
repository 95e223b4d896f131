import { tf } from "../tf.js";
import { heapBackend } from "./memory.js";
import { simdFor } from "./simd.js";

type Info = tf.TensorInfo;

/** The name of dealkit's fused LayerNorm kernel (wasm only; forward, for inference). */
export const LAYER_NORM_KERNEL = "DealkitLayerNorm";

/**
 * LayerNorm over the last axis in one kernel: inputs x [..., n], g [n], b [n], attribute eps; out
 * (x - mean) / sqrt(var + eps) * g + b (the biased variance, as tf.moments). dealkit's SIMD module
 * (simd/elementwise.c `layer_norm_rows`) reads x twice and writes once, where the composed ops (moments, sub,
 * mul, rsqrt, mul, add) take eight passes; a portable loop on the backend's heap where the module cannot run.
 * No gradient: training runs the composed ops, which it differentiates.
 */
export function layerNormKernel(): tf.KernelFunc {
  return (args) => {
    const { x, g, b } = args.inputs as { x: Info; g: Info; b: Info };
    const eps = (args.attrs as unknown as { eps: number }).eps;
    const backend = args.backend as tf.KernelBackend;
    const n = x.shape[x.shape.length - 1] ?? 1;
    const size = tf.util.sizeFromShape(x.shape);
    if (x.dtype !== "float32" || g.shape.length !== 1 || b.shape.length !== 1 || g.shape[0] !== n || b.shape[0] !== n) {
      throw new Error(`${LAYER_NORM_KERNEL}: x [..., n] float32 with g and b of [n]; got x [${x.shape}] ${x.dtype}, g [${g.shape}], b [${b.shape}]`);
    }
    const out: Info = { dataId: backend.write(null as unknown as tf.backend_util.BackendValues, x.shape, "float32"), shape: x.shape.slice(), dtype: "float32" };
    if (size === 0) return out;
    const rows = size / n;
    const simd = simdFor(backend);
    if (simd != null) {
      simd.fns.layer_norm_rows(simd.ptr(x), simd.ptr(g), simd.ptr(b), simd.ptr(out), rows, n, eps);
      return out;
    }
    const heap = heapBackend(backend);
    if (heap == null) throw new Error(`${LAYER_NORM_KERNEL}: runs on the wasm backend only`);
    const xv = heap.typedArrayFromHeap(x) as Float32Array, gv = heap.typedArrayFromHeap(g) as Float32Array, bv = heap.typedArrayFromHeap(b) as Float32Array;
    const yv = heap.typedArrayFromHeap(out) as Float32Array;
    const f = Math.fround;
    for (let r = 0; r < rows; r++) {
      const o = r * n;
      let s = 0;
      for (let j = 0; j < n; j++) s += xv[o + j]!;
      const m = f(s / n);
      let q = 0;
      for (let j = 0; j < n; j++) {
        const d = f(xv[o + j]! - m);
        q += f(d * d);
      }
      const rstd = f(1 / f(Math.sqrt(f(f(q / n) + f(eps)))));
      for (let j = 0; j < n; j++) yv[o + j] = f(f(f(f(xv[o + j]! - m) * rstd) * gv[j]!) + bv[j]!);
    }
    return out;
  };
}

/**
 * LayerNorm of `x` over its last axis with gain `g` and bias `b` in one kernel where the active backend has
 * dealkit's (wasm); null elsewhere, and the caller runs the composed ops. Forward only (no gradient).
 *
 * @example
 * const y = fusedLayerNorm(x, gain, bias, 1e-5) ?? composedLayerNorm(x, gain, bias);
 */
export function fusedLayerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps: number): tf.Tensor | null {
  if (tf.getKernel(LAYER_NORM_KERNEL, tf.getBackend()) == null) return null;
  return tf.engine().runKernel(LAYER_NORM_KERNEL, { x, g, b }, { eps } as unknown as tf.NamedAttrMap) as tf.Tensor;
}
