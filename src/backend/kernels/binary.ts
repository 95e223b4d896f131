import { tf } from "../tf.js";
import { simdFor } from "./simd.js";

type Info = tf.TensorInfo;

const OPS = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, Maximum: 4, Minimum: 5 } as const;
/** The elementwise kernels {@link binaryKernel} speeds up. */
export type BinaryKernelName = keyof typeof OPS;

/**
 * How `b` broadcasts against the full-shape `a` as rows x cols: the same shape, a trailing block (a bias:
 * b is [1, ..., 1, a_k, ..., a_n]), a leading block (b is [a_0, ..., a_k, 1, ..., 1]), or a scalar.
 * Null for any other pattern.
 */
export function rowBroadcast(a: number[], b: number[]): { rows: number; cols: number; bRow: number; bCol: number } | null {
  if (b.length > a.length) return null;
  const bb = [...new Array<number>(a.length - b.length).fill(1), ...b];
  const n = tf.util.sizeFromShape(a);
  const size = tf.util.sizeFromShape(bb);
  if (size === n && bb.every((d, i) => d === a[i])) return { rows: 1, cols: n, bRow: n, bCol: 1 };
  if (size === 1) return { rows: 1, cols: n, bRow: 0, bCol: 0 };
  // Trailing block: ones, then a's trailing dims.
  let k = 0;
  while (k < bb.length && bb[k] === 1) k++;
  if (bb.slice(k).every((d, i) => d === a[k + i])) {
    const cols = tf.util.sizeFromShape(a.slice(k));
    return { rows: n / cols, cols, bRow: 0, bCol: 1 };
  }
  // Leading block: a's leading dims, then ones.
  let e = bb.length;
  while (e > 0 && bb[e - 1] === 1) e--;
  if (bb.slice(0, e).every((d, i) => d === a[i])) {
    const cols = tf.util.sizeFromShape(a.slice(e));
    return { rows: n / cols, cols, bRow: 1, bCol: 0 };
  }
  return null;
}

/**
 * Add, Sub, Multiply, RealDiv, Maximum and Minimum of float32 tensors in dealkit's SIMD module (simd/elementwise.c `binary_rows`) when
 * one operand has the output's shape and the other is the same shape, a per-channel vector (a bias, a
 * LayerNorm scale), a per-row value ([..., 1]: a LayerNorm mean) or a scalar; the commutative ones also
 * with the operands the other way round. Anything else goes to the backend's own kernel. [4,128,128,32]
 * plus a [32] bias: 0.7 ms against 1.0 ms (fastest of 30 calls); maximum with a scalar (relu-like
 * clamps): ~1 ms against ~29 ms.
 */
export function binaryKernel(kernelName: BinaryKernelName, native: tf.KernelFunc): tf.KernelFunc {
  const op = OPS[kernelName];
  const commutative = kernelName !== "Sub" && kernelName !== "RealDiv";
  return (args) => {
    let { a, b } = args.inputs as { a: Info; b: Info };
    const simd = simdFor(args.backend);
    if (simd == null || a.dtype !== "float32" || b.dtype !== "float32") return native(args);
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const n = tf.util.sizeFromShape(outShape);
    if (n === 0) return native(args);
    if (commutative && tf.util.sizeFromShape(a.shape) < n) [a, b] = [b, a];
    if (a.shape.length !== outShape.length || tf.util.sizeFromShape(a.shape) !== n) return native(args);
    const pattern = rowBroadcast(a.shape, b.shape);
    if (pattern == null) return native(args);
    const backend = args.backend as tf.KernelBackend;
    const out: Info = { dataId: backend.write(null as unknown as tf.backend_util.BackendValues, outShape, "float32"), shape: outShape, dtype: "float32" };
    simd.fns.binary_rows(op, simd.ptr(a), simd.ptr(b), simd.ptr(out), pattern.rows, pattern.cols, pattern.bRow, pattern.bCol);
    return out;
  };
}

/**
 * Pow of a float32 tensor by the scalar 2 as x * x (exactly what the cpu backend's Math.pow gives once
 * rounded to float32): wasm's own Pow takes ~45 ms for [4,128,128,32]. Other exponents go to `native`.
 */
export function powKernel(native: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: Info; b: Info };
    const simd = simdFor(args.backend);
    if (simd == null || a.dtype !== "float32" || b.dtype !== "float32" || tf.util.sizeFromShape(b.shape) !== 1 || b.shape.length > a.shape.length) return native(args);
    const heap = args.backend as unknown as { typedArrayFromHeap(i: Info): Float32Array };
    const n = tf.util.sizeFromShape(a.shape);
    if (heap.typedArrayFromHeap(b)[0] !== 2 || n === 0) return native(args);
    const backend = args.backend as tf.KernelBackend;
    const out: Info = { dataId: backend.write(null as unknown as tf.backend_util.BackendValues, a.shape, "float32"), shape: a.shape.slice(), dtype: "float32" };
    simd.fns.binary_rows(OPS.Multiply, simd.ptr(a), simd.ptr(a), simd.ptr(out), 1, n, n, 1);
    return out;
  };
}

/** Select (where) with condition, t and e of one shape, 4-byte values: one SIMD pass (~50 ms natively for 2M values). */
export function selectKernel(native: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { condition, t, e } = args.inputs as { condition: Info; t: Info; e: Info };
    const simd = simdFor(args.backend);
    const same = (p: Info, q: Info) => p.shape.length === q.shape.length && p.shape.every((d, i) => d === q.shape[i]);
    if (simd == null || condition.dtype !== "bool" || (t.dtype !== "float32" && t.dtype !== "int32") || e.dtype !== t.dtype) return native(args);
    if (!same(condition, t) || !same(t, e)) return native(args);
    const n = tf.util.sizeFromShape(t.shape);
    if (n === 0) return native(args);
    const backend = args.backend as tf.KernelBackend;
    const out: Info = { dataId: backend.write(null as unknown as tf.backend_util.BackendValues, t.shape, t.dtype), shape: t.shape.slice(), dtype: t.dtype };
    simd.fns.select_rows(simd.ptr(condition), simd.ptr(t), simd.ptr(e), simd.ptr(out), n);
    return out;
  };
}
