"use strict";
// Preloaded (node -r) into a dealkit CLI run by the fault-injection tests: counts the file-system writes, renames and
// removals under DEALKIT_FAULT_UNDER and kills the process with SIGKILL (as kill -9 would) just before write number
// DEALKIT_FAULT_AT. With DEALKIT_FAULT_COUNT set, the number of such operations is written there at exit; with
// DEALKIT_FAULT_LOG set, one line per operation ("<n> <call> <path relative to DEALKIT_FAULT_UNDER>") is
// written there at exit, so that a test can pick the points of one file or every rename.
const fs = require("node:fs");
const path = require("node:path");

const under = path.resolve(process.env.DEALKIT_FAULT_UNDER || "/nonexistent");
const at = Number(process.env.DEALKIT_FAULT_AT || 0);
const countFile = process.env.DEALKIT_FAULT_COUNT;
const logFile = process.env.DEALKIT_FAULT_LOG;
const orig = {};
const fds = new Map();
const log = [];
let n = 0;

const inside = (p) => typeof p === "string" && path.resolve(p).startsWith(under + path.sep);
const rel = (p) => path.relative(under, path.resolve(String(p)));
function hit(call, p) {
  n++;
  if (logFile) log.push(`${n} ${call} ${rel(p)}`);
  if (n === at) process.kill(process.pid, "SIGKILL");
}

for (const name of ["writeFileSync", "appendFileSync", "renameSync", "rmSync", "unlinkSync", "mkdirSync", "copyFileSync"]) {
  orig[name] = fs[name];
  fs[name] = function (...args) {
    if (inside(args[0]) || inside(args[1])) hit(name, inside(args[0]) ? args[0] : args[1]);
    return orig[name].apply(this, args);
  };
}
orig.openSync = fs.openSync;
fs.openSync = function (...args) {
  const fd = orig.openSync.apply(this, args);
  if (inside(args[0]) && /[wa]/.test(String(args[1] ?? "r"))) fds.set(fd, args[0]);
  return fd;
};
for (const name of ["writeSync", "fsyncSync"]) {
  orig[name] = fs[name];
  fs[name] = function (...args) {
    if (fds.has(args[0])) hit(name, fds.get(args[0]));
    return orig[name].apply(this, args);
  };
}
orig.closeSync = fs.closeSync;
fs.closeSync = function (fd) {
  fds.delete(fd);
  return orig.closeSync.call(this, fd);
};
process.on("exit", () => {
  if (countFile) orig.writeFileSync(countFile, String(n));
  if (logFile) orig.writeFileSync(logFile, log.join("\n") + "\n");
});
