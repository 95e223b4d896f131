import * as path from "node:path";
import { tf } from "./tf.js";
import { loadOptional, ModuleLoader, LoadResult } from "./optional.js";

/** The parts of @tensorflow/tfjs-backend-wasm dealkit uses. */
export interface WasmModule {
  setWasmPaths(prefixOrFileMap: string | Record<string, string>, usePlatformFetch?: boolean): void;
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
}

export const WASM_PACKAGE = "@tensorflow/tfjs-backend-wasm";

/** Loads the wasm backend package and points it at its .wasm binaries in node_modules. */
export function loadWasm(load: ModuleLoader): LoadResult<WasmModule> {
  const loaded = loadOptional<WasmModule>(load, WASM_PACKAGE);
  if (!loaded.ok || backendInstance("wasm") != null) return loaded;
  try {
    // Node's build finds the binaries next to its own script already; naming the folder explicitly also
    // covers bundlers and notebook kernels that load the script from elsewhere.
    const dir = path.dirname(require.resolve(`${WASM_PACKAGE}/dist/tfjs-backend-wasm.wasm`));
    loaded.module.setWasmPaths(dir + path.sep);
  } catch {
    // Resolution is only a hint; the package's default lookup still applies.
  }
  return loaded;
}

/** The engine's instance of a backend if it was initialised; unlike tf.findBackend, never starts one. */
export function backendInstance(name: string): tf.KernelBackend | undefined {
  return (tf.engine() as unknown as { registry: Record<string, tf.KernelBackend> }).registry[name];
}

/**
 * Activates a tfjs backend. Emscripten's Node glue (inside the wasm backend) installs process-wide
 * uncaughtException / unhandledRejection handlers that rethrow, which turns any stray rejection in a
 * notebook into a crash printing a screenful of minified code; the handlers added during the switch
 * are removed again (the same thing the module does when it is disposed).
 */
export async function activateBackend(name: string): Promise<boolean> {
  if (tf.getBackend() === name) return true;
  const events = ["uncaughtException", "unhandledRejection"];
  const before = events.map((e) => new Set(process.listeners(e as "uncaughtException")));
  let ok = false;
  try {
    ok = await tf.setBackend(name);
  } finally {
    events.forEach((e, i) => {
      for (const l of process.listeners(e as "uncaughtException")) if (!before[i].has(l)) process.removeListener(e, l);
    });
  }
  return ok;
}

/** The cpu backend warns once, on first use in Node, that tfjs-node would be faster; dealkit reports that itself. */
export function quietCpuBackend(): void {
  const cpu = tf.findBackend("cpu") as unknown as { firstUse?: boolean } | null;
  if (cpu && "firstUse" in cpu) cpu.firstUse = false;
}
