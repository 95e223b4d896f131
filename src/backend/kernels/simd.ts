import { SIMD_WASM_BASE64 } from "../simd/binary.js";
import { tf } from "../tf.js";
import { heapBackend } from "./memory.js";

type Info = tf.TensorInfo;

/** dealkit's SIMD kernels (src/backend/simd/*.c); pointers are byte offsets on the backend's heap. */
export interface SimdKernels {
  conv2d_filter_grad(x: number, dy: number, dw: number, acc: number, ...dims: number[]): void;
  depthwise_filter_grad(x: number, dy: number, dw: number, acc: number, ...dims: number[]): void;
  sum_rows(x: number, out: number, acc: number, rows: number, cols: number): void;
  binary_rows(op: number, a: number, b: number, out: number, rows: number, cols: number, bRow: number, bCol: number): void;
  copy_rows(src: number, srcStride: number, dst: number, dstStride: number, rows: number, len: number): void;
  gather_rows(src: number, ids: number, dst: number, n: number, inner: number, outer: number, dim: number): void;
  segment_sum_rows(x: number, ids: number, out: number, n: number, inner: number, segments: number): void;
  sum_strided(x: number, out: number, acc: number, A: number, R1: number, B: number, R2: number, C: number): void;
  sum_last(x: number, out: number, rows: number, len: number, scale: number): void;
  resize_bilinear_grad(dy: number, dx: number, ...dims: number[]): void;
  resize_nearest_grad(dy: number, dx: number, ...dims: number[]): void;
  max_pool(x: number, y: number, ...dims: number[]): void;
  max_pool_grad(x: number, dy: number, dx: number, ...dims: number[]): void;
  depthwise_conv(x: number, filter: number, bias: number, y: number, ...dims: number[]): void;
  select_rows(cond: number, t: number, e: number, out: number, n: number): void;
  layer_norm_rows(x: number, g: number, b: number, y: number, rows: number, n: number, eps: number): void;
  layer_norm_grad_rows(x: number, g: number, dy: number, dx: number, dg: number, db: number, pg: number, pb: number, accg: number, accb: number, rows: number, n: number, eps: number): void;
  winograd_filter_grad3x3(x: number, dy: number, dw: number, p: number, acc: number, v: number, d: number, ...dims: number[]): void;
  winograd_conv3x3(x: number, filter: number, bias: number, y: number, u: number, v: number, m: number, ...dims: number[]): void;
}

/** The SIMD module instantiated on one backend's memory, and the heap views it needs. */
export interface Simd {
  fns: SimdKernels;
  /** Byte offset of a tensor's memory on the heap (call again after any allocation: the heap may move). */
  ptr(info: Info): number;
}

interface WasmBackendLike {
  wasm?: { asm?: { memory?: unknown } };
}

/** `DEALKIT_WASM_SIMD=off` turns dealkit's SIMD kernels off (the portable paths run instead). */
export const SIMD_ENV_VAR = "DEALKIT_WASM_SIMD";

const instances = new WeakMap<object, Simd | null>();
let compiled: WebAssembly.Module | null | undefined;

function compile(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes = typeof Buffer !== "undefined" ? Buffer.from(SIMD_WASM_BASE64, "base64") : Uint8Array.from(atob(SIMD_WASM_BASE64), (ch) => ch.charCodeAt(0));
    compiled = new WebAssembly.Module(bytes);
  } catch {
    compiled = null; // no SIMD128 in this engine: the kernels fall back
  }
  return compiled;
}

/**
 * dealkit's SIMD kernels running on `backend`'s own memory, or null where that is not possible (not the
 * wasm backend, an engine without WebAssembly SIMD, a shared-memory (threaded) build): callers then use
 * their portable path, as they do when DEALKIT_WASM_SIMD is "off". Instantiated once per backend instance.
 *
 * @example
 * ```ts
 * const simd = simdFor(args.backend);
 * if (simd != null) simd.fns.sum_rows(simd.ptr(x), simd.ptr(out), simd.ptr(scratch), rows, cols);
 * ```
 */
export function simdFor(backend: unknown): Simd | null {
  if (backend == null || typeof backend !== "object" || (typeof process !== "undefined" && process.env?.[SIMD_ENV_VAR] === "off")) return null;
  if (instances.has(backend)) return instances.get(backend)!;
  let result: Simd | null = null;
  const heap = heapBackend(backend);
  const memory = (backend as WasmBackendLike).wasm?.asm?.memory;
  const mod = compile();
  if (heap != null && memory instanceof WebAssembly.Memory && mod != null) {
    try {
      const instance = new WebAssembly.Instance(mod, { env: { memory } });
      result = {
        fns: instance.exports as unknown as SimdKernels,
        ptr: (info) => heap.typedArrayFromHeap(info).byteOffset,
      };
    } catch {
      result = null;
    }
  }
  instances.set(backend, result);
  return result;
}
