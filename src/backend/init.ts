import * as os from "node:os";
import { checkOneOf, DealkitConfigError } from "../util/errors.js";
import { registerTrainingKernels, registeredKernels } from "./kernels/registry.js";
import { defaultLoader, loadOptional, ModuleLoader } from "./optional.js";
import { tf } from "./tf.js";
import { activateBackend, loadWasm, quietCpuBackend, WASM_PACKAGE } from "./wasm.js";

/** A backend dealkit can run on: native TensorFlow on a GPU or the CPU, WebAssembly, or plain JavaScript. */
export type BackendName = "gpu" | "node" | "wasm" | "cpu";
/** What a user can ask for: a backend, or "auto" for the fastest one that works. */
export type BackendRequest = "auto" | BackendName;
/** Valid values of the `backend` option and of DEALKIT_BACKEND, fastest first. */
export const BACKEND_REQUESTS: readonly BackendRequest[] = ["auto", "gpu", "node", "wasm", "cpu"];
/** The environment variable that forces a backend. */
export const BACKEND_ENV_VAR = "DEALKIT_BACKEND";

const GPU_PACKAGE = "@tensorflow/tfjs-node-gpu";
const NODE_PACKAGE = "@tensorflow/tfjs-node";

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /** Backend to use; default: DEALKIT_BACKEND if set, else "auto" (gpu > node > wasm > cpu). */
  backend?: BackendRequest;
  /** Environment to read DEALKIT_BACKEND from; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Loads optional packages; default Node's require. Tests use it to simulate what is installed. */
  loadModule?: ModuleLoader;
}

/** What {@link initBackend} chose and why. */
export interface BackendReport {
  /** The backend in use. */
  backend: BackendName;
  /** tfjs's name for it: "tensorflow", "wasm" or "cpu". */
  tfjsBackend: string;
  /** What was asked for, and where the request came from. */
  requested: BackendRequest;
  requestedBy: "option" | "env" | "default";
  /** One line per backend considered, in order, ending with the choice. */
  reasons: string[];
  /** Threads the backend computes with (wasm in Node: 1, see reasons). */
  threads: number;
  /** Kernels dealkit registered for this backend (wasm only). */
  kernelsRegistered: string[];
  /** Version of @tensorflow/tfjs. */
  tfjsVersion: string;
}

interface Candidate {
  name: BackendName;
  tfjsBackend: string;
  /** Why it can or cannot be used. */
  reason: string;
  usable: boolean;
  threads: () => number;
}

const label = (name: BackendName): string => name.padEnd(4);

/** Native TensorFlow: the gpu package first (it also runs on the CPU), then the cpu-only one. */
function probeNative(load: ModuleLoader): { gpu: Candidate; node: Candidate } {
  const nativeThreads = (): number => (os.availableParallelism ? os.availableParallelism() : os.cpus().length);
  const gpuLoad = loadOptional(load, GPU_PACKAGE);
  const nodeLoad = gpuLoad.ok ? null : loadOptional(load, NODE_PACKAGE);
  const pkg = gpuLoad.ok ? GPU_PACKAGE : NODE_PACKAGE;
  const loaded = gpuLoad.ok || (nodeLoad?.ok ?? false);
  let registered = false;
  let onGpu = false;
  if (loaded) {
    registered = tf.findBackendFactory("tensorflow") != null;
    if (registered && gpuLoad.ok) {
      const b = tf.findBackend("tensorflow") as unknown as { isUsingGpuDevice?: boolean | (() => boolean) } | null;
      const flag = b?.isUsingGpuDevice;
      onGpu = typeof flag === "function" ? flag.call(b) : flag === true;
    }
  }
  const mismatch = `${pkg} loaded but registered no "tensorflow" backend with this copy of @tensorflow/tfjs (${tf.version.tfjs}); install matching versions`;
  const gpu: Candidate = {
    name: "gpu",
    tfjsBackend: "tensorflow",
    usable: gpuLoad.ok && registered && onGpu,
    reason: !gpuLoad.ok
      ? gpuLoad.reason
      : !registered
        ? mismatch
        : onGpu
          ? `${GPU_PACKAGE} loaded; TensorFlow sees a GPU`
          : `${GPU_PACKAGE} loaded but TensorFlow sees no GPU (CUDA / cuDNN libraries not found?)`,
    threads: nativeThreads,
  };
  const node: Candidate = {
    name: "node",
    tfjsBackend: "tensorflow",
    usable: loaded && registered,
    reason: !loaded
      ? (nodeLoad && !nodeLoad.ok ? nodeLoad.reason : `${NODE_PACKAGE} is not installed`)
      : !registered
        ? mismatch
        : gpuLoad.ok
          ? `TensorFlow's CPU kernels from ${GPU_PACKAGE}`
          : `${NODE_PACKAGE} loaded`,
    threads: nativeThreads,
  };
  return { gpu, node };
}

function probeWasm(load: ModuleLoader): Candidate & { module?: { getThreadsCount(): number } } {
  const loaded = loadWasm(load);
  if (!loaded.ok) return { name: "wasm", tfjsBackend: "wasm", usable: false, reason: loaded.reason, threads: () => 1 };
  return {
    name: "wasm",
    tfjsBackend: "wasm",
    usable: true,
    // tfjs reports no wasm thread support under Node (its pthread workers are blob: URLs, which Node's
    // worker_threads cannot start), so setThreadsCount has no effect there.
    reason: `${WASM_PACKAGE} loaded (single-threaded: tfjs runs no wasm threads in Node)`,
    module: loaded.module,
    threads: () => {
      try {
        return loaded.module.getThreadsCount();
      } catch {
        return 1;
      }
    },
  };
}

function resolveRequest(options: InitBackendOptions): { requested: BackendRequest; requestedBy: BackendReport["requestedBy"] } {
  if (options.backend != null) {
    return { requested: checkOneOf("initBackend option `backend`", options.backend, BACKEND_REQUESTS), requestedBy: "option" };
  }
  const env = options.env ?? process.env;
  const raw = env[BACKEND_ENV_VAR]?.trim().toLowerCase();
  if (raw) return { requested: checkOneOf(BACKEND_ENV_VAR, raw, BACKEND_REQUESTS), requestedBy: "env" };
  return { requested: "auto", requestedBy: "default" };
}

/**
 * Chooses and activates the TensorFlow.js backend: tfjs-node-gpu when it loads and sees a GPU, else
 * tfjs-node, else wasm (with dealkit's training kernels registered), else the plain-JavaScript cpu
 * backend. DEALKIT_BACKEND or the `backend` option forces one; a forced backend that is not available
 * throws a {@link DealkitConfigError} listing those that are. Optional packages that are not installed
 * are reported, never thrown. Calling it again (a re-run notebook cell) is harmless.
 *
 * @param options default `{}`: DEALKIT_BACKEND, else "auto"
 * @returns what was chosen and why; print it with {@link formatBackendReport}
 * @example
 * ```ts
 * const report = await initBackend();            // or initBackend({ backend: "wasm" })
 * console.log(formatBackendReport(report));
 * ```
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendReport> {
  const { requested, requestedBy } = resolveRequest(options);
  const load = options.loadModule ?? defaultLoader;
  const source =
    requestedBy === "option" ? `option backend: "${requested}"` : requestedBy === "env" ? `${BACKEND_ENV_VAR}=${requested}` : `${BACKEND_ENV_VAR} not set`;
  const reasons = [
    requested === "auto" ? `${source}: choosing automatically (gpu > node > wasm > cpu)` : `${source}: using ${requested} only`,
  ];
  quietCpuBackend();

  const native = requested === "auto" || requested === "gpu" || requested === "node" ? probeNative(load) : null;
  const wasm = requested === "auto" || requested === "wasm" ? probeWasm(load) : null;
  const cpu: Candidate = { name: "cpu", tfjsBackend: "cpu", usable: true, reason: "plain JavaScript, always available", threads: () => 1 };
  const order: Candidate[] =
    requested === "auto"
      ? [native!.gpu, native!.node, wasm!, cpu]
      : requested === "gpu" || requested === "node"
        ? [native![requested]]
        : requested === "wasm"
          ? [wasm!]
          : [cpu];

  const refused: string[] = [];
  for (const c of order) {
    if (!c.usable) {
      reasons.push(`${label(c.name)}: ${c.reason}`);
      refused.push(`${c.name}: ${c.reason}`);
      continue;
    }
    if (c.name === "wasm") registerTrainingKernels("wasm");
    const ok = await activateBackend(c.tfjsBackend);
    if (!ok) {
      const why = `${c.reason}, but tfjs could not initialise the "${c.tfjsBackend}" backend`;
      reasons.push(`${label(c.name)}: ${why}`);
      refused.push(`${c.name}: ${why}`);
      continue;
    }
    reasons.push(`${label(c.name)}: ${c.reason} -> chosen`);
    const kernels = c.name === "wasm" ? registeredKernels("wasm").map((k) => k.kernelName) : [];
    return {
      backend: c.name,
      tfjsBackend: c.tfjsBackend,
      requested,
      requestedBy,
      reasons,
      threads: c.threads(),
      kernelsRegistered: kernels,
      tfjsVersion: tf.version.tfjs,
    };
  }
  throw new DealkitConfigError(
    `backend "${requested}" (${source}) is not available: ${refused.join("; ")}. ` +
      `Available here: ${availableBackends(load).join(", ")}. ` +
      `${BACKEND_ENV_VAR} / option \`backend\` must be one of ${BACKEND_REQUESTS.map((r) => `"${r}"`).join(", ")}.`,
  );
}

/** Backends that could be used here, fastest first (loads optional packages, activates nothing new). */
export function availableBackends(load: ModuleLoader = defaultLoader): BackendName[] {
  const { gpu, node } = probeNative(load);
  const wasmOk = loadOptional(load, WASM_PACKAGE).ok;
  return [gpu.usable ? "gpu" : null, node.usable ? "node" : null, wasmOk ? "wasm" : null, "cpu"].filter(
    (b): b is BackendName => b != null,
  );
}

/**
 * The report as text, one fact a line, for notebooks and `dealkit backend`.
 *
 * @example
 * ```ts
 * console.log(formatBackendReport(await initBackend()));
 * // backend: wasm (tfjs "wasm", tfjs 4.22.0, 1 thread) ...
 * ```
 */
export function formatBackendReport(report: BackendReport): string {
  const lines = [
    `backend: ${report.backend} (tfjs "${report.tfjsBackend}", tfjs ${report.tfjsVersion}, ${report.threads} thread${report.threads === 1 ? "" : "s"})`,
    ...report.reasons.map((r) => `  ${r}`),
  ];
  if (report.kernelsRegistered.length) lines.push(`  kernels added by dealkit: ${report.kernelsRegistered.join(", ")}`);
  return lines.join("\n");
}
