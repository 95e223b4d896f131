#!/usr/bin/env node
"use strict";
// `npm run notebooks [-- options] [notebook.ipynb ...]`: executes notebooks through real Jupyter with the project's
// kernel (default: every notebook in notebooks/), writes executed copies and HTML exports to out/notebooks/,
// reports each failing notebook, cell and message, and exits non-zero when any cell failed.
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const USAGE = `usage: node scripts/run-notebooks.cjs [options] [notebook.ipynb | folder ...]
  --timeout S     seconds per cell (default $DEALKIT_CELL_TIMEOUT or 600)
  --kernel NAME   kernel for every notebook (default: the notebook's kernelspec, "dealkit")
  --out DIR       executed notebooks and HTML exports (default out/notebooks)
  --no-html       skip the HTML export
  --keep-going    run the cells after a failing cell too
  --json FILE     also write the results as JSON
  --max-html-mb N fail a notebook whose HTML export is over N MB (default 3; 0: no limit) or holds
                  plotly.js twice
Without paths it runs every notebook in notebooks/.`;

function parseArgs(argv) {
  const opts = { paths: [], html: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--timeout") opts.timeoutS = Number(value());
    else if (a === "--kernel") opts.kernel = value();
    else if (a === "--out") opts.outDir = path.resolve(value());
    else if (a === "--json") opts.json = path.resolve(value());
    else if (a === "--no-html") opts.html = false;
    else if (a === "--max-html-mb") opts.maxHtmlBytes = Math.round(Number(value()) * 1e6);
    else if (a === "--keep-going") opts.keepGoing = true;
    else if (a === "-h" || a === "--help") opts.help = true;
    else if (a.startsWith("-")) throw new Error(`unknown option ${a}`);
    else opts.paths.push(a);
  }
  if (opts.timeoutS !== undefined && !(opts.timeoutS > 0)) throw new Error("--timeout must be a positive number");
  if (opts.maxHtmlBytes !== undefined && !(opts.maxHtmlBytes >= 0)) throw new Error("--max-html-mb must be a number >= 0");
  return opts;
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`run-notebooks: ${err.message}\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const runnerJs = path.join(root, "dist", "kernel", "runner.js");
  if (!fs.existsSync(runnerJs)) {
    console.error("run-notebooks: dist/ is missing; run `npm run build` first.");
    return 2;
  }
  const { runNotebooks, listNotebooks, formatNotebookFailure } = require(runnerJs);
  const inputs = opts.paths.length ? opts.paths : [path.join(root, "notebooks")];
  const notebooks = [];
  for (const p of inputs) {
    if (fs.existsSync(p) && fs.statSync(p).isDirectory()) notebooks.push(...listNotebooks(p));
    else notebooks.push(p);
  }
  const rel = (p) => path.relative(process.cwd(), path.resolve(p)) || p;
  if (notebooks.length === 0) {
    console.log("notebooks: none found");
    if (opts.json) writeJson(opts.json, []);
    return 0;
  }
  const results = await runNotebooks(notebooks, {
    ...opts,
    onLog: (line) => {
      if (process.env.DEALKIT_RUNNER_VERBOSE) console.error(line);
    },
    onResult: (r) => {
      const timing = `${r.seconds.toFixed(1)} s, kernel start ${(r.kernelStartSeconds ?? 0).toFixed(1)} s`;
      if (r.ok) console.log(`PASS ${rel(r.notebook)} (${timing})`);
      else {
        console.log(`FAIL ${rel(r.notebook)} (${timing})`);
        for (const f of r.failures) console.log(formatNotebookFailure(rel(r.notebook), f));
      }
      if (r.html) console.log(`     html: ${rel(r.html)}`);
      if (r.htmlError) console.log(`     html export failed: ${r.htmlError}`);
    },
  });
  const failed = results.filter((r) => !r.ok).length;
  if (opts.json) writeJson(opts.json, results);
  console.log(`notebooks: ${results.length - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

function writeJson(file, data) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(data, null, 2) + "\n");
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`run-notebooks: ${err && err.message ? err.message : err}`);
    process.exit(2);
  },
);
