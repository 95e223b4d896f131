import * as path from "node:path";
import { initBackend } from "../backend/init.js";
import { TINYSET_MINI_VERSION, type TinySetScaleName } from "../data/synth/tinyset.js";
import type { AblationGridName } from "../analysis/ablate-grid.js";
import { DealkitConfigError } from "../util/errors.js";
import { cacheDir } from "../util/fs.js";
import { paperCacheKey, readCachedJson, writeCachedJson } from "./paper-cache.js";
import { PAPER_MODELS, type PaperModelRole } from "./paper-models.js";
import { PAPER_MERGE_IOU, PAPER_PREDICT, paperAblationStage, paperDataStage, paperEvalStage, paperModelsStage, paperPredictStage, paperTideStage, type PaperContext } from "./paper-stages.js";
import { paperHeadline, type PaperHeadline, type PaperMetrics, type PaperRow } from "./paper-table.js";

/** Options of {@link runPaperReproduction}. Defaults in brackets. */
export interface PaperReproductionOptions {
  /**
   * The data: "default" (TinySet-mini, generated and cached by `seed` and `scale`) or a TinySet-mini folder
   * (its manifest gives seed and scale; it must hold the five splits) ["default"].
   */
  data?: string;
  /** TinySet-mini seed [0] and scale ["default"] (with data "default"). */
  seed?: number;
  scale?: TinySetScaleName;
  /** Seed of the click sampling (centre clicks on GT instances chosen per image from it) [0]. */
  clickSeed?: number;
  /** Where the shipped checkpoints are [datasets/models]. */
  modelsDir?: string;
  /** Train every model into the cache even when shipped [false]. */
  retrain?: boolean;
  /** Evaluate only the first n images of each domain of each split [all]. */
  imagesPerDomain?: number;
  /** The prompt-ablation grid on the held-out-categories split; false skips it. [{ grid "small", 2 images per domain, seeds 0-2 }] */
  ablation?: false | { grid?: AblationGridName; imagesPerDomain?: number; seeds?: number[] };
  /** Explicit checkpoint folders per model role (e.g. the ones a `--retrain` run just trained); others as above. */
  modelDirs?: Partial<Record<PaperModelRole, string>>;
  /**
   * The on-disk cache (`<cache>/paper`: the result and the predictions; `<cache>/ablations`): true reads and
   * writes it, "refresh" recomputes everything and writes the new result, false neither reads nor writes [true].
   */
  cache?: boolean | "refresh";
  /** Progress lines (nothing is printed otherwise). */
  onProgress?: (line: string) => void;
  /**
   * Run the expensive stages (every model's predictions on every split, the ablation) on dealkit workers over
   * Redis: the queue URL and the image ranges per prediction [8]. The result is the in-process one; the cache
   * key does not change. Workers open TinySet-mini "default" in their own cache, or `data` at the same path.
   */
  queue?: { url: string; shards?: number };
}

/** P2SOD metrics of one model per domain on the test split. */
export interface PaperDomainRow extends PaperMetrics {
  method: string;
  domain: string;
  images: number;
}

/** What {@link runPaperReproduction} returns: plain JSON (null where a metric is undefined), cached as is. */
export interface PaperReproduction {
  /** The cache key (model fingerprints, data version/seed/scale, click seed, settings). */
  key: string;
  /** True when the whole result came from the cache. */
  fromCache: boolean;
  /** Seconds of the computation when it ran (not of a cached read). */
  computeSeconds: number;
  data: { name: string; version: number; seed: number; scale: string; images: Record<string, number> };
  /** The models; `dir` is where this run read them (not part of the cache key). */
  models: { role: PaperModelRole; name: string; label: string; source: string; step: number; fingerprint: string; dir: string }[];
  /** The paper-style table (see paperTable / paperTableText). */
  table: PaperRow[];
  headline: PaperHeadline;
  /** The same for the "baseline vs DEAL, merged" rows (class-agnostic merge of each image's detections at IoU 0.5). */
  headlineMerged: PaperHeadline;
  /** Per-domain metrics of every model on the test split ("all" rows included). */
  perDomain: PaperDomainRow[];
  /** TIDE summary (class-agnostic, IoU .5 / background .1) per model on the test split: method, errorType, count, dAP. */
  tide: { method: string; errorType: string; count: number; dAP: number | null }[];
  /** DEAL's TIDE breakdown per domain (errorBreakdown rows) and AP per domain x size bin (apByDomainAndSize rows). */
  tideByDomain: Record<string, unknown>[];
  apHeatmap: Record<string, unknown>[];
  /** The prompt ablation of DEAL (runAblation's summary rows), or null when skipped. */
  ablation: { grid: string; images: number; seeds: number[]; summary: Record<string, unknown>[] } | null;
  /** Seconds per stage of the computation. */
  timings: Record<string, number>;
}

const round = (v: number): number => Math.round(v * 1000) / 1000;

/** JSON round trip: what a warm run reads is exactly what a cold run returns (NaN -> null). */
const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/**
 * The main job's computation, behind `dealkit reproduce` and notebooks/07-reproduce-paper.ipynb: TinySet-mini
 * (generated and cached), the shipped DEAL-tiny (PG-CPP), DEAL-tiny trained with random clicks and the
 * supervised baseline (trained into the cache when missing), each evaluated with the p2sod protocol on the test
 * split (DEAL: one centre click per category, on a GT instance picked with the seeded sampler) and per domain;
 * DEAL on held-out categories and the held-out data set; baseline and DEAL again with each test image's
 * detections merged across prompts / classes (class-agnostic NMS at IoU 0.5, mergeClassAgnostic: the p2sod
 * protocol is class-agnostic, so one object found under two prompts is otherwise a false positive); TIDE error
 * analysis; a small prompt ablation. The
 * result is cached under a key of the model fingerprints, the data version, seed and scale, the click seed and
 * the settings, so a warm re-run reads one file.
 *
 * @example
 * const r = await runPaperReproduction({ onProgress: (l) => process.stderr.write(l + "\n") });
 * console.log(paperTableText(r.table));
 */
export async function runPaperReproduction(options: PaperReproductionOptions = {}): Promise<PaperReproduction> {
  const t0 = performance.now();
  const log = options.onProgress ?? (() => {});
  const clickSeed = options.clickSeed ?? 0;
  const readCache = (options.cache ?? true) === true;
  const writeCache = options.cache !== false;
  const abl = options.ablation === false ? null : { grid: options.ablation?.grid ?? "small", imagesPerDomain: options.ablation?.imagesPerDomain ?? 2, seeds: options.ablation?.seeds ?? [0, 1, 2] };
  const timings: Record<string, number> = {};
  let mark = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    timings[name] = round((now - mark) / 1000);
    mark = now;
  };

  const { tinyset, seed, scale } = await paperDataStage(options, log);
  lap("data");
  const models = await paperModelsStage(options, tinyset, log);
  lap("models");
  const fingerprints = Object.fromEntries([...models].map(([role, m]) => [role, m.fingerprint]));
  const settings = { imagesPerDomain: options.imagesPerDomain ?? null, ablation: abl, predict: PAPER_PREDICT, classAgnosticMerge: PAPER_MERGE_IOU };
  const key = paperCacheKey({ models: fingerprints, data: { version: TINYSET_MINI_VERSION, seed, scale }, clickSeed, settings });
  const resultFile = cacheDir("paper", `${key}.json`);
  if (readCache) {
    const hit = readCachedJson<PaperReproduction>(resultFile, (v) => isPaperReproduction(v, key));
    if (hit && hit.key === key) {
      log(`cache: reproduction ${key} read from the cache`);
      return { ...hit, fromCache: true };
    }
  }

  await initBackend();
  const queue = options.queue
    ? { ...options.queue, data: options.data !== undefined && options.data !== "default" ? { data: path.resolve(options.data) } : { data: "default", seed, scale } }
    : undefined;
  const ctx: PaperContext = { tinyset, seed, scale, clickSeed, imagesPerDomain: options.imagesPerDomain, models, readCache, writeCache, log, ...(queue ? { queue } : {}) };
  const predictions = await paperPredictStage(ctx);
  lap("predict");
  const { table, perDomain } = paperEvalStage(ctx, predictions);
  lap("eval");
  const tide = paperTideStage(ctx, predictions);
  lap("tide");
  const ablation = await paperAblationStage(ctx, abl);
  lap("ablation");

  const computeSeconds = round((performance.now() - t0) / 1000);
  const result: PaperReproduction = plain({
    key,
    fromCache: false,
    computeSeconds,
    data: { name: "TinySet-mini", version: TINYSET_MINI_VERSION, seed, scale, images: predictions.images },
    models: PAPER_MODELS.map((s) => {
      const m = models.get(s.role)!;
      return { role: s.role, name: m.name, label: m.label, source: m.source, step: m.step, fingerprint: m.fingerprint, dir: m.dir };
    }),
    table,
    headline: paperHeadline(table),
    headlineMerged: paperHeadline(table, "baseline vs DEAL, merged"),
    perDomain,
    ...tide,
    ablation,
    timings,
  });
  if (writeCache) writeCachedJson(resultFile, result);
  log(`done in ${computeSeconds.toFixed(1)} s (key ${key})`);
  return result;
}

/** True for a cached reproduction of this key with its table and models (a truncated or foreign entry is recomputed). */
function isPaperReproduction(v: unknown, key: string): boolean {
  const r = v as Partial<PaperReproduction> | null;
  return r !== null && typeof r === "object" && r.key === key && Array.isArray(r.models) && Array.isArray(r.table) && typeof r.data === "object";
}

/** The environment variable through which `dealkit reproduce` hands its options to the notebook it runs. */
export const PAPER_OPTIONS_ENV = "DEALKIT_REPRODUCE_OPTIONS";

/**
 * The options `dealkit reproduce` put in {@link PAPER_OPTIONS_ENV} (JSON), so that notebooks/07 computes (or
 * reads from the cache) exactly what the command computed; {} when unset. Bad JSON throws, naming the variable.
 *
 * @example
 * const r = await runPaperReproduction({ ...paperOptionsFromEnv(), onProgress: (l) => bar.update(0, { l }) });
 */
export function paperOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): PaperReproductionOptions {
  const text = env[PAPER_OPTIONS_ENV];
  if (!text) return {};
  try {
    const v = JSON.parse(text) as PaperReproductionOptions;
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not an object");
    return v;
  } catch (err) {
    throw new DealkitConfigError(`${PAPER_OPTIONS_ENV} must hold a JSON object of reproduction options (${(err as Error).message})`);
  }
}
