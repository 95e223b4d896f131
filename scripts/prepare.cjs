"use strict";
// Runs on `npm ci` / `npm install` in the project: links node_modules/dealkit to the project so that
// notebooks (tslab cells) and scripts can `import ... from "dealkit"`, then builds dist/.
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");

const root = path.resolve(__dirname, "..");
const link = path.join(root, "node_modules", "dealkit");
try {
  const st = fs.lstatSync(link);
  if (!st.isSymbolicLink()) fs.rmSync(link, { recursive: true, force: true });
} catch {
  /* absent */
}
if (!fs.existsSync(link)) fs.symlinkSync("..", link, "dir");

const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
if (fs.existsSync(tsc)) {
  execFileSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json")], { stdio: "inherit", cwd: root });
}
