import { afterEach, describe, expect, it } from "vitest";
import { clearOutput, showHtml } from "../../src/kernel/display.js";
import { setKernelHook, type KernelHook } from "../../src/kernel/hook.js";
import { inKernel } from "../../src/kernel/tslab.js";

describe("the dealkit kernel's display hook", () => {
  afterEach(() => setKernelHook(undefined));

  it("receives displays and clear_output while a dealkit kernel runs; nothing happens without one", () => {
    expect(inKernel()).toBe(false);
    expect(clearOutput()).toBe(false);
    const calls: unknown[][] = [];
    const hook: KernelHook = {
      display: (...args) => void calls.push(["display", ...args]),
      clearOutput: (wait) => void calls.push(["clear", wait]),
    };
    setKernelHook(hook);
    expect(inKernel()).toBe(true);
    showHtml("<b>x</b>");
    expect(clearOutput(true)).toBe(true);
    expect(calls).toEqual([
      ["display", { "text/html": "<b>x</b>", "text/plain": "x" }, undefined, false],
      ["clear", true],
    ]);
  });
});
