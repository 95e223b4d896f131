import { tf } from "../tf.js";
import { copyBlock, heapBackend } from "./memory.js";
import { composed, KernelScope } from "./scope.js";
import { simdFor } from "./simd.js";

type Info = tf.TensorInfo;

/** Products smaller than this (m * n * k per batch item) stay in one native batched call. */
const PER_ITEM_MIN_WORK = 4096;

/**
 * BatchMatMul on wasm, routed to XNNPACK's fast path. wasm's own kernel uses XNNPACK only for a single
 * product without transposes; everything else (transposeA/B: every matMul gradient; any batch > 1:
 * attention) runs a plain loop ~8-12x slower (ms per call, one core):
 *
 *     product                                 native   here
 *     [16384,64] x [64,64]^T                    54      4.3   (transpose b, then one product)
 *     [16384,64]^T x [16384,64]                 52      7.8   (transpose a, then one product)
 *     [4,4096,8] x [4,8,144]                    23      3.0   (one product per batch item)
 *     [16,256,16] x [16,16,256]                 18      5.3
 *
 * So: transposes become explicit Transpose kernels, and batches of large enough products run one
 * product per item (a broadcast a is shared, not copied; a broadcast b folds a's batch into its rows:
 * one product). Small batched products and broadcasts other than batch size 1 keep the native kernel.
 */
export function batchMatMulKernel(backendName: string, native: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: Info; b: Info };
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    const heap = heapBackend(args.backend);
    if (heap == null || a.dtype !== "float32" || b.dtype !== "float32") return native(args);
    const ra = a.shape.length;
    const rb = b.shape.length;
    const batchA = a.shape.slice(0, -2).reduce((p, q) => p * q, 1);
    const batchB = b.shape.slice(0, -2).reduce((p, q) => p * q, 1);
    const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
    const batch = Math.max(batchA, batchB);
    const plain = !transposeA && !transposeB;
    if (plain && batch === 1 && packedAs(b, k, n)) return native(args); // already XNNPACK, and keeps its packed b
    const broadcastOk = batchA === batchB || batchA === 1 || batchB === 1;
    if (transposeA && !transposeB && broadcastOk && m * n * k > 0) {
      const direct = transposedProductSimd(args.backend as tf.KernelBackend, a, b, [m, k, n], [batchA, batchB]);
      if (direct != null) return direct;
    }
    // b shared by every item: a's batch folds into its rows, one product.
    const folded = batchB === 1;
    if (!broadcastOk || m * n * k === 0 || (!folded && m * n * k < PER_ITEM_MIN_WORK)) return native(args);
    const outShape = [...tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)), m, n];
    return composed(args.backend as tf.KernelBackend, backendName, (s) => {
      // Operands as [batch, m, k] and [batch, k, n], transposed explicitly when asked.
      let a3 = s.reshape(a, transposeA ? [batchA, k, m] : [batchA, m, k]);
      let b3 = s.reshape(b, transposeB ? [batchB, n, k] : [batchB, k, n]);
      if (transposeA) a3 = s.transpose(a3, [0, 2, 1]);
      if (transposeB) b3 = s.transpose(b3, [0, 2, 1]);
      const product = (x: Info, y: Info): Info => {
        if (!packedAs(y, y.shape[0]!, y.shape[1]!)) y = s.copy(y, heap);
        const out = native({ inputs: { a: x, b: y }, backend: args.backend, attrs: { transposeA: false, transposeB: false } }) as Info;
        s.own(out);
        return out;
      };
      if (folded) return s.reshape(product(s.reshape(a3, [batchA * m, k]), s.reshape(b3, [k, n])), outShape);
      return s.reshape(perItemProducts(s, heap, a3, b3, batch, product), outShape);
    });
  };
}

/**
 * The k x n shape each b operand was first multiplied with. wasm caches XNNPACK's packed copy of b by its
 * data id alone, so the same memory used again under another shape (a reshape shares memory) reuses the
 * stale packing: wrong values, or a crash (tfjs 4.22: `matMul(ones([1, 168]), x.reshape([168, 9]))`, then
 * `matMul(ones([1, 4]), x.reshape([4, 378]))`). Such a b is multiplied through a fresh copy.
 */
const packedShapes = new WeakMap<object, string>();

function packedAs(b: Info, k: number, n: number): boolean {
  const key = `${k}x${n}`;
  const seen = packedShapes.get(b.dataId);
  if (seen === undefined) packedShapes.set(b.dataId, key);
  return seen === undefined || seen === key;
}

/** One native product per batch item, written into a [batch, m, n] result. */
function perItemProducts(
  s: KernelScope,
  heap: NonNullable<ReturnType<typeof heapBackend>>,
  a3: Info,
  b3: Info,
  batch: number,
  product: (x: Info, y: Info) => Info,
): Info {
  const [batchA, m, k] = a3.shape as [number, number, number];
  const n = b3.shape[2]!;
  const out = s.allocate([batch, m, n], "float32");
  const sharedA = batchA === 1 ? s.reshape(a3, [m, k]) : null; // (batchB === 1 is folded by the caller)
  for (let i = 0; i < batch; i++) {
    const item = (t: Info, rows: number, cols: number): Info => {
      const x = s.allocate([rows, cols], "float32");
      copyBlock(heap.typedArrayFromHeap(t), t.shape, [i, 0, 0], [1, rows, cols], heap.typedArrayFromHeap(x));
      return x;
    };
    const ai = sharedA ?? item(a3, m, k);
    const bi = item(b3, k, n);
    const yi = product(ai, bi);
    heap.typedArrayFromHeap(out).set(heap.typedArrayFromHeap(yi), i * m * n);
    if (ai !== sharedA) s.dispose(ai);
    s.dispose(bi);
    s.dispose(yi);
  }
  return out;
}

/**
 * a^T b for every batch item by dealkit's SIMD kernel (simd/conv.c `conv2d_filter_grad` as a 1x1 filter
 * gradient: x = a [k, m], dy = b [k, n]), reading both in place: no transposes and no packing. matMul
 * gradients with a long shared axis ([65536,16]^T x [65536,32]: 2 ms against 16 ms for a transpose then
 * XNNPACK; the correlation gradient [4,16384,1]^T x [4,16384,32]: 10 ms before). Null without the module.
 */
function transposedProductSimd(backend: tf.KernelBackend, a: Info, b: Info, [m, k, n]: number[], [batchA, batchB]: number[]): Info | null {
  const simd = simdFor(backend);
  if (simd == null) return null;
  const batch = Math.max(batchA!, batchB!);
  const outShape = [...tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)), m!, n!];
  return composed(backend, "wasm", (s) => {
    const out = s.allocate(outShape, "float32");
    const acc = s.allocate([2 * m! * n!], "float32"); // float64 scratch
    const [pa, pb, po, pacc] = [simd.ptr(a), simd.ptr(b), simd.ptr(out), simd.ptr(acc)];
    for (let i = 0; i < batch; i++) {
      const ai = pa + (batchA === 1 ? 0 : i) * k! * m! * 4;
      const bi = pb + (batchB === 1 ? 0 : i) * k! * n! * 4;
      simd.fns.conv2d_filter_grad(ai, bi, po + i * m! * n! * 4, pacc, 1, 1, k!, m!, 1, k!, n!, 1, 1, 1, 1, 1, 1, 0, 0);
    }
    s.dispose(acc);
    return out;
  });
}
