#!/usr/bin/env node
"use strict";
// `npm test`: build, typecheck, unit tests (vitest), the kernel conformance tests (Debian's jupyter_kernel_test and
// the dealkit kernel's protocol tests, against the shipped kernel spec), then every notebook in notebooks/ through
// real Jupyter.
// Every step runs even when an earlier one failed, so one run shows everything that is broken. The last line is
// exactly `tests: N passed, N failed` (vitest tests + kernel conformance tests + notebooks; a failed build,
// typecheck, or a test file that could not load counts as one failure), and the exit status is non-zero on any
// failure.
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { summarize, summaryLine } = require("./test-summary.cjs");

const root = path.resolve(__dirname, "..");
const outDir = path.join(root, "out");
const vitestJson = path.join(outDir, "vitest-results.json");
const notebooksJson = path.join(outDir, "notebooks", "results.json");
const kernelJson = path.join(outDir, "kernel-conformance.json");
const python = process.env.DEALKIT_PYTHON || "/usr/bin/python3";
const node = process.execPath;
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const timings = [];

function step(name, cmd, args) {
  console.log(`\n== ${name}: ${[path.basename(cmd), ...args].join(" ")}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: process.env });
  timings.push(`${name} ${((Date.now() - started) / 1000).toFixed(1)} s`);
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
fs.rmSync(vitestJson, { force: true });
fs.rmSync(notebooksJson, { force: true });
fs.rmSync(kernelJson, { force: true });

const buildOk = step("build", npm, ["run", "--silent", "build"]);
const typecheckOk = step("typecheck", node, [path.join("node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json", "--noEmit"]);
const vitestOk = step("unit tests", node, [
  path.join("node_modules", "vitest", "vitest.mjs"),
  "run",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${path.relative(root, vitestJson)}`,
]);
const kernelOk = step("kernel conformance", python, [
  path.join("test", "kernel", "conformance", "run.py"),
  "--json",
  path.relative(root, kernelJson),
]);
const notebooksOk = step("notebooks", node, [path.join("scripts", "run-notebooks.cjs"), "--json", notebooksJson]);

const summary = summarize({
  root,
  buildOk,
  typecheckOk,
  vitestOk,
  vitest: readJson(vitestJson),
  kernelOk,
  kernel: readJson(kernelJson),
  notebooksOk,
  notebooks: readJson(notebooksJson),
});
console.log(`\n== timings: ${timings.join(", ")}, total ${((Date.now() - started) / 1000).toFixed(1)} s`);
for (const p of summary.problems) console.log(`FAILED: ${p}`);
console.log(summaryLine(summary));
process.exit(summary.failed > 0 ? 1 : 0);
