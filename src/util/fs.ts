import * as fs from "node:fs";
import * as path from "node:path";
import { DealkitInputError, type InputLocation } from "./errors.js";

/**
 * Writes a file atomically: the data goes to a temporary file beside the target, is flushed, and is
 * renamed over the target, so a reader (or a crash) never sees a half-written file.
 *
 * @example
 * writeFileAtomic("out/results.json", JSON.stringify(results));
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Date.now().toString(36)}`;
  const fd = fs.openSync(tmp, "w");
  try {
    fs.writeSync(fd, data as never);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** The project root (the folder holding dealkit's package.json), from compiled or source files alike. */
export function projectRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const pkg = path.join(dir, "package.json");
    if (fs.existsSync(pkg)) {
      try {
        if (JSON.parse(fs.readFileSync(pkg, "utf8")).name === "dealkit") return dir;
      } catch {
        /* keep looking */
      }
    }
    dir = path.dirname(dir);
  }
  return process.cwd();
}

/** dealkit's cache folder: $DEALKIT_CACHE, else `.cache/` in the project root. */
export function cacheDir(...parts: string[]): string {
  const base = process.env.DEALKIT_CACHE || path.join(projectRoot(), ".cache");
  return path.join(base, ...parts);
}

/**
 * A path read from a file, resolved against `root` and confined to it: it must be a non-empty relative string
 * that stays inside `root` (no absolute paths, no `..` leaving it, no NUL). The error names the file and field,
 * never the foreign content behind the path.
 *
 * @example
 * resolveInside("data/tinyset", "annotations/val.json", { file: "data/tinyset/manifest.json", field: "splits.val.annotations" });
 */
export function resolveInside(root: string, rel: unknown, where: InputLocation): string {
  const show = typeof rel === "string" ? JSON.stringify(rel.slice(0, 60)) : String(JSON.stringify(rel) ?? typeof rel).slice(0, 40);
  if (typeof rel !== "string" || rel.length === 0 || rel.includes("\0") || path.isAbsolute(rel) || /^[A-Za-z]:/.test(rel)) {
    throw new DealkitInputError(`must be a relative path inside ${root}; got ${show}`, where);
  }
  const base = path.resolve(root);
  const full = path.resolve(base, rel);
  if (full !== base && !full.startsWith(base + path.sep)) throw new DealkitInputError(`must stay inside ${root}; got ${show}`, where);
  return full;
}

/**
 * Reads a JSON file; unreadable or invalid JSON is a DealkitInputError naming the file (with a short reason, never
 * the content). A UTF-8 byte order mark is accepted.
 *
 * @example
 * const manifest = readJsonFileChecked("data/tinyset/manifest.json");
 */
export function readJsonFileChecked(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new DealkitInputError(`cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`, { file });
  }
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    throw new DealkitInputError(`is not valid JSON (${String((err as Error).message).slice(0, 80)})`, { file });
  }
}
