import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../util/fs.js";

/**
 * The on-disk cache of ablation runs: one small JSON file per (model, data, cell, seed, ...) key, written
 * atomically, so an interrupted run keeps what it finished and a re-run only computes what is missing.
 */

/** Bump when what a cached run means changes (the runner's protocol), so old entries stop matching. */
export const ABLATION_CACHE_VERSION = 1;

/**
 * A short content hash (sha256, hex, 16 chars) of strings, numbers, typed arrays or JSON values, for model
 * and data fingerprints and cache keys.
 *
 * @example
 * contentFingerprint("deal-tiny", new Float32Array([1, 2])); // "3f1c..." (same inputs, same hash)
 */
export function contentFingerprint(...parts: unknown[]): string {
  const h = createHash("sha256");
  for (const p of parts) {
    if (ArrayBuffer.isView(p)) {
      h.update(`<${p.constructor.name}:${p.byteLength}>`);
      h.update(new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
    } else h.update(JSON.stringify(p) ?? "undefined");
    h.update("\u0000");
  }
  return h.digest("hex").slice(0, 16);
}

/** The fingerprint of a file's bytes (e.g. a checkpoint). */
export function fileFingerprint(file: string): string {
  return contentFingerprint(fs.readFileSync(file));
}

/** What one cached ablation run stores. */
export interface CachedAblationRun {
  key: string;
  metrics: Record<string, number>;
  /** Seconds the run took when it was computed. */
  seconds: number;
  /** Counts of what happened (images, clicks, fallbacks to ground-truth clicks, ...). */
  stats: Record<string, number>;
}

/** Reads a cached run, or null when absent or unreadable (a corrupt entry is recomputed). */
export function readCachedRun(dir: string, key: string): CachedAblationRun | null {
  const file = path.join(dir, `${key}.json`);
  if (!fs.existsSync(file)) return null;
  try {
    const v = JSON.parse(fs.readFileSync(file, "utf8")) as CachedAblationRun;
    return v.key === key && v.metrics ? v : null;
  } catch {
    return null;
  }
}

/** Stores a run (NaN metrics survive as null and come back as NaN). */
export function writeCachedRun(dir: string, run: CachedAblationRun): void {
  writeFileAtomic(path.join(dir, `${run.key}.json`), JSON.stringify(run));
}

/** Metrics read back from JSON (null -> NaN). */
export function reviveMetrics(m: Record<string, number | null>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(m)) out[k] = v === null ? NaN : v;
  return out;
}
