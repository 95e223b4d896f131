import { tf } from "../tf.js";
import { conv2dBackpropFilterKernel, conv2dBackpropInputKernel } from "./conv2d-backprop.js";
import { depthwiseBackpropFilterKernel, depthwiseBackpropInputKernel } from "./depthwise-backprop.js";
import { einsumKernel } from "./einsum.js";
import { unsortedSegmentSumKernel } from "./unsorted-segment-sum.js";

/** Marks kernel configs registered by dealkit (a global symbol, so two copies of dealkit agree). */
const DEALKIT_KERNEL = Symbol.for("dealkit.kernel");

interface KernelRecipe {
  kernelName: string;
  /** Why training needs it. */
  neededBy: string;
  make: (backendName: string) => tf.KernelFunc;
}

/** The kernels the wasm backend lacks for training, each composed from kernels it has. */
const RECIPES: readonly KernelRecipe[] = [
  { kernelName: "Conv2DBackpropFilter", neededBy: "gradient of conv2d / conv1d / conv2dTranspose", make: (b) => conv2dBackpropFilterKernel(b) },
  { kernelName: "DepthwiseConv2dNativeBackpropInput", neededBy: "gradient of depthwiseConv2d / separableConv2d (input)", make: depthwiseBackpropInputKernel },
  { kernelName: "DepthwiseConv2dNativeBackpropFilter", neededBy: "gradient of depthwiseConv2d / separableConv2d (filter)", make: depthwiseBackpropFilterKernel },
  { kernelName: "UnsortedSegmentSum", neededBy: "gradient of gather (embeddings, query selection)", make: unsortedSegmentSumKernel },
  { kernelName: "Einsum", neededBy: "tf.einsum (attention written as einsum)", make: einsumKernel },
];

/** A kernel that dealkit adds to a backend. */
export interface RegisteredKernel {
  /** tfjs kernel name, e.g. `Conv2DBackpropFilter`. */
  kernelName: string;
  /** Backend it is registered for, e.g. `wasm`. */
  backendName: string;
  /** Which ops' forward or gradient computation calls it. */
  neededBy: string;
}

/** Names of the kernels dealkit can add to a backend that lacks them. */
export const TRAINING_KERNEL_NAMES: readonly string[] = RECIPES.map((r) => r.kernelName);

function isOurs(config: tf.KernelConfig | undefined): boolean {
  return config != null && (config as unknown as Record<symbol, unknown>)[DEALKIT_KERNEL] === true;
}

/**
 * Registers, for `backendName`, every training kernel it lacks (on wasm: Conv2DBackpropFilter, the two
 * depthwise backprops, UnsortedSegmentSum, Einsum). A kernel the backend already has (natively or from
 * an earlier call) is left alone, so calling this again, as re-run notebook cells do, is harmless.
 * Called by initBackend() when it picks wasm.
 *
 * @param backendName default `"wasm"`
 * @returns the kernel names newly registered by this call
 * @example
 * ```ts
 * registerTrainingKernels();                    // after the wasm package is loaded
 * registeredKernels().map((k) => k.kernelName); // ["Conv2DBackpropFilter", ...]
 * ```
 */
export function registerTrainingKernels(backendName = "wasm"): string[] {
  const added: string[] = [];
  for (const recipe of RECIPES) {
    if (tf.getKernel(recipe.kernelName, backendName) != null) continue;
    const config = { kernelName: recipe.kernelName, backendName, kernelFunc: recipe.make(backendName) };
    Object.defineProperty(config, DEALKIT_KERNEL, { value: true });
    tf.registerKernel(config);
    added.push(recipe.kernelName);
  }
  return added;
}

/**
 * The kernels dealkit has registered (for any backend), in registration order.
 *
 * @example
 * ```ts
 * await initBackend({ backend: "wasm" });
 * registeredKernels(); // [{ kernelName: "Conv2DBackpropFilter", backendName: "wasm", neededBy: "..." }, ...]
 * ```
 */
export function registeredKernels(): RegisteredKernel[] {
  const out: RegisteredKernel[] = [];
  for (const backendName of ["wasm", ...backendsWithOurKernels()]) {
    for (const r of RECIPES) {
      if (isOurs(tf.getKernel(r.kernelName, backendName)) && !out.some((k) => k.kernelName === r.kernelName && k.backendName === backendName)) {
        out.push({ kernelName: r.kernelName, backendName, neededBy: r.neededBy });
      }
    }
  }
  return out;
}

function backendsWithOurKernels(): string[] {
  const names = new Set<string>();
  for (const r of RECIPES) {
    // getKernelsForBackend needs a backend name; scan the engine's known backends.
    for (const b of Object.keys((tf.engine() as unknown as { registryFactory: Record<string, unknown> }).registryFactory)) {
      if (isOurs(tf.getKernel(r.kernelName, b))) names.add(b);
    }
  }
  return [...names];
}
