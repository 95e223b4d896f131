"use strict";
// Preloaded (node -r) into a dealkit CLI run by the fault-injection tests: counts the file-system writes, renames and
// removals under DEALKIT_FAULT_UNDER and kills the process with SIGKILL (as kill -9 would) just before write number
// DEALKIT_FAULT_AT. With DEALKIT_FAULT_COUNT set, the number of such operations is written there at exit.
const fs = require("node:fs");
const path = require("node:path");

const under = path.resolve(process.env.DEALKIT_FAULT_UNDER || "/nonexistent");
const at = Number(process.env.DEALKIT_FAULT_AT || 0);
const countFile = process.env.DEALKIT_FAULT_COUNT;
const orig = {};
const fds = new Set();
let n = 0;

const inside = (p) => typeof p === "string" && path.resolve(p).startsWith(under + path.sep);
function hit() {
  n++;
  if (n === at) process.kill(process.pid, "SIGKILL");
}

for (const name of ["writeFileSync", "appendFileSync", "renameSync", "rmSync", "unlinkSync", "mkdirSync", "copyFileSync"]) {
  orig[name] = fs[name];
  fs[name] = function (...args) {
    if (inside(args[0]) || inside(args[1])) hit();
    return orig[name].apply(this, args);
  };
}
orig.openSync = fs.openSync;
fs.openSync = function (...args) {
  const fd = orig.openSync.apply(this, args);
  if (inside(args[0]) && /[wa]/.test(String(args[1] ?? "r"))) fds.add(fd);
  return fd;
};
for (const name of ["writeSync", "fsyncSync"]) {
  orig[name] = fs[name];
  fs[name] = function (...args) {
    if (fds.has(args[0])) hit();
    return orig[name].apply(this, args);
  };
}
orig.closeSync = fs.closeSync;
fs.closeSync = function (fd) {
  fds.delete(fd);
  return orig.closeSync.call(this, fd);
};
if (countFile) process.on("exit", () => orig.writeFileSync(countFile, String(n)));
