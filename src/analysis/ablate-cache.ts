import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../util/fs.js";

/**
 * The on-disk cache of ablation runs: one small JSON file per (model, data, cell, seed, ...) key, written
 * atomically, so an interrupted run keeps what it finished and a re-run only computes what is missing.
 */

/** Bump when what a cached run means changes (the runner's protocol), so old entries stop matching. */
export const ABLATION_CACHE_VERSION = 1;

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
