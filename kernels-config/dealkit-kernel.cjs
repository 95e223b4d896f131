#!/usr/bin/env node
"use strict";
// Starts the dealkit Jupyter kernel for the kernel specs in kernels/ (their argv runs this file with the
// connection file). The kernel itself is dist/kernel/protocol/main.js, built from src/kernel/protocol/.
const fs = require("node:fs");
const path = require("node:path");

const main = path.join(__dirname, "..", "dist", "kernel", "protocol", "main.js");
if (!fs.existsSync(main)) {
  console.error(`dealkit kernel: ${main} is missing; run \`npm ci\` (or \`npm run build\`) in ${path.dirname(__dirname)}`);
  process.exit(1);
}
require(main)
  .main(process.argv.slice(2))
  .catch((err) => {
    console.error(`dealkit kernel: ${err && err.message ? err.message : err}`);
    process.exit(1);
  });
