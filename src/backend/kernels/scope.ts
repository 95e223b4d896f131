import { tf } from "../tf.js";

type Info = tf.TensorInfo;
type Pads = Array<[number, number]>;

/**
 * Runs other kernels of the same backend from inside a kernel, the way tfjs's own backends compose
 * kernels: TensorInfos in, TensorInfos out, with every intermediate released by {@link finish}.
 * Going through kernels rather than tf ops keeps these calls off the gradient tape and out of the
 * engine's tensor bookkeeping, so a composed kernel looks like one kernel to the engine.
 */
export class KernelScope {
  private readonly temps: Info[] = [];

  constructor(
    readonly backend: tf.KernelBackend,
    readonly backendName: string,
  ) {}

  /** Runs one single-output kernel; its output is disposed by finish() unless it is the result. */
  run(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): Info {
    const kernel = tf.getKernel(kernelName, this.backendName);
    if (kernel == null) {
      throw new Error(`dealkit: kernel '${kernelName}' is not registered for backend '${this.backendName}'`);
    }
    const out = kernel.kernelFunc({ inputs, backend: this.backend, attrs });
    if (Array.isArray(out)) throw new Error(`dealkit: kernel '${kernelName}' has several outputs`);
    this.temps.push(out);
    return out;
  }

  /** Makes this scope own `info` (an output of a kernel called directly rather than through run()). */
  own(info: Info): Info {
    this.temps.push(info);
    return info;
  }

  /** A tensor owned by this scope whose memory is not initialised (the caller fills it). */
  allocate(shape: number[], dtype: "float32" | "int32"): Info {
    const dataId = this.backend.write(null as unknown as tf.backend_util.BackendValues, shape, dtype);
    return this.own({ dataId, shape, dtype });
  }

  /** A copy of `x` in new memory (a new data id), owned by this scope. */
  copy(x: Info, heap: { typedArrayFromHeap(info: Info): Float32Array | Int32Array | Uint8Array }): Info {
    const out = this.allocate(x.shape, x.dtype as "float32" | "int32");
    heap.typedArrayFromHeap(out).set(heap.typedArrayFromHeap(x));
    return out;
  }

  /** Releases an intermediate now rather than at finish(). */
  dispose(info: Info): void {
    const i = this.temps.indexOf(info);
    if (i < 0) return;
    this.temps.splice(i, 1);
    this.backend.disposeData(info.dataId);
  }

  /** A constant tensor owned by this scope. */
  constant(values: Float32Array | Int32Array, shape: number[], dtype: "float32" | "int32"): Info {
    const dataId = this.backend.write(values, shape, dtype);
    const info = { dataId, shape, dtype };
    this.temps.push(info);
    return info;
  }

  reshape(x: Info, shape: number[]): Info {
    return this.run("Reshape", { x }, { shape });
  }

  transpose(x: Info, perm: number[]): Info {
    return this.run("Transpose", { x }, { perm });
  }

  slice(x: Info, begin: number[], size: number[]): Info {
    return this.run("Slice", { x }, { begin, size });
  }

  sum(x: Info, axis: number[], keepDims = false): Info {
    return this.run("Sum", { x }, { axis, keepDims });
  }

  concat(xs: Info[], axis: number): Info {
    return this.run("Concat", xs as unknown as tf.NamedTensorInfoMap, { axis });
  }

  /**
   * Pads (positive amounts) and crops (negative amounts) each axis: `[before, after]` per axis.
   * Returns `x` itself when nothing changes.
   */
  padOrCrop(x: Info, amounts: Pads): Info {
    let out = x;
    if (amounts.some(([b, a]) => b > 0 || a > 0)) {
      const paddings = amounts.map(([b, a]) => [Math.max(0, b), Math.max(0, a)]);
      out = this.run("PadV2", { x: out }, { paddings, constantValue: 0 });
    }
    if (amounts.some(([b, a]) => b < 0 || a < 0)) {
      const begin = amounts.map(([b]) => Math.max(0, -b));
      const size = out.shape.map((n, i) => n - begin[i] - Math.max(0, -amounts[i][1]));
      out = this.slice(out, begin, size);
    }
    return out;
  }

  /** Releases every intermediate except `result`, which the caller hands to the engine. */
  finish(result: Info): Info {
    this.release(result);
    return result;
  }

  /** Releases every intermediate (on error paths). */
  release(keep?: Info): void {
    for (const t of this.temps) if (t !== keep) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
  }
}

/** Runs `body` in a fresh scope; intermediates are released whether it returns or throws. */
export function composed(backend: tf.KernelBackend, backendName: string, body: (s: KernelScope) => Info): Info {
  const scope = new KernelScope(backend, backendName);
  try {
    return scope.finish(body(scope));
  } catch (err) {
    scope.release();
    throw err;
  }
}
