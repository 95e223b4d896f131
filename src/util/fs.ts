import * as fs from "node:fs";
import * as path from "node:path";

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
