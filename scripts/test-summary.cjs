"use strict";
// Counts for `npm test`'s last line, `tests: N passed, N failed`, from the steps' exit status, vitest's JSON report,
// the kernel conformance tests' JSON results and the notebook runner's JSON results. Kept apart from scripts/test.cjs so the counting is tested.
const path = require("node:path");

/**
 * @param {{ buildOk: boolean, typecheckOk: boolean, vitestOk: boolean, vitest: any, notebooksOk: boolean,
 *   notebooks: any[] | null, kernelOk?: boolean, kernel?: any, root?: string }} s
 *   `kernel`: test/kernel/conformance/run.py's results ({ tests: [{ name, outcome }] }), null when it wrote none;
 *   left out, the step is not part of the run.
 * @returns {{ passed: number, failed: number, problems: string[] }}
 */
function summarize(s) {
  const root = s.root || process.cwd();
  const rel = (p) => path.relative(root, path.resolve(root, p));
  let passed = 0;
  let failed = 0;
  const problems = [];
  if (!s.buildOk) {
    failed += 1;
    problems.push("build (tsc) failed");
  }
  if (!s.typecheckOk) {
    failed += 1;
    problems.push("typecheck failed");
  }
  if (s.vitest) {
    passed += s.vitest.numPassedTests || 0;
    failed += s.vitest.numFailedTests || 0;
    if (s.vitest.numFailedTests) problems.push(`${s.vitest.numFailedTests} unit test(s) failed`);
    let brokenFiles = 0;
    // A test file that fails to load has no failed test in it: count the file.
    for (const file of s.vitest.testResults || []) {
      const failedTests = (file.assertionResults || []).filter((t) => t.status === "failed").length;
      if (file.status === "failed" && failedTests === 0) {
        brokenFiles += 1;
        problems.push(`test file failed to run: ${rel(file.name)}: ${String(file.message || "").split("\n")[0]}`);
      }
    }
    failed += brokenFiles;
    if (!s.vitestOk && !s.vitest.numFailedTests && brokenFiles === 0) {
      failed += 1;
      problems.push("vitest exited non-zero");
    }
  } else {
    failed += 1;
    problems.push("vitest wrote no results (it did not run)");
  }
  if ("kernel" in s) {
    const kernel = countKernelTests(s.kernel, s.kernelOk);
    passed += kernel.passed;
    failed += kernel.failed;
    problems.push(...kernel.problems);
  }
  if (s.notebooks) {
    for (const r of s.notebooks) {
      if (r.ok) passed += 1;
      else {
        failed += 1;
        problems.push(`notebook failed: ${rel(r.notebook)}`);
      }
    }
    if (!s.notebooksOk && s.notebooks.every((r) => r.ok)) {
      failed += 1;
      problems.push("the notebook runner exited non-zero");
    }
  } else {
    failed += 1;
    problems.push("the notebook runner wrote no results (it did not run)");
  }
  return { passed, failed, problems };
}

/** The kernel conformance tests: a skipped test is a failure (every test has its sample). */
function countKernelTests(results, ok) {
  if (!results || !Array.isArray(results.tests)) {
    return { passed: 0, failed: 1, problems: ["the kernel conformance tests wrote no results (they did not run)"] };
  }
  let passed = 0;
  let failed = 0;
  const problems = [];
  for (const t of results.tests) {
    if (t.outcome === "passed") passed += 1;
    else {
      failed += 1;
      problems.push(`kernel conformance test ${t.outcome}: ${t.name}`);
    }
  }
  if (ok === false && failed === 0) {
    failed += 1;
    problems.push("the kernel conformance tests exited non-zero");
  }
  return { passed, failed, problems };
}

/** The summary line, exactly. */
function summaryLine({ passed, failed }) {
  return `tests: ${passed} passed, ${failed} failed`;
}

module.exports = { summarize, summaryLine };
