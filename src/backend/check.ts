import { DealkitConfigError } from "../util/errors.js";
import { caseValues, KernelCase, kernelCases } from "./check-cases.js";
import { registerTrainingKernels, registeredKernels } from "./kernels/registry.js";
import { defaultLoader } from "./optional.js";
import { tf } from "./tf.js";
import { activateBackend, backendInstance, loadWasm, quietCpuBackend } from "./wasm.js";

/** Options of {@link checkKernels}. */
export interface CheckKernelsOptions {
  /** Largest accepted relative error; default 1e-4. */
  tolerance?: number;
  /** Seed of the random inputs; default 0. */
  seed?: number;
  /** "quick" (default, about a second) or "full" (the test grid: more shapes, strides, dilations). */
  size?: "quick" | "full";
}

/** How one dealkit kernel compares with the cpu backend. */
export interface KernelCheckResult {
  kernelName: string;
  /** Number of cases run through it. */
  cases: number;
  /** Largest relative error over its cases: max |test - ref| / max |ref|, per output tensor. */
  maxRelError: number;
  /** The case with that error. */
  worstCase: string;
  passed: boolean;
  /** First error thrown by a case, if any (counts as a failure). */
  error?: string;
}

/** Result of {@link checkKernels}. */
export interface KernelCheckReport {
  backend: string;
  reference: "cpu";
  tolerance: number;
  seed: number;
  results: KernelCheckResult[];
  passed: boolean;
}

type Outputs = Array<{ shape: number[]; values: Float32Array | Int32Array | Uint8Array }>;

function runOn(backendName: string, c: KernelCase, values: Array<Float32Array | Int32Array>): Promise<Outputs> {
  return activateBackend(backendName).then(() => {
    const xs = c.inputs.map((inp, i) => tf.tensor(values[i], inp.shape, inp.ints ? "int32" : "float32"));
    try {
      const ys = tf.tidy(() => c.run(xs));
      const out = ys.map((y) => ({ shape: y.shape, values: y.dataSync() as Float32Array }));
      tf.dispose(ys);
      return out;
    } finally {
      tf.dispose(xs);
    }
  });
}

/** max |test - ref| / max |ref| over all outputs; Infinity when shapes differ. */
export function relativeError(test: Outputs, ref: Outputs): number {
  if (test.length !== ref.length) return Infinity;
  let worst = 0;
  for (let k = 0; k < ref.length; k++) {
    const a = test[k].values;
    const b = ref[k].values;
    if (a.length !== b.length || test[k].shape.join() !== ref[k].shape.join()) return Infinity;
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < b.length; i++) {
      const d = Math.abs(a[i] - b[i]);
      diff = Number.isNaN(d) ? Infinity : Math.max(diff, d);
      scale = Math.max(scale, Math.abs(b[i]));
    }
    worst = Math.max(worst, scale > 0 ? diff / scale : diff);
  }
  return worst;
}

/**
 * Gradient check of every kernel dealkit registers for the wasm backend: on seeded random inputs, the
 * values and gradients of computations that go through each kernel are compared with the cpu backend.
 * Loads and prepares wasm if needed; the active backend is restored afterwards.
 *
 * @param options default `{ tolerance: 1e-4, seed: 0, size: "quick" }`
 * @example
 * ```ts
 * const report = await checkKernels();
 * report.results.map((r) => `${r.kernelName} ${r.maxRelError.toExponential(1)}`);
 * ```
 */
export async function checkKernels(options: CheckKernelsOptions = {}): Promise<KernelCheckReport> {
  const tolerance = options.tolerance ?? 1e-4;
  const seed = options.seed ?? 0;
  const previous = tf.engine().backendName;
  if (backendInstance("wasm") == null) {
    const loaded = loadWasm(defaultLoader);
    if (!loaded.ok) throw new DealkitConfigError(`checkKernels needs the wasm backend: ${loaded.reason}`);
  }
  registerTrainingKernels("wasm");
  quietCpuBackend();
  const ours = registeredKernels("wasm").map((k) => k.kernelName);
  const results = new Map<string, KernelCheckResult>(
    ours.map((k) => [k, { kernelName: k, cases: 0, maxRelError: 0, worstCase: "", passed: true }]),
  );
  try {
    const cases = kernelCases(options.size ?? "quick");
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i];
      const rs = c.kernels.map((k) => results.get(k)).filter((r): r is KernelCheckResult => r != null);
      if (rs.length === 0) continue;
      const values = caseValues(c, seed + i);
      let err: number;
      let error: string | undefined;
      try {
        err = relativeError(await runOn("wasm", c, values), await runOn("cpu", c, values));
      } catch (e) {
        err = Infinity;
        error = `${c.name}: ${String((e as Error)?.message ?? e).split("\n")[0]}`;
      }
      for (const r of rs) {
        r.cases++;
        if (error) r.error ??= error;
        if (r.worstCase === "" || err > r.maxRelError) {
          r.maxRelError = err;
          r.worstCase = c.name;
        }
        r.passed = r.maxRelError <= tolerance && r.error == null;
      }
    }
  } finally {
    if (previous) await activateBackend(previous);
  }
  const list = [...results.values()];
  return { backend: "wasm", reference: "cpu", tolerance, seed, results: list, passed: list.every((r) => r.passed) };
}

/**
 * The check as a table, one kernel a line.
 *
 * @example
 * ```ts
 * console.log(formatKernelCheck(await checkKernels()));
 * ```
 */
export function formatKernelCheck(report: KernelCheckReport): string {
  const width = Math.max(...report.results.map((r) => r.kernelName.length), 6);
  const lines = [`kernel check: ${report.backend} vs ${report.reference}, tolerance ${report.tolerance} (relative), seed ${report.seed}`];
  for (const r of report.results) {
    const status = r.passed ? "ok  " : "FAIL";
    lines.push(`  ${status} ${r.kernelName.padEnd(width)}  ${String(r.cases).padStart(3)} cases  max rel. error ${r.maxRelError.toExponential(2)}  (${r.worstCase})`);
    if (r.error) lines.push(`       error: ${r.error}`);
  }
  lines.push(report.passed ? "all kernels match" : "MISMATCH: some kernels disagree with the cpu backend");
  return lines.join("\n");
}
