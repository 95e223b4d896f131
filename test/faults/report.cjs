"use strict";
// Run by the fault-injection tests under kill-at.cjs: writes a dealkit report folder (what `dealkit reproduce`
// writes after its cached computation) with the compiled reproduce(): node report.cjs OUT_DIR NAME. Jupyter is
// replaced by a stand-in that writes NAME.ipynb and NAME.html as the runner would (a real kernel takes minutes
// on a loaded machine; test/report/reproduce.test.ts runs the real one), so every write is dealkit's own.
const fs = require("node:fs");
const path = require("node:path");
const { reproduce } = require(path.join(__dirname, "..", "..", "dist", "report", "index.js"));

const [outDir, name] = process.argv.slice(2);
const stand = async (notebooks, o) => {
  fs.mkdirSync(o.outDir, { recursive: true });
  return notebooks.map((nb) => {
    const base = path.basename(nb, ".ipynb");
    const executed = path.join(o.outDir, `${base}.ipynb`);
    const html = path.join(o.outDir, `${base}.html`);
    fs.writeFileSync(executed, JSON.stringify({ cells: [], metadata: { name: base }, nbformat: 4, nbformat_minor: 5 }));
    fs.writeFileSync(html, `<!DOCTYPE html><html><body><h1>${base}</h1></body></html>\n`);
    return { notebook: nb, ok: true, seconds: 1, cells: [], failures: [], executed, html };
  });
};
reproduce({ outDir, notebooks: [`${name}.ipynb`], mainNotebook: `${name}.ipynb`, runNotebooks: stand }).then(
  (r) => process.stdout.write(`report: ${r.reportHtml} ${r.ok ? "ok" : "failed"}\n`),
  (err) => {
    process.stderr.write(`dealkit: ${err.message}\n`);
    process.exitCode = 1;
  },
);
