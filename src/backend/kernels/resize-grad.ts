import { tf } from "../tf.js";
import { simdFor } from "./simd.js";

type Info = tf.TensorInfo;

/**
 * ResizeBilinearGrad and ResizeNearestNeighborGrad in dealkit's SIMD module (simd/pool.c
 * `resize_bilinear_grad`, `resize_nearest_grad`): each dy pixel is added into the source pixels of the
 * forward pass, channels in SIMD lanes ([4,128,128,32] from [4,64,64,32]: 1.5 ms against 7 ms for wasm's
 * own kernel). They are the transposes of the cpu backend's forward resizes, `halfPixelCenters` included:
 * TensorFlow.js 4.22's own gradient kernels (cpu and wasm) ignore it, so their gradients of half-pixel
 * resizes are wrong (checked by adjointness with the cpu forward in test/backend/kernels.test.ts), and
 * the cpu ResizeBilinearGrad also returns [b, w, h, c]. Float32 only; anything else goes to the backend's
 * own kernel.
 */
export function resizeGradKernel(kind: "bilinear" | "nearest", native: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { images, dy } = args.inputs as { images: Info; dy: Info };
    const simd = simdFor(args.backend);
    if (simd == null || dy.dtype !== "float32" || images.shape.length !== 4) return native(args);
    const { alignCorners, halfPixelCenters } = args.attrs as unknown as tf.ResizeBilinearGradAttrs;
    const [b, xH, xW, c] = images.shape as [number, number, number, number];
    const [, yH, yW] = dy.shape as [number, number, number, number];
    if (b * xH * xW * c === 0 || yH * yW === 0) return native(args);
    const scale = (x: number, y: number) => (alignCorners && y > 1 ? x - 1 : x) / (alignCorners && y > 1 ? y - 1 : y);
    const backend = args.backend as tf.KernelBackend;
    const out: Info = { dataId: backend.write(null as unknown as tf.backend_util.BackendValues, [b, xH, xW, c], "float32"), shape: [b, xH, xW, c], dtype: "float32" };
    const dims = [b, xH, xW, yH, yW, c, scale(xH, yH), scale(xW, yW), halfPixelCenters ? 1 : 0] as const;
    if (kind === "bilinear") simd.fns.resize_bilinear_grad(simd.ptr(dy), simd.ptr(out), ...dims);
    else simd.fns.resize_nearest_grad(simd.ptr(dy), simd.ptr(out), ...dims, alignCorners ? 1 : 0);
    return out;
  };
}
