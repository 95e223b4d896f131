#!/usr/bin/env node
"use strict";
// `npm test`: build, typecheck, unit tests (vitest), then every notebook in notebooks/ through real Jupyter.
// Every step runs even when an earlier one failed, so one run shows everything that is broken. The last line is
// exactly `tests: N passed, N failed` (vitest tests + notebooks; a failed build, typecheck, or a test file that
// could not load counts as one failure), and the exit status is non-zero on any failure.
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const outDir = path.join(root, "out");
const vitestJson = path.join(outDir, "vitest-results.json");
const notebooksJson = path.join(outDir, "notebooks", "results.json");
const node = process.execPath;
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

let passed = 0;
let failed = 0;
const problems = [];
const timings = [];

function step(name, cmd, args) {
  console.log(`\n== ${name}: ${[path.basename(cmd), ...args].join(" ")}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: process.env });
  const seconds = (Date.now() - started) / 1000;
  timings.push(`${name} ${seconds.toFixed(1)} s`);
  if (r.error) console.error(`${name}: could not start ${cmd}: ${r.error.message}`);
  return r.status === 0 && !r.error;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

const started = Date.now();
fs.mkdirSync(outDir, { recursive: true });

if (!step("build", npm, ["run", "--silent", "build"])) {
  failed += 1;
  problems.push("build (tsc) failed");
}

if (!step("typecheck", node, [path.join("node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json", "--noEmit"])) {
  failed += 1;
  problems.push("typecheck failed");
}

fs.rmSync(vitestJson, { force: true });
const vitestOk = step("unit tests", node, [
  path.join("node_modules", "vitest", "vitest.mjs"),
  "run",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${path.relative(root, vitestJson)}`,
]);
const vitest = readJson(vitestJson);
if (vitest) {
  passed += vitest.numPassedTests || 0;
  failed += vitest.numFailedTests || 0;
  // A test file that fails to load has no failed test in it: count the file.
  for (const file of vitest.testResults || []) {
    const failedTests = (file.assertionResults || []).filter((t) => t.status === "failed").length;
    if (file.status === "failed" && failedTests === 0) {
      failed += 1;
      problems.push(`test file failed to run: ${path.relative(root, file.name)}`);
    }
  }
  if (vitest.numFailedTests) problems.push(`${vitest.numFailedTests} unit test(s) failed`);
  if (!vitestOk && !vitest.numFailedTests && !problems.some((p) => p.startsWith("test file"))) {
    failed += 1;
    problems.push("vitest exited non-zero");
  }
} else {
  failed += 1;
  problems.push("vitest wrote no results (it did not run)");
}

fs.rmSync(notebooksJson, { force: true });
const notebooksOk = step("notebooks", node, [path.join("scripts", "run-notebooks.cjs"), "--json", notebooksJson]);
const notebooks = readJson(notebooksJson);
if (notebooks) {
  for (const r of notebooks) {
    if (r.ok) passed += 1;
    else {
      failed += 1;
      problems.push(`notebook failed: ${path.relative(root, path.resolve(root, r.notebook))}`);
    }
  }
  if (!notebooksOk && notebooks.every((r) => r.ok)) {
    failed += 1;
    problems.push("the notebook runner exited non-zero");
  }
} else {
  failed += 1;
  problems.push("the notebook runner wrote no results (it did not run)");
}

console.log(`\n== timings: ${timings.join(", ")}, total ${((Date.now() - started) / 1000).toFixed(1)} s`);
for (const p of problems) console.log(`FAILED: ${p}`);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
