import { tf } from "../tf.js";
import { heapBackend } from "./memory.js";
import { composed } from "./scope.js";
import { simdFor } from "./simd.js";

type Info = tf.TensorInfo;

/**
 * UnsortedSegmentSum. With dealkit's SIMD module: simd/memory.c `segment_sum_rows` (the gradient of a gather of
 * 6400 rows of 16 from 65536: 0.3 ms against 2 ms). Otherwise as a ScatterNd (which sums duplicate indices). Ids outside [0, numSegments) are
 * dropped, as on the cpu backend: they are sent to one extra segment that is sliced off (only when there are
 * any: on wasm the ids are checked in place first).
 */
export function unsortedSegmentSumKernel(backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
    const x = inputs.x as Info;
    const ids = inputs.segmentIds as Info;
    const simd = simdFor(backend);
    if (simd != null && x.dtype === "float32" && ids.dtype === "int32") {
      // One pass in dealkit's SIMD module: rows added into their segment, out-of-range ids skipped.
      const rest = x.shape.slice(ids.shape.length);
      const out = { dataId: (backend as tf.KernelBackend).write(null as unknown as tf.backend_util.BackendValues, [numSegments, ...rest], "float32"), shape: [numSegments, ...rest], dtype: "float32" as const };
      const count = tf.util.sizeFromShape(ids.shape);
      simd.fns.segment_sum_rows(simd.ptr(x), simd.ptr(ids), simd.ptr(out), count, tf.util.sizeFromShape(rest), numSegments);
      return out;
    }
    return composed(backend as tf.KernelBackend, backendName, (s) => {
      const idRank = ids.shape.length;
      const rest = x.shape.slice(idRank);
      const count = ids.shape.reduce((a, b) => a * b, 1);
      const restSize = rest.reduce((a, b) => a * b, 1);
      let flatIds = s.reshape(ids, [count, 1]);
      if (flatIds.dtype !== "int32") flatIds = s.run("Cast", { x: flatIds }, { dtype: "int32" });
      const updates = s.reshape(x, [count, restSize]);
      const heap = heapBackend(s.backend);
      if (heap != null) {
        // Ids all in range (gather gradients): scatter straight into the result, no spill segment.
        const v = heap.typedArrayFromHeap(flatIds) as Int32Array;
        let inRange = true;
        for (let i = 0; i < v.length && inRange; i++) inRange = v[i]! >= 0 && v[i]! < numSegments;
        if (inRange) {
          const out = s.run("ScatterNd", { indices: flatIds, updates }, { shape: [numSegments, restSize] });
          return s.reshape(out, [numSegments, ...rest]);
        }
      }
      const zero = s.constant(new Int32Array([0]), [], "int32");
      const n = s.constant(new Int32Array([numSegments]), [], "int32");
      const valid = s.run("LogicalAnd", {
        a: s.run("GreaterEqual", { a: flatIds, b: zero }),
        b: s.run("Less", { a: flatIds, b: n }),
      });
      const spill = s.run("Fill", {}, { shape: [count, 1], value: numSegments, dtype: "int32" });
      const safeIds = s.run("Select", { condition: valid, t: flatIds, e: spill });
      const scattered = s.run("ScatterNd", { indices: safeIds, updates }, { shape: [numSegments + 1, restSize] });
      const kept = s.slice(scattered, [0, 0], [numSegments, restSize]);
      return s.reshape(kept, [numSegments, ...rest]);
    });
  };
}
