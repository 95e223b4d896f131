#!/usr/bin/env node
"use strict";
// The published entry: run the compiled CLI (npm ci builds dist/ through the prepare script).
const path = require("node:path");
const fs = require("node:fs");
const main = path.join(__dirname, "..", "dist", "cli", "main.js");
if (!fs.existsSync(main)) {
  console.error("dealkit: dist/ is missing; run `npm run build` (npm ci does it for you).");
  process.exit(2);
}
require(main).main(process.argv).catch((err) => {
  console.error(err && err.message ? `dealkit: ${err.message}` : err);
  process.exit(typeof err?.exitCode === "number" ? err.exitCode : 1);
});
