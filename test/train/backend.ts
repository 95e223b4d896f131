import { tf } from "../../src/backend/tf.js";

/** Switches to the wasm backend (with dealkit's training kernels) when it loads, else cpu. */
export async function useFastBackend(): Promise<string> {
  try {
    const { initBackend } = await import("../../src/backend/init.js");
    const r = await initBackend({ backend: "wasm" });
    return r.backend;
  } catch {
    await tf.setBackend("cpu");
    return "cpu";
  }
}
