import * as fs from "node:fs";
import * as path from "node:path";
import { DealkitInputError } from "./errors.js";

/** Is the process with this id alive? (A temp file of a live writer is not stale.) */
function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Flushes a folder's entries (renames, creations) to disk; a no-op where folders cannot be opened. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    /* not supported here (e.g. some network file systems): the renames are still atomic */
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Removes what crashed writers left beside `target`: `<target>.tmp-<pid>-*` (a half-written file or folder) and
 * `<target>.old-<pid>-*` (the previous output during a swap) of processes no longer alive. When `target` itself
 * is missing (a crash between the two renames of a swap), the previous output is put back instead.
 * Returns the names removed or restored.
 *
 * @example
 * removeStaleTemps("out/tinyset"); // ["tinyset.tmp-4242-lq3x"]
 */
export function removeStaleTemps(target: string): string[] {
  const parent = path.dirname(path.resolve(target));
  const base = path.basename(target);
  if (!fs.existsSync(parent)) return [];
  const done: string[] = [];
  for (const f of fs.readdirSync(parent)) {
    const m = /^(.*)\.(tmp|old)-(\d+)-[0-9a-z]+$/.exec(f);
    if (!m || m[1] !== base || alive(Number(m[3]))) continue;
    const full = path.join(parent, f);
    if (m[2] === "old" && !fs.existsSync(target)) fs.renameSync(full, target);
    else fs.rmSync(full, { recursive: true, force: true });
    done.push(f);
  }
  if (done.length) fsyncDir(parent);
  return done;
}

/** How {@link writeDirAtomic} may replace an existing folder. */
export interface DirAtomicOptions {
  /** What the folder is, for messages ("TinySet-mini folder"). */
  what: string;
  /** True when an existing, non-empty folder is a previous output of this writer (so it may be replaced). */
  isPrevious: (dir: string) => boolean;
  /** Entries of an existing target that the new folder keeps (moved over, one rename each, unless written anew). */
  keep?: readonly string[];
}

function tempName(target: string, kind: "tmp" | "old"): string {
  return `${target}.${kind}-${process.pid}-${(Date.now() + Math.floor(Math.random() * 1e6)).toString(36)}`;
}

/**
 * Checks that `target` can be written as a whole folder: it is missing, empty or a previous output; a file or a
 * folder of other things is refused (nothing of the user's is ever replaced). Stale temps are removed first.
 */
function checkTarget(target: string, o: DirAtomicOptions): void {
  removeStaleTemps(target);
  if (!fs.existsSync(target)) return;
  if (!fs.statSync(target).isDirectory()) throw new DealkitInputError(`is a file; the ${o.what} is written as a folder`, { file: target });
  if (fs.readdirSync(target).length > 0 && !o.isPrevious(target)) {
    throw new DealkitInputError(`is a folder that holds other files, not a ${o.what}; give a new or empty folder (it is replaced whole)`, { file: target });
  }
}

/** Puts a finished temp folder in place of `target`: the old one is moved aside, the new one renamed in, the old removed. */
function swapIn(tmp: string, target: string, keep: readonly string[] = []): void {
  const parent = path.dirname(path.resolve(target));
  for (const k of keep) {
    if (fs.existsSync(path.join(target, k)) && !fs.existsSync(path.join(tmp, k))) fs.renameSync(path.join(target, k), path.join(tmp, k));
  }
  let old: string | undefined;
  if (fs.existsSync(target)) {
    old = tempName(target, "old");
    fs.renameSync(target, old);
  }
  fs.renameSync(tmp, target);
  fsyncDir(parent);
  if (old) fs.rmSync(old, { recursive: true, force: true });
}

/**
 * Writes a folder atomically: `write` fills a temporary sibling `<target>.tmp-<pid>-*`, which then replaces
 * `target` whole (two renames; a crash between them is repaired by the next {@link removeStaleTemps}). A crash
 * during `write` leaves the previous output untouched and a temp that the next run removes. An existing target
 * must be empty or a previous output (`isPrevious`); anything else is refused.
 *
 * @example
 * await writeDirAtomic("out/tinyset", (tmp) => generateInto(tmp), { what: "TinySet-mini folder", isPrevious: hasManifest });
 */
export async function writeDirAtomic<T>(target: string, write: (tmp: string) => Promise<T> | T, o: DirAtomicOptions): Promise<T> {
  checkTarget(target, o);
  const tmp = tempName(target, "tmp");
  fs.mkdirSync(tmp, { recursive: true });
  try {
    const r = await write(tmp);
    swapIn(tmp, target, o.keep);
    return r;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * {@link writeDirAtomic} for a synchronous writer.
 *
 * @example
 * writeDirAtomicSync("out/yolo", (tmp) => writeLabels(tmp), { what: "YOLO folder", isPrevious: isYoloFolder });
 */
export function writeDirAtomicSync<T>(target: string, write: (tmp: string) => T, o: DirAtomicOptions): T {
  checkTarget(target, o);
  const tmp = tempName(target, "tmp");
  fs.mkdirSync(tmp, { recursive: true });
  try {
    const r = write(tmp);
    swapIn(tmp, target, o.keep);
    return r;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
