import { afterEach, describe, expect, test } from "vitest";
import { formatBackendReport, initBackend, tf, type ModuleLoader } from "../../src/backend/index.js";
import { DealkitConfigError } from "../../src/util/errors.js";

const NODE = "@tensorflow/tfjs-node";
const GPU = "@tensorflow/tfjs-node-gpu";
const WASM = "@tensorflow/tfjs-backend-wasm";

function notInstalled(id: string): never {
  const err = new Error(`Cannot find module '${id}'\nRequire stack:\n- somewhere`) as Error & { code: string };
  err.code = "MODULE_NOT_FOUND";
  throw err;
}

/** A loader where only `present` packages exist (real ones, or fakes given as functions). */
function loader(present: Record<string, true | (() => unknown)>): ModuleLoader {
  return (id) => {
    const p = present[id];
    if (p === true) return require(id);
    if (typeof p === "function") return p();
    return notInstalled(id);
  };
}

/** Stands in for a native package: registers a "tensorflow" backend (a cpu backend underneath). */
function fakeNative(onGpu: boolean): () => unknown {
  return () => {
    if (tf.findBackendFactory("tensorflow") == null) {
      const Cpu = (tf.findBackend("cpu") as object).constructor as new () => tf.KernelBackend;
      tf.registerBackend("tensorflow", () => Object.assign(new Cpu(), { isUsingGpuDevice: onGpu }), 3);
    }
    return {};
  };
}

afterEach(async () => {
  if (tf.findBackendFactory("tensorflow") != null) {
    await tf.setBackend("cpu");
    tf.removeBackend("tensorflow");
  }
});

const noEnv = {};

describe("initBackend: automatic choice", () => {
  test("without the native packages it picks wasm, says why, and registers the training kernels", async () => {
    const r = await initBackend({ env: noEnv, loadModule: loader({ [WASM]: true }) });
    expect(r.backend).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(r.requested).toBe("auto");
    expect(r.requestedBy).toBe("default");
    expect(r.reasons.join("\n")).toContain(`${GPU} is not installed`);
    expect(r.reasons.join("\n")).toContain(`${NODE} is not installed`);
    expect(r.reasons[r.reasons.length - 1]).toMatch(/^wasm.*chosen$/);
    expect(r.kernelsRegistered).toContain("Conv2DBackpropFilter");
    expect(r.threads).toBe(1);
    expect(r.tfjsVersion).toBe(tf.version.tfjs);
    expect(formatBackendReport(r)).toContain("backend: wasm");
  });

  test("without wasm either it falls back to cpu", async () => {
    const r = await initBackend({ env: noEnv, loadModule: loader({}) });
    expect(r.backend).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
    expect(r.reasons.join("\n")).toContain(`${WASM} is not installed`);
    expect(r.kernelsRegistered).toEqual([]);
  });

  test("a package that is installed but fails to load is reported with its error, then skipped", async () => {
    const broken = () => {
      throw new Error("libtensorflow.so.2: cannot open shared object file\nmore detail");
    };
    const r = await initBackend({ env: noEnv, loadModule: loader({ [NODE]: broken, [WASM]: true }) });
    expect(r.backend).toBe("wasm");
    expect(r.reasons.join("\n")).toContain(`${NODE} failed to load: libtensorflow.so.2: cannot open shared object file`);
    expect(r.reasons.join("\n")).not.toContain("more detail");
  });

  test("tfjs-node, when it loads, wins over wasm", async () => {
    const r = await initBackend({ env: noEnv, loadModule: loader({ [NODE]: fakeNative(false), [WASM]: true }) });
    expect(r.backend).toBe("node");
    expect(r.tfjsBackend).toBe("tensorflow");
    expect(tf.getBackend()).toBe("tensorflow");
  });

  test("tfjs-node-gpu is chosen only when it sees a GPU; otherwise its CPU kernels count as node", async () => {
    const withGpu = await initBackend({ env: noEnv, loadModule: loader({ [GPU]: fakeNative(true), [WASM]: true }) });
    expect(withGpu.backend).toBe("gpu");
    await tf.setBackend("cpu");
    tf.removeBackend("tensorflow");
    const noGpu = await initBackend({ env: noEnv, loadModule: loader({ [GPU]: fakeNative(false), [WASM]: true }) });
    expect(noGpu.backend).toBe("node");
    expect(noGpu.reasons.join("\n")).toContain("sees no GPU");
  });

  test("is idempotent: calling it again changes nothing and leaks nothing", async () => {
    const load = loader({ [WASM]: true });
    const a = await initBackend({ env: noEnv, loadModule: load });
    const before = tf.memory().numTensors;
    const b = await initBackend({ env: noEnv, loadModule: load });
    expect(b).toEqual(a);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("initBackend: forcing a backend", () => {
  test("DEALKIT_BACKEND forces one", async () => {
    const r = await initBackend({ env: { DEALKIT_BACKEND: "cpu" }, loadModule: loader({ [WASM]: true }) });
    expect(r.backend).toBe("cpu");
    expect(r.requestedBy).toBe("env");
    expect(tf.getBackend()).toBe("cpu");
    const w = await initBackend({ env: { DEALKIT_BACKEND: " WASM " }, loadModule: loader({ [WASM]: true }) });
    expect(w.backend).toBe("wasm");
  });

  test("the option wins over the environment variable", async () => {
    const r = await initBackend({ backend: "cpu", env: { DEALKIT_BACKEND: "wasm" }, loadModule: loader({ [WASM]: true }) });
    expect(r.backend).toBe("cpu");
    expect(r.requestedBy).toBe("option");
  });

  test("a forced backend that is unavailable is a config error listing what is available", async () => {
    const load = loader({ [WASM]: true });
    const attempt = initBackend({ env: { DEALKIT_BACKEND: "gpu" }, loadModule: load });
    await expect(attempt).rejects.toThrow(DealkitConfigError);
    await expect(initBackend({ env: { DEALKIT_BACKEND: "gpu" }, loadModule: load })).rejects.toThrow(
      /not installed.*Available here: wasm, cpu/,
    );
    await expect(initBackend({ backend: "node", env: noEnv, loadModule: load })).rejects.toThrow(/Available here: wasm, cpu/);
    await expect(initBackend({ backend: "wasm", env: noEnv, loadModule: loader({}) })).rejects.toThrow(/Available here: cpu/);
  });

  test("an unknown value is a config error listing the valid ones", async () => {
    await expect(initBackend({ env: { DEALKIT_BACKEND: "tpu" } })).rejects.toThrow(
      /DEALKIT_BACKEND must be one of "auto", "gpu", "node", "wasm", "cpu"; got "tpu"/,
    );
    await expect(initBackend({ backend: "webgl" as never, env: noEnv })).rejects.toThrow(DealkitConfigError);
  });
});
