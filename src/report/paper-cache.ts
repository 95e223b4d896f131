import * as fs from "node:fs";
import * as path from "node:path";
import { contentFingerprint } from "../util/fingerprint.js";
import { removeStaleTemps } from "../util/dir-atomic.js";
import { writeFileAtomic } from "../util/fs.js";

/**
 * Cache keys of the paper reproduction. A key hashes everything the numbers depend on (each model's
 * fingerprint, the data set's version, seed and scale, the click seed, the evaluation settings and this
 * version), and nothing they do not (paths, times), so a warm re-run reads one JSON file.
 */

/** Bump when what the reproduction computes changes (rows, metrics, protocol), so old entries stop matching. */
export const PAPER_CACHE_VERSION = 2;

/** What a paper-reproduction cache key is made of. */
export interface PaperCacheKeyParts {
  /** Model role -> fingerprint (order does not matter). */
  models: Readonly<Record<string, string>>;
  /** The data set: generator version, seed and scale. */
  data: { version: number; seed: number; scale: string };
  /** Seed of the click sampling. */
  clickSeed: number;
  /** Any further settings (evaluation options, image limits, ablation grid). */
  settings?: unknown;
}

/**
 * The cache key of a reproduction: a 16-hex-char hash of {@link PaperCacheKeyParts} and
 * {@link PAPER_CACHE_VERSION}; independent of the order of `models`.
 *
 * @example
 * paperCacheKey({ models: { deal: "ab12" }, data: { version: 2, seed: 0, scale: "default" }, clickSeed: 0 });
 */
export function paperCacheKey(parts: PaperCacheKeyParts): string {
  const models = Object.keys(parts.models)
    .sort()
    .map((k) => [k, parts.models[k]]);
  return contentFingerprint("paper", PAPER_CACHE_VERSION, models, parts.data, parts.clickSeed, parts.settings ?? null);
}

/**
 * Reads a cached JSON value, or null when absent, unreadable, or (with `valid`) not of the expected shape: a
 * corrupt or foreign entry is recomputed, never used.
 */
export function readCachedJson<T>(file: string, valid?: (v: unknown) => boolean): T | null {
  if (!fs.existsSync(file)) return null;
  try {
    const v = JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
    return valid && !valid(v) ? null : (v as T);
  } catch {
    return null;
  }
}

/**
 * Writes a JSON value atomically (temp file + fsync + rename; NaN and infinities become null, as JSON has no
 * such numbers). Temp files of crashed writers beside it are removed first.
 */
export function writeCachedJson(file: string, value: unknown): void {
  removeStaleTemps(file);
  writeFileAtomic(file, JSON.stringify(value));
}

const finite = (x: unknown): boolean => typeof x === "number" && Number.isFinite(x);

/** True for a COCO results array as the prediction stage caches it (ids, finite boxes and scores). */
export function isCachedResults(v: unknown): boolean {
  return (
    Array.isArray(v) &&
    v.every((r) => {
      const o = r as { image_id?: unknown; category_id?: unknown; bbox?: unknown; score?: unknown } | null;
      return o !== null && typeof o === "object" && Number.isInteger(o.image_id) && Number.isInteger(o.category_id) && finite(o.score) &&
        Array.isArray(o.bbox) && o.bbox.length === 4 && o.bbox.every(finite);
    })
  );
}
