import { tf } from "../tf.js";
import { composed } from "./scope.js";

type Info = tf.TensorInfo;
type Heap = Float32Array | Int32Array | Uint8Array;

/** The part of the wasm backend that gives views of a tensor's memory (no copy). */
interface HeapBackend {
  typedArrayFromHeap(info: Info): Heap;
  incRef(dataId: tf.DataId): void;
}

/** The backend as a {@link HeapBackend}, or null when it has no heap views (then the native kernel runs). */
export function heapBackend(backend: unknown): HeapBackend | null {
  const b = backend as Partial<HeapBackend> | null;
  return b != null && typeof b.typedArrayFromHeap === "function" && typeof b.incRef === "function" ? (b as HeapBackend) : null;
}

/**
 * Copies the block `begin` + `size` of `src` (shape `shape`, row-major) into `dst` from `dstOffset` on.
 * Trailing axes taken whole are merged into one row; short rows are copied by a loop, long ones by `set`.
 */
export function copyBlock(src: Heap, shape: readonly number[], begin: readonly number[], size: readonly number[], dst: Heap, dstOffset = 0): void {
  const rank = shape.length;
  const total = size.reduce((a, b) => a * b, 1);
  if (total === 0) return;
  // Merge the innermost axes that are taken whole, plus the first one that is not.
  let inner = rank - 1;
  let row = size[rank - 1] ?? 1;
  while (inner > 0 && begin[inner] === 0 && size[inner] === shape[inner]) {
    inner--;
    row *= size[inner]!;
  }
  if (rank === 0) {
    dst[dstOffset] = src[0]!;
    return;
  }
  const strides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) strides[i] = strides[i + 1]! * shape[i + 1]!;
  // Odometer over the outer axes 0..inner-1; the row starts at begin[inner] on axis `inner`.
  const idx = new Array<number>(inner).fill(0);
  let base = 0;
  for (let i = 0; i <= inner; i++) base += begin[i]! * strides[i]!;
  const rows = total / row;
  let d = dstOffset;
  for (let r = 0; r < rows; r++) {
    let o = base;
    for (let i = 0; i < inner; i++) o += idx[i]! * strides[i]!;
    if (row >= 64) {
      dst.set(src.subarray(o, o + row), d);
    } else {
      for (let k = 0; k < row; k++) dst[d + k] = src[o + k]!;
    }
    d += row;
    for (let i = inner - 1; i >= 0; i--) {
      if (++idx[i]! < size[i]!) break;
      idx[i] = 0;
    }
  }
}

/** A new tensor of `shape` whose memory is not initialised (the caller fills it). */
function allocate(backend: tf.KernelBackend, shape: number[], dtype: tf.DataType): Info {
  return { dataId: backend.write(null as unknown as tf.backend_util.BackendValues, shape, dtype), shape, dtype };
}

/**
 * Slice on wasm, reading the input in place: wasm's own kernel first copies the *whole* input out of the
 * heap (readSync) for every call, so a small slice of a large tensor, and every output of SplitV, costs a
 * full copy (SplitV of [4,64,64,144] into 9: 79 ms against 3 ms).
 */
export function sliceKernel(native: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as Info;
    const heap = heapBackend(args.backend);
    if (heap == null || x.dtype === "string") return native(args);
    const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
    const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    const out = allocate(args.backend as tf.KernelBackend, s, x.dtype);
    // Views after the allocation: growing the heap detaches older views.
    copyBlock(heap.typedArrayFromHeap(x), x.shape, b, s, heap.typedArrayFromHeap(out));
    return out;
  };
}

/** SplitV on wasm with in-place reads (see {@link sliceKernel}). */
export function splitVKernel(native: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as Info;
    const heap = heapBackend(args.backend);
    if (heap == null || x.dtype === "string") return native(args);
    const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
    const ax = tf.util.parseAxisParam(axis, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, ax);
    const outs = sizes.map((n) => allocate(args.backend as tf.KernelBackend, x.shape.map((d, i) => (i === ax ? n : d)), x.dtype));
    const src = heap.typedArrayFromHeap(x);
    const begin = x.shape.map(() => 0);
    outs.forEach((out) => {
      copyBlock(src, x.shape, begin, out.shape, heap.typedArrayFromHeap(out));
      begin[ax] += out.shape[ax]!;
    });
    return outs;
  };
}

/**
 * Identity on wasm as a new reference to the same memory (what the cpu backend does) instead of a copy:
 * gradients pass through Identity ~1900 times per DEAL-tiny training step. Tensors are immutable, so
 * sharing is safe; the backend's reference count frees the memory with the last reference.
 */
export function identityKernel(native: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as Info;
    const heap = heapBackend(args.backend);
    if (heap == null || x.dtype === "string") return native(args);
    heap.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
  };
}

/**
 * Sum over leading axes (bias gradients: [B, H, W, C] summed over B, H, W) as a product with a row of
 * ones, which XNNPACK runs in one pass; wasm's own kernel transposes the input first (8 ms against
 * 0.3 ms for [4,64,64,64]). Any other reduction goes to the native kernel.
 */
export function sumKernel(backendName: string, native: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as Info;
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    const rows = x.shape.slice(0, axes.length).reduce((p, q) => p * q, 1);
    const cols = x.shape.slice(axes.length).reduce((p, q) => p * q, 1);
    if (x.dtype !== "float32" || !leading || rows < 2 || cols === 0) return native(args);
    return composed(args.backend as tf.KernelBackend, backendName, (s) => {
      const ones = s.constant(new Float32Array(rows).fill(1), [1, rows], "float32");
      const y = s.run("BatchMatMul", { a: ones, b: s.reshape(x, [rows, cols]) }, { transposeA: false, transposeB: false });
      const outShape = keepDims ? x.shape.map((d, i) => (i < axes.length ? 1 : d)) : x.shape.slice(axes.length);
      return s.reshape(y, outShape);
    });
  };
}
