import * as fs from "node:fs";
import * as path from "node:path";
import { DealkitConfigError } from "../util/errors.js";

/**
 * The real path of `file` when it lies under one of `roots` (folders; symbolic links resolved on both sides, so a
 * link cannot lead outside); otherwise a DealkitConfigError naming the path and the roots. A worker opens only
 * such paths: jobs carry data paths, and a queue is shared.
 *
 * @example
 * checkUnderRoots("/data/tinyset/test.json", ["/data"]); // "/data/tinyset/test.json"
 * checkUnderRoots("/etc/passwd", ["/data"]); // throws: refusing /etc/passwd: not under a data root (/data)
 */
export function checkUnderRoots(file: string, roots: readonly string[]): string {
  const real = realOrResolved(file);
  for (const root of roots) {
    const r = realOrResolved(root);
    const rel = path.relative(r, real);
    if (rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel))) return real;
  }
  throw new DealkitConfigError(`refusing ${file}: not under a data root of this worker (${roots.length ? roots.join(", ") : "none given"}); start it with --data-root DIR`);
}

function realOrResolved(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}
