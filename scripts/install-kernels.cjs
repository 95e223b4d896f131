#!/usr/bin/env node
"use strict";
// `npm run kernel:install [-- --data-dir DIR] [-- --uninstall]`: installs the dealkit kernels (kernels-config/)
// into the user's Jupyter data folder, so any Jupyter on this machine lists "dealkit (TypeScript)" and its CPU/GPU
// variants without JUPYTER_PATH. The installed kernel.json files hold absolute paths to this checkout's node and
// kernel launcher (kernels-config/dealkit-kernel.cjs): they are generated here, on the user's machine, and never
// committed. The kernel finds `dealkit` (and its dependencies) from this checkout wherever a notebook lives.
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const source = path.join(root, "kernels-config", "kernels");
const launcher = path.join(root, "kernels-config", "dealkit-kernel.cjs");
const kernelMain = path.join(root, "dist", "kernel", "protocol", "main.js");

/** Jupyter's user data folder: what jupyter_core says, else its documented defaults. */
function jupyterDataDir() {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  const python = process.env.DEALKIT_PYTHON || "/usr/bin/python3";
  const r = spawnSync(python, ["-c", "from jupyter_core.paths import jupyter_data_dir; print(jupyter_data_dir())"], {
    encoding: "utf8",
  });
  if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  if (process.platform === "darwin") return path.join(os.homedir(), "Library", "Jupyter");
  if (process.platform === "win32") return path.join(process.env.APPDATA || os.homedir(), "jupyter");
  const xdg = process.env.XDG_DATA_HOME || path.join(os.homedir(), ".local", "share");
  return path.join(xdg, "jupyter");
}

function main(argv) {
  let dataDir;
  let uninstall = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--data-dir" && i + 1 < argv.length) dataDir = path.resolve(argv[++i]);
    else if (argv[i] === "--uninstall") uninstall = true;
    else {
      console.error("usage: node scripts/install-kernels.cjs [--data-dir DIR] [--uninstall]");
      return 2;
    }
  }
  dataDir = dataDir || jupyterDataDir();
  if (!uninstall && !fs.existsSync(kernelMain)) {
    console.error(`install-kernels: ${path.relative(root, kernelMain)} is missing; run npm ci (or npm run build) first.`);
    return 1;
  }
  for (const name of fs.readdirSync(source).sort()) {
    const specFile = path.join(source, name, "kernel.json");
    if (!fs.existsSync(specFile)) continue;
    const target = path.join(dataDir, "kernels", name);
    if (uninstall) {
      fs.rmSync(target, { recursive: true, force: true });
      console.log(`removed ${name} from ${target}`);
      continue;
    }
    const spec = JSON.parse(fs.readFileSync(specFile, "utf8"));
    // node by absolute path too: Jupyter may start kernels with a PATH that lacks this node (nvm, ...).
    spec.argv = [process.execPath, launcher, "{connection_file}"];
    spec.metadata = { ...(spec.metadata || {}), dealkit: { ...(spec.metadata?.dealkit || {}), checkout: root } };
    fs.mkdirSync(target, { recursive: true });
    fs.writeFileSync(path.join(target, "kernel.json"), JSON.stringify(spec, null, 2) + "\n");
    console.log(`installed ${name} ("${spec.display_name}") in ${target}`);
  }
  if (!uninstall) console.log("Open a notebook with: jupyter notebook notebooks/ (or jupyter lab) and pick a dealkit kernel.");
  return 0;
}

process.exit(main(process.argv.slice(2)));
