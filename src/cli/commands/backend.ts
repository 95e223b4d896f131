import type { Command } from "commander";
import {
  checkKernels, formatBackendReport, formatKernelCheck, initBackend,
  type BackendReport, type BackendRequest, type KernelCheckReport,
} from "../../index.js";

/** Options of `dealkit backend`, as commander parses them. */
export interface BackendCommandOptions {
  check?: boolean;
  full?: boolean;
  backend?: string;
  json?: boolean;
}

/**
 * Runs `dealkit backend`: chooses the backend as notebooks do and, with `check`, runs the gradient check of
 * dealkit's wasm kernels against the cpu backend. Returns the text to print and whether everything passed;
 * kept apart from commander so that it can be called and tested directly.
 */
export async function runBackendCommand(
  o: BackendCommandOptions,
): Promise<{ report: BackendReport; check?: KernelCheckReport; ok: boolean; text: string }> {
  const report = await initBackend(o.backend ? { backend: o.backend as BackendRequest } : {});
  const check = o.check ? await checkKernels({ size: o.full ? "full" : "quick" }) : undefined;
  const ok = check ? check.passed : true;
  const text = o.json
    ? JSON.stringify({ ...report, ...(check ? { check } : {}) })
    : [formatBackendReport(report), ...(check ? [formatKernelCheck(check)] : [])].join("\n");
  return { report, check, ok, text };
}

/** `dealkit backend [--check [--full]] [--backend auto|gpu|node|wasm|cpu] [--json]` */
export function register(program: Command): void {
  program
    .command("backend")
    .description("show which TensorFlow.js backend dealkit picks and why; --check also verifies dealkit's wasm kernels")
    .option("--check", "gradient-check every kernel dealkit registers against the cpu backend; exit code 1 on a mismatch")
    .option("--full", "with --check: the full test grid (more shapes, strides, paddings) instead of the quick one")
    .option("--backend <name>", "force a backend, as DEALKIT_BACKEND does: auto | gpu | node | wasm | cpu")
    .option("--json", "print one JSON object: the backend report (and the check)")
    .action(async (opts: BackendCommandOptions) => {
      const { ok, text } = await runBackendCommand(opts);
      process.stdout.write(text + "\n");
      if (!ok) process.exitCode = 1;
    });
}
