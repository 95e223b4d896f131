import { describe, expect, it } from "vitest";
interface Summary {
  passed: number;
  failed: number;
  problems: string[];
}
// scripts/ is plain CommonJS (it runs before anything is built).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { summarize, summaryLine } = require("../../scripts/test-summary.cjs") as {
  summarize(s: Record<string, unknown>): Summary;
  summaryLine(s: Summary): string;
};

const ok = { buildOk: true, typecheckOk: true, vitestOk: true, notebooksOk: true, root: "/r" };
const vitest = (passed: number, failed: number, files: object[] = []) => ({ numPassedTests: passed, numFailedTests: failed, testResults: files });

describe("npm test summary", () => {
  it("adds vitest tests and notebooks", () => {
    const s = summarize({ ...ok, vitest: vitest(10, 0), notebooks: [{ notebook: "/r/notebooks/a.ipynb", ok: true }] });
    expect(summaryLine(s)).toBe("tests: 11 passed, 0 failed");
  });

  it("counts failing tests, failing notebooks, a broken build and typecheck", () => {
    const s = summarize({
      ...ok,
      buildOk: false,
      typecheckOk: false,
      vitestOk: false,
      notebooksOk: false,
      vitest: vitest(5, 2, [{ name: "/r/test/a.test.ts", status: "failed", assertionResults: [{ status: "failed" }, { status: "failed" }] }]),
      notebooks: [{ notebook: "notebooks/a.ipynb", ok: false }, { notebook: "notebooks/b.ipynb", ok: true }],
    });
    expect(summaryLine(s)).toBe("tests: 6 passed, 5 failed");
    expect(s.problems).toContain("notebook failed: notebooks/a.ipynb");
  });

  it("counts a test file that could not load, and steps that produced no results", () => {
    const s = summarize({
      ...ok,
      vitestOk: false,
      notebooksOk: false,
      vitest: vitest(3, 0, [{ name: "/r/test/b.test.ts", status: "failed", message: "Transform failed\nmore", assertionResults: [] }]),
      notebooks: null,
    });
    expect(summaryLine(s)).toBe("tests: 3 passed, 2 failed");
    expect(s.problems).toEqual([
      "test file failed to run: test/b.test.ts: Transform failed",
      "the notebook runner wrote no results (it did not run)",
    ]);
    expect(summaryLine(summarize({ ...ok, vitestOk: false, vitest: null, notebooks: [] }))).toBe("tests: 0 passed, 1 failed");
  });

  it("fails when a step exits non-zero without a failure to show for it", () => {
    expect(summarize({ ...ok, vitestOk: false, vitest: vitest(1, 0), notebooks: [] }).failed).toBe(1);
    expect(summarize({ ...ok, notebooksOk: false, vitest: vitest(1, 0), notebooks: [] }).failed).toBe(1);
  });

  it("counts the kernel conformance tests, a skipped one as failed, and their absence", () => {
    const kernel = {
      tests: [
        { name: "DealkitKernelTests.test_error", outcome: "passed" },
        { name: "DealkitKernelTests.test_pager", outcome: "skipped" },
        { name: "DealkitProtocolTests.test_interrupt", outcome: "failed" },
      ],
    };
    const s = summarize({ ...ok, vitest: vitest(2, 0), notebooks: [], kernelOk: false, kernel });
    expect(summaryLine(s)).toBe("tests: 3 passed, 2 failed");
    expect(s.problems).toEqual([
      "kernel conformance test skipped: DealkitKernelTests.test_pager",
      "kernel conformance test failed: DealkitProtocolTests.test_interrupt",
    ]);
    expect(summaryLine(summarize({ ...ok, vitest: vitest(2, 0), notebooks: [], kernelOk: false, kernel: null }))).toBe(
      "tests: 2 passed, 1 failed",
    );
    const allPassed = { tests: [{ name: "a", outcome: "passed" }] };
    expect(summarize({ ...ok, vitest: vitest(0, 0), notebooks: [], kernelOk: false, kernel: allPassed }).failed).toBe(1);
  });
});
