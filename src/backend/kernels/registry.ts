import { tf } from "../tf.js";
import { binaryKernel, powKernel, selectKernel } from "./binary.js";
import { conv2DKernel, fusedConv2DKernel } from "./conv2d-winograd.js";
import { conv2dBackpropFilterKernel, conv2dBackpropInputKernel } from "./conv2d-backprop.js";
import { depthwiseBackpropFilterKernel, depthwiseBackpropInputKernel } from "./depthwise-backprop.js";
import { einsumKernel } from "./einsum.js";
import { LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL, layerNormGradKernel, layerNormKernel } from "./layer-norm.js";
import { batchMatMulKernel } from "./matmul.js";
import { castKernel, concatKernel, gatherV2Kernel, identityKernel, sliceKernel, splitVKernel, sumKernel, transposeKernel } from "./memory.js";
import { depthwiseKernel, maxPoolKernel } from "./pool-depthwise.js";
import { reduceKernel } from "./reduce.js";
import { registerReduceGradients } from "./reduce-gradients.js";
import { resizeGradKernel } from "./resize-grad.js";
import { unsortedSegmentSumKernel } from "./unsorted-segment-sum.js";

/** Marks kernel configs registered by dealkit (a global symbol, so two copies of dealkit agree). */
const DEALKIT_KERNEL = Symbol.for("dealkit.kernel");

interface KernelRecipe {
  kernelName: string;
  /** Which ops call it. */
  neededBy: string;
  /** Replace the backend's own kernel (because ours is faster), rather than only filling a gap. */
  replacesNative: boolean;
  /** Ours calls the backend's own kernel for the cases it does not speed up: skipped when there is none. */
  wrapsNative?: boolean;
  make: (backendName: string, native: tf.KernelFunc) => tf.KernelFunc;
}

/** For recipes that wrap the backend's own kernel. */
const wrapping = (f: (native: tf.KernelFunc) => tf.KernelFunc) => (_backendName: string, native: tf.KernelFunc) => f(native);

/** Kernels for the wasm backend, each composed from kernels it has. */
const RECIPES: readonly KernelRecipe[] = [
  { kernelName: "Conv2DBackpropFilter", neededBy: "gradient of conv2d, conv1d, conv2dTranspose (filter)", replacesNative: false, make: conv2dBackpropFilterKernel },
  { kernelName: "Conv2DBackpropInput", neededBy: "gradient of conv2d (input), conv2dTranspose", replacesNative: true, make: conv2dBackpropInputKernel },
  { kernelName: "DepthwiseConv2dNativeBackpropInput", neededBy: "gradient of depthwiseConv2d, separableConv2d (input)", replacesNative: false, make: depthwiseBackpropInputKernel },
  { kernelName: "DepthwiseConv2dNativeBackpropFilter", neededBy: "gradient of depthwiseConv2d, separableConv2d (filter)", replacesNative: false, make: depthwiseBackpropFilterKernel },
  { kernelName: "UnsortedSegmentSum", neededBy: "gradient of gather; unsortedSegmentSum", replacesNative: false, make: unsortedSegmentSumKernel },
  { kernelName: "Einsum", neededBy: "einsum (forward only: tfjs has no einsum gradient)", replacesNative: false, make: einsumKernel },
  { kernelName: "BatchMatMul", neededBy: "matMul with transposes (every matMul gradient), batched matMul (attention)", replacesNative: true, wrapsNative: true, make: batchMatMulKernel },
  { kernelName: "Slice", neededBy: "slice, stridedSlice; gradient of concat, pad", replacesNative: true, wrapsNative: true, make: wrapping(sliceKernel) },
  { kernelName: "SplitV", neededBy: "split; gradient of concat", replacesNative: true, wrapsNative: true, make: wrapping(splitVKernel) },
  { kernelName: "Identity", neededBy: "clone; gradients that pass dy through", replacesNative: true, wrapsNative: true, make: wrapping(identityKernel) },
  { kernelName: "Sum", neededBy: "sum (bias and broadcast gradients, upsampling gradients, LayerNorm)", replacesNative: true, wrapsNative: true, make: wrapping((n) => reduceKernel("Sum", sumKernel(n))) },
  { kernelName: "Mean", neededBy: "mean (LayerNorm statistics, losses)", replacesNative: true, wrapsNative: true, make: wrapping((n) => reduceKernel("Mean", n)) },
  { kernelName: "GatherV2", neededBy: "gather (bilinear sampling, embeddings)", replacesNative: true, wrapsNative: true, make: wrapping(gatherV2Kernel) },
  { kernelName: "Concat", neededBy: "concat; gradient of split, unstack", replacesNative: true, wrapsNative: true, make: wrapping(concatKernel) },
  { kernelName: "Transpose", neededBy: "transpose (identity permutations in gradients)", replacesNative: true, wrapsNative: true, make: wrapping(transposeKernel) },
  { kernelName: "Conv2D", neededBy: "conv2d (3x3 stride 1: Winograd); gradient of conv2d (input, stride 1)", replacesNative: true, wrapsNative: true, make: wrapping(conv2DKernel) },
  { kernelName: "FusedConv2D", neededBy: "fused.conv2d with bias and relu/linear (3x3 stride 1: Winograd)", replacesNative: true, wrapsNative: true, make: wrapping(fusedConv2DKernel) },
  { kernelName: "Add", neededBy: "add (biases, residuals; gradients)", replacesNative: true, wrapsNative: true, make: wrapping((n) => binaryKernel("Add", n)) },
  { kernelName: "Sub", neededBy: "sub (LayerNorm centring)", replacesNative: true, wrapsNative: true, make: wrapping((n) => binaryKernel("Sub", n)) },
  { kernelName: "Multiply", neededBy: "mul (LayerNorm scale, gradients of relu, sigmoid)", replacesNative: true, wrapsNative: true, make: wrapping((n) => binaryKernel("Multiply", n)) },
  { kernelName: "RealDiv", neededBy: "div (means, normalisation)", replacesNative: true, wrapsNative: true, make: wrapping((n) => binaryKernel("RealDiv", n)) },
  { kernelName: "ResizeBilinearGrad", neededBy: "gradient of resizeBilinear (upsampling)", replacesNative: true, wrapsNative: true, make: wrapping((n) => resizeGradKernel("bilinear", n)) },
  { kernelName: "ResizeNearestNeighborGrad", neededBy: "gradient of resizeNearestNeighbor (upsampling)", replacesNative: true, wrapsNative: true, make: wrapping((n) => resizeGradKernel("nearest", n)) },
  { kernelName: "MaxPool", neededBy: "maxPool (heatmap peaks: 3x3 stride 1)", replacesNative: true, wrapsNative: true, make: wrapping((n) => maxPoolKernel("forward", n)) },
  { kernelName: "MaxPoolGrad", neededBy: "gradient of maxPool", replacesNative: true, wrapsNative: true, make: wrapping((n) => maxPoolKernel("grad", n)) },
  { kernelName: "DepthwiseConv2dNative", neededBy: "depthwiseConv2d, separableConv2d", replacesNative: true, wrapsNative: true, make: wrapping((n) => depthwiseKernel(false, n)) },
  { kernelName: "FusedDepthwiseConv2D", neededBy: "fused.depthwiseConv2d with bias and relu/linear", replacesNative: true, wrapsNative: true, make: wrapping((n) => depthwiseKernel(true, n)) },
  { kernelName: "Maximum", neededBy: "maximum (clamps, relu-like)", replacesNative: true, wrapsNative: true, make: wrapping((n) => binaryKernel("Maximum", n)) },
  { kernelName: "Minimum", neededBy: "minimum (clamps)", replacesNative: true, wrapsNative: true, make: wrapping((n) => binaryKernel("Minimum", n)) },
  { kernelName: "Pow", neededBy: "pow(x, 2) (losses)", replacesNative: true, wrapsNative: true, make: wrapping(powKernel) },
  { kernelName: "Select", neededBy: "where (losses, masks)", replacesNative: true, wrapsNative: true, make: wrapping(selectKernel) },
  { kernelName: "Cast", neededBy: "cast to the same dtype (gradients of relu, step)", replacesNative: true, wrapsNative: true, make: wrapping(castKernel) },
  { kernelName: LAYER_NORM_KERNEL, neededBy: "layerNorm (LayerNorm over the last axis: one kernel instead of eight ops)", replacesNative: false, make: () => layerNormKernel() },
  { kernelName: LAYER_NORM_GRAD_KERNEL, neededBy: "gradient of layerNorm (one kernel instead of some twenty ops)", replacesNative: false, make: () => layerNormGradKernel() },
];

/** A kernel that dealkit adds to a backend. */
export interface RegisteredKernel {
  /** tfjs kernel name, e.g. `Conv2DBackpropFilter`. */
  kernelName: string;
  /** Backend it is registered for: `wasm`. */
  backendName: string;
  /** Which ops call it. */
  neededBy: string;
  /** True when it replaced the backend's own (slower) kernel instead of filling a gap. */
  replacesNative: boolean;
}

/** Names of the kernels dealkit registers for the wasm backend. */
export const TRAINING_KERNEL_NAMES: readonly string[] = RECIPES.map((r) => r.kernelName);

function missingNative(kernelName: string): tf.KernelFunc {
  return () => {
    throw new Error(`dealkit: no native '${kernelName}' kernel to fall back to`);
  };
}

function isOurs(config: tf.KernelConfig | undefined): boolean {
  return config != null && (config as unknown as Record<symbol, unknown>)[DEALKIT_KERNEL] === true;
}

/**
 * Registers dealkit's training kernels for the wasm backend: the ones it lacks (Conv2DBackpropFilter,
 * DepthwiseConv2dNativeBackpropInput/Filter, UnsortedSegmentSum, Einsum), a faster Conv2DBackpropInput, and
 * faster versions of BatchMatMul, Slice, SplitV, Identity, Sum, GatherV2, Concat, Transpose, Conv2D,
 * FusedConv2D and Cast that hand the cases they do not speed up to the backend's own kernel. The filter
 * gradients, bias sums and 3x3 stride-1 convolutions run in dealkit's own WebAssembly SIMD module
 * (src/backend/simd) on the backend's memory where the engine allows it (see `simdFor` in simd.ts). A kernel already registered by dealkit, or a missing one a future wasm
 * backend ships natively, is left alone, so calling this again (re-run notebook cells) is harmless.
 * It also replaces the Sum and Mean gradients (registerReduceGradients: the same values without a JavaScript array of
 * ones per backward pass). initBackend() calls it when it picks wasm.
 *
 * @param backendName default `"wasm"`; the recipes use that backend's kernels
 * @returns the kernel names this call registered (empty when all were already there)
 * @example
 * ```ts
 * registerTrainingKernels();                    // after the wasm backend package is loaded
 * registeredKernels().map((k) => k.kernelName); // ["Conv2DBackpropFilter", ...]
 * ```
 */
export function registerTrainingKernels(backendName = "wasm"): string[] {
  registerReduceGradients();
  const added: string[] = [];
  for (const recipe of RECIPES) {
    const existing = tf.getKernel(recipe.kernelName, backendName);
    if (existing != null && (isOurs(existing) || !recipe.replacesNative)) continue;
    if (existing == null && recipe.wrapsNative) continue;
    const native = existing?.kernelFunc ?? missingNative(recipe.kernelName);
    if (existing != null) tf.unregisterKernel(recipe.kernelName, backendName);
    // setupFunc/disposeFunc stay with the backend's kernel: its kernelFunc still relies on them.
    const config: tf.KernelConfig = {
      kernelName: recipe.kernelName,
      backendName,
      kernelFunc: recipe.make(backendName, native),
      ...(existing?.setupFunc ? { setupFunc: existing.setupFunc } : {}),
      ...(existing?.disposeFunc ? { disposeFunc: existing.disposeFunc } : {}),
    };
    Object.defineProperty(config, DEALKIT_KERNEL, { value: true });
    tf.registerKernel(config);
    added.push(recipe.kernelName);
  }
  return added;
}

/**
 * The kernels dealkit has registered for `backendName`, in a fixed order.
 *
 * @param backendName default `"wasm"`
 * @example
 * ```ts
 * await initBackend({ backend: "wasm" });
 * registeredKernels()[0]; // { kernelName: "Conv2DBackpropFilter", backendName: "wasm", ... }
 * ```
 */
export function registeredKernels(backendName = "wasm"): RegisteredKernel[] {
  return RECIPES.filter((r) => isOurs(tf.getKernel(r.kernelName, backendName))).map((r) => ({
    kernelName: r.kernelName,
    backendName,
    neededBy: r.neededBy,
    replacesNative: r.replacesNative,
  }));
}
