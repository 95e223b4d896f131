import type { MimeBundle } from "./mime.js";

/**
 * The channel between the library's display functions and the dealkit kernel running them: the kernel puts a
 * {@link KernelHook} on `globalThis` under a registered symbol (so two copies of dealkit in one process share it).
 */

/** What the dealkit kernel offers the library while it runs cells. */
export interface KernelHook {
  /** Publishes a display_data (or, with `update`, an update_display_data of `displayId`) for the running cell. */
  display(bundle: MimeBundle, displayId: string | undefined, update: boolean): void;
  /** Clears the running cell's output (`wait`: when the next output arrives). */
  clearOutput(wait: boolean): void;
}

const KEY = Symbol.for("dealkit.kernel.hook");

/**
 * The hook of the dealkit kernel this process is, or undefined.
 *
 * @example
 * kernelHook()?.clearOutput(false);
 */
export function kernelHook(): KernelHook | undefined {
  return (globalThis as Record<symbol, KernelHook | undefined>)[KEY];
}

/**
 * Installs (or, with undefined, removes) the kernel's hook. Called by the kernel only.
 *
 * @example
 * setKernelHook({ display: publishDisplay, clearOutput: publishClear });
 */
export function setKernelHook(hook: KernelHook | undefined): void {
  (globalThis as Record<symbol, KernelHook | undefined>)[KEY] = hook;
}
