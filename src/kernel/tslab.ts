import { kernelHook } from "./hook.js";
import type { MimeBundle } from "./mime.js";

/**
 * Where displays go: the dealkit kernel's hook when this process is a dealkit kernel, else a plain tslab
 * kernel's display writer. tslab is loaded lazily and only when this process is a running tslab kernel (its
 * jupyter module is already loaded and has a display writer), so the library works, and loads fast, everywhere
 * else.
 */

type WriteDisplayData = (
  data: { data: MimeBundle; metadata: Record<string, unknown>; transient: Record<string, unknown> },
  update: boolean,
) => void;

interface TslabPublic {
  display: { raw(contentType: string, b: string | Uint8Array): unknown };
}

const JUPYTER_MODULE = /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/;

/**
 * tslab's writer of display messages for the cell now running, or null outside a tslab kernel. It is found in
 * node's module cache (the kernel loaded it), which also covers a tslab installed apart from dealkit.
 */
function kernelWriter(): WriteDisplayData | null {
  const cache = typeof require !== "undefined" ? require.cache : {};
  for (const key of Object.keys(cache)) {
    if (!JUPYTER_MODULE.test(key)) continue;
    const writer = (cache[key]?.exports as { lastWriteDisplayData?: unknown } | undefined)?.lastWriteDisplayData;
    if (typeof writer === "function") return writer as WriteDisplayData;
  }
  return null;
}

/**
 * True when this code runs inside a kernel that can display: the dealkit kernel, or a tslab kernel once a cell
 * has run.
 *
 * @example
 * if (!inKernel()) console.log(progressText(state));
 */
export function inKernel(): boolean {
  return kernelHook() !== undefined || kernelWriter() !== null;
}

/**
 * Asks the dealkit kernel to clear the running cell's output; false (and nothing happens) elsewhere.
 */
export function clearKernelOutput(wait: boolean): boolean {
  const hook = kernelHook();
  if (!hook) return false;
  hook.clearOutput(wait);
  return true;
}

/**
 * Publishes a bundle to the kernel's frontend; with a displayId, `update` replaces that earlier display in
 * place. Returns false (and does nothing) outside a kernel.
 */
export function publishToKernel(bundle: MimeBundle, displayId?: string, update = false): boolean {
  const hook = kernelHook();
  if (hook) {
    hook.display(bundle, displayId, update);
    return true;
  }
  const writer = kernelWriter();
  if (writer) {
    writer({ data: bundle, metadata: {}, transient: displayId ? { display_id: displayId } : {} }, update);
    return true;
  }
  // Not the tslab 1.0 layout we know: fall back to the public API, which sends one MIME type per call.
  const tslab = loadTslab();
  if (!tslab) return false;
  const mime = ["text/html", "image/png", "text/plain"].find((m) => m in bundle) ?? Object.keys(bundle)[0];
  if (!mime) return false;
  try {
    const value = bundle[mime]!;
    tslab.display.raw(mime, typeof value === "string" ? value : JSON.stringify(value));
    return true;
  } catch {
    return false; // "Not ready": no cell is running
  }
}

let tslabModule: TslabPublic | null | undefined;

function loadTslab(): TslabPublic | null {
  if (tslabModule !== undefined) return tslabModule;
  // Only when a tslab kernel is this process: requiring tslab elsewhere would load its TypeScript compiler.
  const loaded = Object.keys(require.cache).some((k) => /[\\/]tslab[\\/]dist[\\/]/.test(k));
  if (!loaded) return null;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    tslabModule = require("tslab") as TslabPublic;
  } catch {
    tslabModule = null;
  }
  return tslabModule;
}
