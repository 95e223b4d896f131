import { tf } from "../tf.js";
import { heapBackend } from "./memory.js";
import { simdFor } from "./simd.js";

type Info = tf.TensorInfo;

/** The name of dealkit's fused LayerNorm kernel (wasm only). */
export const LAYER_NORM_KERNEL = "DealkitLayerNorm";
/** Its gradient: inputs x, g, dy; outputs dx, dg, db. */
export const LAYER_NORM_GRAD_KERNEL = "DealkitLayerNormGrad";

/** What both kernels read from their arguments: the backend, eps, the row length n, the row count, an allocator. */
function setup(args: Parameters<tf.KernelFunc>[0], x: Info) {
  const backend = args.backend as tf.KernelBackend;
  const eps = (args.attrs as unknown as { eps: number }).eps;
  const n = x.shape[x.shape.length - 1] ?? 1;
  const size = tf.util.sizeFromShape(x.shape);
  const alloc = (shape: number[]): Info => ({ dataId: backend.write(null as unknown as tf.backend_util.BackendValues, shape, "float32"), shape, dtype: "float32" });
  return { backend, eps, n, rows: n > 0 ? size / n : 0, alloc };
}

/**
 * LayerNorm over the last axis in one kernel: inputs x [..., n], g [n], b [n], attribute eps; out
 * (x - mean) / sqrt(var + eps) * g + b (the biased variance, as tf.moments). dealkit's SIMD module
 * (simd/elementwise.c `layer_norm_rows`) reads x twice and writes once, where the composed ops (moments, sub,
 * mul, rsqrt, mul, add) take eight passes; a portable loop on the backend's heap where the module cannot run.
 * Its gradient is {@link layerNormGradKernel} (see {@link layerNorm}).
 */
export function layerNormKernel(): tf.KernelFunc {
  return (args) => {
    const { x, g, b } = args.inputs as { x: Info; g: Info; b: Info };
    const { backend, eps, n, rows, alloc } = setup(args, x);
    if (x.dtype !== "float32" || g.shape.length !== 1 || b.shape.length !== 1 || g.shape[0] !== n || b.shape[0] !== n) {
      throw new Error(`${LAYER_NORM_KERNEL}: x [..., n] float32 with g and b of [n]; got x [${x.shape}] ${x.dtype}, g [${g.shape}], b [${b.shape}]`);
    }
    const out = alloc(x.shape.slice());
    if (rows === 0) return out;
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
      const { m, rstd } = rowStats(xv, o, n, eps);
      for (let j = 0; j < n; j++) yv[o + j] = f(f(f(f(xv[o + j]! - m) * rstd) * gv[j]!) + bv[j]!);
    }
    return out;
  };
}

/** Row statistics as the kernels compute them (float32 mean and 1/sqrt(var + eps) of a row of x). */
function rowStats(xv: Float32Array, o: number, n: number, eps: number): { m: number; rstd: number } {
  const f = Math.fround;
  let s = 0;
  for (let j = 0; j < n; j++) s += xv[o + j]!;
  const m = f(s / n);
  let q = 0;
  for (let j = 0; j < n; j++) {
    const d = f(xv[o + j]! - m);
    q += f(d * d);
  }
  return { m, rstd: f(1 / f(Math.sqrt(f(f(q / n) + f(eps))))) };
}

/**
 * The gradient of {@link layerNormKernel}: inputs x [..., n], g [n], dy [..., n], attribute eps; outputs dx, dg, db.
 * With xhat = (x - mean) * rstd and dxhat = dy * g: dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
 * per row, dg = sum of dy * xhat and db = sum of dy over the rows (float64 accumulation, as the cpu backend sums).
 * One pass for the statistics and two over x and dy, where the composed ops' gradient takes some twenty.
 */
export function layerNormGradKernel(): tf.KernelFunc {
  return (args) => {
    const { x, g, dy } = args.inputs as { x: Info; g: Info; dy: Info };
    const { backend, eps, n, rows, alloc } = setup(args, x);
    const dx = alloc(x.shape.slice()), dg = alloc([n]), db = alloc([n]);
    const simd = simdFor(backend);
    if (simd != null && rows > 0) {
      const scratch = alloc([6 * n]); // pg, pb (n floats each), accg, accb (n doubles each)
      const base = simd.ptr(scratch);
      simd.fns.layer_norm_grad_rows(simd.ptr(x), simd.ptr(g), simd.ptr(dy), simd.ptr(dx), simd.ptr(dg), simd.ptr(db), base, base + 4 * n, base + 8 * n, base + 16 * n, rows, n, eps);
      backend.disposeData(scratch.dataId);
      return [dx, dg, db];
    }
    const heap = heapBackend(backend);
    if (heap == null) throw new Error(`${LAYER_NORM_GRAD_KERNEL}: runs on the wasm backend only`);
    const xv = heap.typedArrayFromHeap(x) as Float32Array, gv = heap.typedArrayFromHeap(g) as Float32Array, dyv = heap.typedArrayFromHeap(dy) as Float32Array;
    const dxv = heap.typedArrayFromHeap(dx) as Float32Array;
    const sg = new Float64Array(n), sb = new Float64Array(n);
    const f = Math.fround;
    for (let r = 0; r < rows; r++) {
      const o = r * n;
      const { m, rstd } = rowStats(xv, o, n, eps);
      let t1 = 0, t2 = 0;
      for (let j = 0; j < n; j++) {
        const xh = f(f(xv[o + j]! - m) * rstd);
        const dxh = f(dyv[o + j]! * gv[j]!);
        t1 += dxh;
        t2 += f(dxh * xh);
        sg[j] += f(dyv[o + j]! * xh);
        sb[j] += dyv[o + j]!;
      }
      const a1 = f(t1 / n), a2 = f(t2 / n);
      for (let j = 0; j < n; j++) {
        const xh = f(f(xv[o + j]! - m) * rstd);
        const dxh = f(dyv[o + j]! * gv[j]!);
        dxv[o + j] = f(rstd * f(f(dxh - a1) - f(xh * a2)));
      }
    }
    (heap.typedArrayFromHeap(dg) as Float32Array).set(sg);
    (heap.typedArrayFromHeap(db) as Float32Array).set(sb);
    return [dx, dg, db];
  };
}

type LayerNormOp = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor;
const fusedOps = new Map<number, LayerNormOp>();

/** The fused forward and backward kernels as one differentiable op, per eps. */
function fusedOp(eps: number): LayerNormOp {
  let op = fusedOps.get(eps);
  if (!op) {
    const attrs = { eps } as unknown as tf.NamedAttrMap;
    op = tf.customGrad(((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
      save([x, g]);
      return {
        value: tf.engine().runKernel(LAYER_NORM_KERNEL, { x, g, b }, attrs) as tf.Tensor,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.engine().runKernel(LAYER_NORM_GRAD_KERNEL, { x: saved[0]!, g: saved[1]!, dy }, attrs) as tf.Tensor[],
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as LayerNormOp;
    fusedOps.set(eps, op);
  }
  return op;
}

/**
 * LayerNorm of `x` over its last axis with gain `g` and bias `b` (eps inside the square root), differentiable:
 * one kernel forward and one backward where the active backend has dealkit's (wasm), else the composed ops
 * (tf.moments, sub, mul, rsqrt, mul, add), which the cpu backend and tfjs-node run.
 *
 * @example
 * const y = layerNorm(x, gain, bias, 1e-5);
 */
export function layerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps: number): tf.Tensor {
  const name = tf.getBackend();
  if (x.dtype === "float32" && tf.getKernel(LAYER_NORM_KERNEL, name) != null && tf.getKernel(LAYER_NORM_GRAD_KERNEL, name) != null) return fusedOp(eps)(x, g, b);
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    return x.sub(mean).mul(tf.rsqrt(variance.add(eps))).mul(g).add(b);
  });
}
