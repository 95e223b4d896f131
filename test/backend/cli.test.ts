import { Command } from "commander";
import { afterEach, expect, test, vi } from "vitest";
import { register, runBackendCommand } from "../../src/cli/commands/backend.js";

afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

test("dealkit backend --check prints the choice, the reasons and a passing kernel table", async () => {
  const { ok, text, check } = await runBackendCommand({ check: true, backend: "wasm" });
  expect(ok).toBe(true);
  expect(check?.passed).toBe(true);
  expect(text).toMatch(/^backend: wasm/);
  expect(text).toContain("Conv2DBackpropFilter");
  expect(text).toContain("all kernels match");
});

test("the registered command runs through commander and leaves the exit code alone when all match", async () => {
  const out: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((s) => (out.push(String(s)), true));
  const program = new Command().exitOverride();
  register(program);
  await program.parseAsync(["node", "dealkit", "backend", "--backend", "cpu", "--json"]);
  const parsed = JSON.parse(out.join(""));
  expect(parsed.backend).toBe("cpu");
  expect(parsed.requestedBy).toBe("option");
  expect(process.exitCode).toBeUndefined();
});

test("--check sets a non-zero exit code when a kernel disagrees with the cpu backend", async () => {
  const { tf } = await import("../../src/backend/index.js");
  await runBackendCommand({ backend: "wasm" });
  const ours = tf.getKernel("Einsum", "wasm")!;
  tf.unregisterKernel("Einsum", "wasm");
  const broken: import("../../src/backend/index.js").tf.KernelConfig = {
    kernelName: "Einsum",
    backendName: "wasm",
    kernelFunc: () => {
      throw new Error("broken on purpose");
    },
  };
  Object.defineProperty(broken, Symbol.for("dealkit.kernel"), { value: true });
  tf.registerKernel(broken);
  const out: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((s) => (out.push(String(s)), true));
  try {
    const program = new Command().exitOverride();
    register(program);
    await program.parseAsync(["node", "dealkit", "backend", "--check"]);
    expect(process.exitCode).toBe(1);
    expect(out.join("")).toMatch(/FAIL Einsum[\s\S]*broken on purpose[\s\S]*MISMATCH/);
  } finally {
    tf.unregisterKernel("Einsum", "wasm");
    tf.registerKernel(ours);
  }
});
