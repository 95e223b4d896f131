import { tf } from "../tf.js";
import { simdFor, type Simd } from "./simd.js";

type Info = tf.TensorInfo;

/** Longest row `sum_last` adds in float32 lanes; longer full reductions go through `sum_rows`. */
const MAX_LAST = 4096;

/**
 * The axes of `shape` as runs of kept and reduced axes (size-1 axes dropped, neighbours of one kind
 * merged): [4,32,2,32,2,64] reduced over [2, 4] is K 128, R 2, K 32, R 2, K 64.
 */
export function reductionRuns(shape: readonly number[], axes: readonly number[]): Array<{ size: number; reduced: boolean }> {
  const runs: Array<{ size: number; reduced: boolean }> = [];
  shape.forEach((size, i) => {
    if (size === 1) return;
    const reduced = axes.includes(i);
    const last = runs[runs.length - 1];
    if (last != null && last.reduced === reduced) last.size *= size;
    else runs.push({ size, reduced });
  });
  return runs;
}

/** Runs the reduction in dealkit's SIMD module; false when the pattern is not one it takes. */
function reduceSimd(simd: Simd, backend: tf.KernelBackend, x: Info, out: Info, axes: number[], scale: number): boolean {
  const runs = reductionRuns(x.shape, axes);
  const pattern = runs.map((r) => (r.reduced ? "R" : "K")).join("");
  const sizes = runs.map((r) => r.size);
  const scratch = (n: number) => ({ dataId: backend.write(null as unknown as tf.backend_util.BackendValues, [2 * n], "float32"), shape: [2 * n], dtype: "float32" as const });
  const outSize = tf.util.sizeFromShape(out.shape);
  const strided = (A: number, R1: number, B: number, R2: number, C: number) => {
    const acc = scratch(C);
    simd.fns.sum_strided(simd.ptr(x), simd.ptr(out), simd.ptr(acc), A, R1, B, R2, C);
    backend.disposeData(acc.dataId);
  };
  switch (pattern) {
    case "": // nothing reduced but size-1 axes: a copy
      strided(1, 1, 1, 1, outSize);
      break;
    case "RK": {
      const acc = scratch(sizes[1]!);
      simd.fns.sum_rows(simd.ptr(x), simd.ptr(out), simd.ptr(acc), sizes[0]!, sizes[1]!);
      backend.disposeData(acc.dataId);
      break;
    }
    case "KRK": strided(sizes[0]!, sizes[1]!, 1, 1, sizes[2]!); break;
    case "RKRK": strided(1, sizes[0]!, sizes[1]!, sizes[2]!, sizes[3]!); break;
    case "KRKRK": strided(sizes[0]!, sizes[1]!, sizes[2]!, sizes[3]!, sizes[4]!); break;
    case "KR":
    case "R": {
      const len = sizes[sizes.length - 1]!;
      if (len <= MAX_LAST) {
        simd.fns.sum_last(simd.ptr(x), simd.ptr(out), pattern === "R" ? 1 : sizes[0]!, len, scale);
        return true;
      }
      if (pattern !== "R" || len % 64 !== 0) return false;
      // A long full reduction: 64 column sums in float64, then their total.
      const cols = { dataId: backend.write(null as unknown as tf.backend_util.BackendValues, [64], "float32"), shape: [64], dtype: "float32" as const };
      const acc = scratch(64);
      simd.fns.sum_rows(simd.ptr(x), simd.ptr(cols), simd.ptr(acc), len / 64, 64);
      const heap = backend as unknown as { typedArrayFromHeap(i: Info): Float32Array };
      const colSums = heap.typedArrayFromHeap(cols);
      let total = 0;
      for (let i = 0; i < 64; i++) total += colSums[i]!;
      heap.typedArrayFromHeap(out)[0] = total * scale;
      backend.disposeData(acc.dataId);
      backend.disposeData(cols.dataId);
      return true;
    }
    default:
      return false;
  }
  if (scale !== 1) {
    const v = (backend as unknown as { typedArrayFromHeap(i: Info): Float32Array }).typedArrayFromHeap(out);
    for (let i = 0; i < v.length; i++) v[i] = v[i]! * scale;
  }
  return true;
}

/**
 * Sum or Mean of a float32 tensor over any axes whose kept and reduced runs form one of the patterns of
 * dealkit's SIMD module (see {@link reductionRuns}): leading axes (bias gradients: `sum_rows`), middle
 * axes, two separated runs (the gradient of a 2x upsampling, [b,h,2,w,2,c] over [2,4]: `sum_strided`), or
 * the last axes (LayerNorm statistics, softmax sums: `sum_last`); float64 where many terms meet. Other
 * patterns, dtypes and backends go to `fallback`.
 */
export function reduceKernel(kind: "Sum" | "Mean", fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as Info;
    const simd = simdFor(args.backend);
    if (simd == null || x.dtype !== "float32") return fallback(args);
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const outShape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    const count = axes.reduce((p, a) => p * x.shape[a]!, 1);
    if (tf.util.sizeFromShape(x.shape) === 0 || count === 0) return fallback(args);
    const backend = args.backend as tf.KernelBackend;
    const out: Info = { dataId: backend.write(null as unknown as tf.backend_util.BackendValues, outShape, "float32"), shape: outShape, dtype: "float32" };
    if (reduceSimd(simd, backend, x, out, axes, kind === "Mean" ? 1 / count : 1)) return out;
    backend.disposeData(out.dataId);
    return fallback(args);
  };
}
