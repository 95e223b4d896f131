import * as fs from "node:fs";
import Module from "node:module";
import * as path from "node:path";
import { ts } from "./engine.js";

/**
 * Makes `import ... from "dealkit"` work in a notebook in any folder. Cells resolve packages from the kernel's
 * working directory (the notebook's folder), for running (node's require) and for type-checking (tslab's
 * TypeScript). Where that does not find dealkit, the node_modules folder that holds this kernel's own dealkit
 * (and its dependencies) becomes the last place looked in: NODE_PATH for node, and for TypeScript the
 * filesystem root's node_modules, which module resolution looks in last, answered from that folder.
 */

/**
 * The node_modules folder holding the dealkit this kernel belongs to (with its dependencies), or null.
 *
 * @example
 * ownNodeModules(); // "<checkout>/node_modules" (its dealkit links to the checkout)
 */
export function ownNodeModules(from: string = __dirname): string | null {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules");
    if (path.basename(dir) !== "node_modules" && fs.existsSync(path.join(candidate, "dealkit", "package.json"))) {
      return candidate;
    }
    if (path.dirname(dir) === dir) return null;
  }
}

/**
 * True when node finds `dealkit` from a module in `dir` by itself.
 *
 * @example
 * resolvesDealkit(os.tmpdir()); // false (unless a node_modules above it has dealkit)
 */
export function resolvesDealkit(dir: string): boolean {
  try {
    // From a (virtual) file in dir: require.resolve(..., { paths }) here would find dealkit by self-reference.
    Module.createRequire(path.join(dir, "[dealkit kernel]")).resolve("dealkit/package.json");
    return true;
  } catch {
    return false;
  }
}

/** Adds `dir` to NODE_PATH (for this process, its workers and children) and re-reads it. */
function addNodePath(dir: string): void {
  const parts = (process.env.NODE_PATH ?? "").split(path.delimiter).filter(Boolean);
  if (!parts.includes(dir)) process.env.NODE_PATH = [...parts, dir].join(path.delimiter);
  (Module as unknown as { _initPaths(): void })._initPaths();
}

/** Answers TypeScript's lookups under `<root>/node_modules` from `fallback` where the real folder has nothing. */
function addTypeScriptFallback(fallback: string): void {
  const virtual = path.join(path.parse(fallback).root, "node_modules");
  const sys = ts.sys as unknown as Record<string, (...args: unknown[]) => unknown>;
  const mapped = (p: string): string | null => {
    const rel = path.relative(virtual, p);
    return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel)) ? path.join(fallback, rel) : null;
  };
  const wrap = (name: string, exists: (p: string) => boolean): void => {
    const real = sys[name]!.bind(ts.sys);
    sys[name] = (p: unknown, ...rest: unknown[]) => {
      const alt = typeof p === "string" ? mapped(p) : null;
      return alt && !exists(p as string) ? real(alt, ...rest) : real(p, ...rest);
    };
  };
  const exists = (p: string) => fs.existsSync(p);
  for (const name of ["fileExists", "directoryExists", "readFile", "getDirectories", "readDirectory", "realpath"]) {
    if (typeof sys[name] === "function") wrap(name, exists);
  }
}

/**
 * Installs the fallback when `cwd` does not resolve dealkit itself; returns the folder used, or null when none
 * was needed (or none found).
 *
 * @example
 * useOwnPackagesAsFallback(process.cwd());
 */
export function useOwnPackagesAsFallback(cwd: string): string | null {
  if (resolvesDealkit(cwd)) return null;
  const own = ownNodeModules();
  if (!own) return null;
  addNodePath(own);
  addTypeScriptFallback(own);
  return own;
}
