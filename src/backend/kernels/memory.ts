import { tf } from "../tf.js";
import type { KernelScope } from "./scope.js";
import { simdFor, type Simd } from "./simd.js";

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

/** Whether `simd` can copy between these heap views (4-byte elements on its memory). */
function simdCopies(simd: Simd | null | undefined, src: Heap, dst: Heap): simd is Simd {
  return simd != null && src.BYTES_PER_ELEMENT === 4 && dst.BYTES_PER_ELEMENT === 4 && src.buffer === dst.buffer;
}

/**
 * Copies the block `begin` + `size` of `src` (shape `shape`, row-major) into `dst` from `dstOffset` on.
 * Trailing axes taken whole are merged into one row; short rows are copied by a loop, long ones by `set`,
 * or, given dealkit's SIMD module and 4-byte heap views, the rows of the last outer axis by one
 * `copy_rows` call (SplitV of [4,64,64,144] into 9: 12 ms in the loop).
 */
export function copyBlock(src: Heap, shape: readonly number[], begin: readonly number[], size: readonly number[], dst: Heap, dstOffset = 0, simd?: Simd | null): void {
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
  if (inner > 0 && simdCopies(simd, src, dst)) {
    // The last outer axis as one strided copy; the axes before it by the odometer.
    const last = inner - 1;
    const count = size[last]!;
    for (let r = 0; r < rows; r += count) {
      let o = base;
      for (let i = 0; i < last; i++) o += idx[i]! * strides[i]!;
      simd.fns.copy_rows(src.byteOffset + o * 4, strides[last]!, dst.byteOffset + d * 4, row, count, row);
      d += row * count;
      for (let i = last - 1; i >= 0; i--) {
        if (++idx[i]! < size[i]!) break;
        idx[i] = 0;
      }
    }
    return;
  }
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
    copyBlock(heap.typedArrayFromHeap(x), x.shape, b, s, heap.typedArrayFromHeap(out), 0, simdFor(args.backend));
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
    const simd = simdFor(args.backend);
    outs.forEach((out) => {
      copyBlock(src, x.shape, begin, out.shape, heap.typedArrayFromHeap(out), 0, simd);
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
 * Sum over leading axes (bias gradients: [B, H, W, C] summed over B, H, W) as one pass over rows in
 * JavaScript with float64 accumulators, where dealkit's SIMD module is not available (reduce.ts) (like the cpu backend); wasm's own kernel transposes the input
 * first (ms per call, [16384, 64] summed over rows: native 7.8, here 1.2; XNNPACK through a product with
 * ones 3.5, as it packs the whole fresh input). Any other reduction goes to the native kernel.
 */
export function sumKernel(native: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as Info;
    const heap = heapBackend(args.backend);
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    if (heap == null || x.dtype !== "float32" || !leading) return native(args);
    const rows = x.shape.slice(0, axes.length).reduce((p, q) => p * q, 1);
    const cols = x.shape.slice(axes.length).reduce((p, q) => p * q, 1);
    const outShape = keepDims ? x.shape.map((d, i) => (i < axes.length ? 1 : d)) : x.shape.slice(axes.length);
    const out = allocate(args.backend as tf.KernelBackend, outShape, "float32");
    const v = heap.typedArrayFromHeap(x);
    const acc = new Float64Array(cols);
    let r = 0;
    for (; r + 4 <= rows; r += 4) {
      const o = r * cols;
      for (let j = 0; j < cols; j++) acc[j] += v[o + j]! + v[o + cols + j]! + v[o + 2 * cols + j]! + v[o + 3 * cols + j]!;
    }
    for (; r < rows; r++) for (let j = 0; j < cols; j++) acc[j] += v[r * cols + j]!;
    heap.typedArrayFromHeap(out).set(acc);
    return out;
  };
}

/**
 * DepthToSpace for the stride-phase input gradient, cropped: `y` is [b, qh, qw, s*s*c] with channel
 * (ph*s + pw)*c + k; the result is [b, h, w, c] with (s*q + ph, s*r + pw) = y[q, r, phase]. One pass in
 * JavaScript: wasm's DepthToSpace is a per-element loop (14 ms for [8,32,32,64], against ~1 ms).
 */
export function depthToSpaceCropped(s: KernelScope, y: Info, st: number, h: number, w: number): Info {
  const heap = heapBackend(s.backend);
  const [b, qh, qw, cs] = y.shape as [number, number, number, number];
  const c = cs / (st * st);
  if (heap == null) {
    const full = s.run("DepthToSpace", { x: y }, { blockSize: st, dataFormat: "NHWC" });
    return full.shape[1] === h && full.shape[2] === w ? full : s.slice(full, [0, 0, 0, 0], [b, h, w, c]);
  }
  const out = s.allocate([b, h, w, c], "float32");
  const src = heap.typedArrayFromHeap(y);
  const dst = heap.typedArrayFromHeap(out);
  const simd = simdFor(s.backend);
  if (simdCopies(simd, src, dst)) {
    // Per output row and column phase pw: columns pw, pw + st, ... read every cs floats, written every st*c.
    for (let n = 0; n < b; n++) {
      for (let i = 0; i < h; i++) {
        const q = Math.floor(i / st);
        const ph = i - q * st;
        for (let pw = 0; pw < st && pw < w; pw++) {
          const cols = Math.ceil((w - pw) / st);
          const o = ((n * qh + q) * qw) * cs + (ph * st + pw) * c;
          const d0 = ((n * h + i) * w + pw) * c;
          simd.fns.copy_rows(src.byteOffset + o * 4, cs, dst.byteOffset + d0 * 4, st * c, cols, c);
        }
      }
    }
    return out;
  }
  let d = 0;
  for (let n = 0; n < b; n++) {
    for (let i = 0; i < h; i++) {
      const q = Math.floor(i / st);
      const ph = i - q * st;
      for (let j = 0; j < w; j++) {
        const r = Math.floor(j / st);
        const o = ((n * qh + q) * qw + r) * cs + (ph * st + (j - r * st)) * c;
        if (c >= 64) {
          dst.set(src.subarray(o, o + c), d);
        } else {
          for (let k = 0; k < c; k++) dst[d + k] = src[o + k]!;
        }
        d += c;
      }
    }
  }
  return out;
}

/**
 * GatherV2 on wasm (batchDims 0, int32 indices), copying rows from heap views: wasm's own kernel takes
 * ~2.7 ms to gather 6400 rows of 16 floats (bilinear sampling in DEAL), this ~0.1 ms. Out-of-range
 * indices, batchDims > 0 and strings go to the native kernel (which throws its usual error).
 */
export function gatherV2Kernel(native: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x, indices } = args.inputs as { x: Info; indices: Info };
    const heap = heapBackend(args.backend);
    const { axis, batchDims } = args.attrs as unknown as tf.GatherV2Attrs;
    if (heap == null || x.dtype === "string" || indices.dtype !== "int32" || (batchDims ?? 0) !== 0) return native(args);
    const ax = tf.util.parseAxisParam(axis, x.shape)[0]!;
    const dim = x.shape[ax]!;
    const idx = heap.typedArrayFromHeap(indices) as Int32Array;
    for (let i = 0; i < idx.length; i++) if (!(idx[i]! >= 0 && idx[i]! < dim)) return native(args);
    const outer = x.shape.slice(0, ax).reduce((p, q) => p * q, 1);
    const inner = x.shape.slice(ax + 1).reduce((p, q) => p * q, 1);
    const outShape = [...x.shape.slice(0, ax), ...indices.shape, ...x.shape.slice(ax + 1)];
    const out = allocate(args.backend as tf.KernelBackend, outShape, x.dtype);
    const simd = simdFor(args.backend);
    const src0 = heap.typedArrayFromHeap(x);
    if (simdCopies(simd, src0, src0)) {
      simd.fns.gather_rows(simd.ptr(x), simd.ptr(indices), simd.ptr(out), tf.util.sizeFromShape(indices.shape), inner, outer, dim);
      return out;
    }
    const ids = Int32Array.from(heap.typedArrayFromHeap(indices) as Int32Array); // views after the allocation
    const src = heap.typedArrayFromHeap(x);
    const dst = heap.typedArrayFromHeap(out);
    let d = 0;
    for (let o = 0; o < outer; o++) {
      const base = o * dim * inner;
      for (let i = 0; i < ids.length; i++) {
        const s0 = base + ids[i]! * inner;
        if (inner >= 64) dst.set(src.subarray(s0, s0 + inner), d);
        else for (let k = 0; k < inner; k++) dst[d + k] = src[s0 + k]!;
        d += inner;
      }
    }
    return out;
  };
}

/**
 * Concat on wasm with short rows copied by a loop: wasm's own kernel calls `set` once per row and input,
 * which dominates for narrow inputs (9 x [4,64,64,16] on the last axis: 12 ms, here ~1 ms).
 */
export function concatKernel(native: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const inputs = (Object.values(args.inputs) as Info[]).filter((t) => t.shape.reduce((p, q) => p * q, 1) > 0);
    const heap = heapBackend(args.backend);
    if (heap == null || inputs.length < 2 || inputs.some((t) => t.dtype === "string" || t.dtype !== inputs[0]!.dtype)) return native(args);
    const all = Object.values(args.inputs) as Info[];
    const ax = tf.util.parseAxisParam((args.attrs as unknown as tf.ConcatAttrs).axis, all[0]!.shape)[0]!;
    tf.backend_util.assertParamsConsistent(all.map((t) => t.shape), ax);
    const outShape = tf.backend_util.computeOutShape(all.map((t) => t.shape), ax);
    const out = allocate(args.backend as tf.KernelBackend, outShape, inputs[0]!.dtype);
    const outer = outShape.slice(0, ax).reduce((p, q) => p * q, 1);
    const widths = inputs.map((t) => t.shape.slice(ax).reduce((p, q) => p * q, 1));
    const total = widths.reduce((p, q) => p + q, 0);
    const srcs = inputs.map((t) => heap.typedArrayFromHeap(t));
    const dst = heap.typedArrayFromHeap(out);
    const simd = simdFor(args.backend);
    let col = 0;
    if (simdCopies(simd, dst, dst)) {
      inputs.forEach((_, i) => {
        simd.fns.copy_rows(srcs[i]!.byteOffset, widths[i]!, dst.byteOffset + col * 4, total, outer, widths[i]!);
        col += widths[i]!;
      });
      return out;
    }
    inputs.forEach((_, i) => {
      const wdt = widths[i]!;
      const src = srcs[i]!;
      for (let o = 0; o < outer; o++) {
        const d = o * total + col;
        const s0 = o * wdt;
        if (wdt >= 64) dst.set(src.subarray(s0, s0 + wdt), d);
        else for (let k = 0; k < wdt; k++) dst[d + k] = src[s0 + k]!;
      }
      col += wdt;
    });
    return out;
  };
}

/** Transpose on wasm: an identity permutation shares memory (like Identity) instead of copying. */
export function transposeKernel(native: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as Info;
    const heap = heapBackend(args.backend);
    const { perm } = args.attrs as unknown as tf.TransposeAttrs;
    if (heap == null || x.dtype === "string" || !perm.every((p, i) => p === i)) return native(args);
    heap.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
  };
}

/**
 * Cast on wasm: a cast to the tensor's own dtype shares memory (like Identity; the cpu backend does the
 * same) instead of copying it. Gradients of relu and step cast float32 to float32 on every map.
 */
export function castKernel(native: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as Info;
    const heap = heapBackend(args.backend);
    const { dtype } = args.attrs as unknown as tf.CastAttrs;
    if (heap == null || x.dtype === "string" || dtype !== x.dtype) return native(args);
    heap.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
  };
}
