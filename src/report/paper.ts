import * as path from "node:path";
import { runAblation } from "../analysis/ablate.js";
import { contentFingerprint } from "../analysis/ablate-cache.js";
import { ablationDataFromDataset, analysisImagesFrom } from "../analysis/ablate-data.js";
import { ablationGrid, cellId, type AblationGridName } from "../analysis/ablate-grid.js";
import { promptsClickSampler, PROMPTS_SAMPLER_ID } from "../analysis/ablate-prompts.js";
import { apByDomainAndSize, decomposeErrors, errorBreakdown } from "../analysis/decompose.js";
import { p2sodByDomain, p2sodMetrics } from "../analysis/evaluate.js";
import type { AnalysisImage } from "../analysis/types.js";
import { initBackend } from "../backend/init.js";
import type { Dataset } from "../data/dataset.js";
import { ensureTinySetMini, loadTinySetSplit, TINYSET_MINI_VERSION, type TinySetScaleName, type TinySetSplit } from "../data/synth/tinyset.js";
import type { CocoResult } from "../data/formats/coco-results.js";
import { mergeClassAgnostic, predictDataset } from "../infer/predict-dataset.js";
import { loadCheckpoint, readManifest } from "../train/checkpoint.js";
import { DealkitConfigError } from "../util/errors.js";
import { cacheDir } from "../util/fs.js";
import { checkpointFingerprint, paperCacheKey, readCachedJson, writeCachedJson } from "./paper-cache.js";
import { detectionsByImage, imagesPerDomain, restrictToCategories } from "./paper-eval.js";
import { PAPER_MODELS, resolvePaperModel, type PaperModelRole, type ResolvedPaperModel } from "./paper-models.js";
import { paperHeadline, paperMetricsFrom, type PaperHeadline, type PaperMetrics, type PaperRow } from "./paper-table.js";

/** predictDataset settings of every evaluation: centre clicks, one per category, low threshold, 100 boxes per prompt. */
const PREDICT = Object.freeze({ clicks: "per-category" as const, sampler: "center" as const, scoreThreshold: 0.001, maxDetections: 100 });

/**
 * IoU of the class-agnostic merge of the "baseline vs DEAL, merged" rows: predictDataset's `classAgnosticMerge`,
 * applied to the same (cached) predictions with mergeClassAgnostic, which gives the same results.
 */
const CLASS_AGNOSTIC_MERGE_IOU = 0.5;

/** Options of {@link runPaperReproduction}. Defaults in brackets. */
export interface PaperReproductionOptions {
  /** TinySet-mini seed [0] and scale ["default"]. */
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
  const seed = options.seed ?? 0;
  const scale = options.scale ?? "default";
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

  let lastPct = -1;
  const ts = await ensureTinySetMini({
    seed,
    scale,
    onProgress: (done, total) => {
      const pct = Math.floor((10 * done) / total);
      if (pct !== lastPct) log(`data: generating TinySet-mini ${done}/${total} images`);
      lastPct = pct;
    },
  });
  log(`data: TinySet-mini v${TINYSET_MINI_VERSION} seed ${seed} ${scale}${ts.generated ? " (generated)" : " (cached)"}`);
  lap("data");
  const split = (s: TinySetSplit): Dataset => {
    const ds = loadTinySetSplit(ts, s);
    const ids = new Set(imagesPerDomain(ds, options.imagesPerDomain));
    return options.imagesPerDomain === undefined ? ds : ds.filterImages((im) => ids.has(im.id));
  };

  const models = new Map<PaperModelRole, Omit<ResolvedPaperModel, "source"> & { source: string }>();
  for (const spec of PAPER_MODELS) {
    const given = options.modelDirs?.[spec.role];
    const m = given ? { ...spec, dir: given, source: "given", step: readManifest(given).step } : await resolvePaperModel(spec, {
      modelsDir: options.modelsDir,
      retrain: options.retrain,
      train: async () => {
        log(`model: ${spec.name} not found: training it with the documented settings (minutes)`);
        await initBackend();
        return loadTinySetSplit(ts, "train");
      },
      onTrain: (s, step, total, loss) => {
        if (step === 1 || step % 20 === 0 || step === total) log(`train ${s.name}: step ${step}/${total} loss ${loss.toFixed(3)}`);
      },
    });
    models.set(spec.role, m);
    log(`model: ${m.label} from ${m.source === "shipped" ? path.join(path.basename(path.dirname(m.dir)), m.name) : m.dir} (${m.source}, step ${m.step})`);
  }
  lap("models");
  const fingerprints = Object.fromEntries([...models].map(([role, m]) => [role, checkpointFingerprint(m.dir)]));
  const settings = { imagesPerDomain: options.imagesPerDomain ?? null, ablation: abl, predict: PREDICT, classAgnosticMerge: CLASS_AGNOSTIC_MERGE_IOU };
  const key = paperCacheKey({ models: fingerprints, data: { version: TINYSET_MINI_VERSION, seed, scale }, clickSeed, settings });
  const resultFile = cacheDir("paper", `${key}.json`);
  if (readCache) {
    const hit = readCachedJson<PaperReproduction>(resultFile);
    if (hit && hit.key === key) {
      log(`cache: reproduction ${key} read from the cache`);
      return { ...hit, fromCache: true };
    }
  }

  await initBackend();
  const splits = { test: split("test"), heldoutCategories: split("heldout-categories"), heldoutDataset: split("heldout-dataset") };
  const predictions = async (role: PaperModelRole, ds: Dataset, name: string, mergeIou?: number): Promise<AnalysisImage[]> => {
    const m = models.get(role)!;
    const file = cacheDir("paper", "predictions", `${contentFingerprint(fingerprints[role], TINYSET_MINI_VERSION, seed, scale, name, clickSeed, PREDICT, ds.images.map((im) => im.id))}.json`);
    let results = readCache ? readCachedJson<CocoResult[]>(file) : null;
    if (!results) {
      const { model } = loadCheckpoint(m.dir);
      try {
        results = await predictDataset(model, ds, {
          ...PREDICT,
          seed: clickSeed,
          onProgress: (done, total) => {
            if (done === total || done % 25 === 0) log(`predict ${m.name} on ${name}: ${done}/${total} images`);
          },
        });
      } finally {
        model.dispose();
      }
      if (writeCache) writeCachedJson(file, results);
    } else log(`predict ${m.name} on ${name}: cached`);
    return analysisImagesFrom(ds, detectionsByImage(mergeIou === undefined ? results : mergeClassAgnostic(results, mergeIou)));
  };

  const test = new Map<PaperModelRole, AnalysisImage[]>();
  for (const spec of PAPER_MODELS) test.set(spec.role, await predictions(spec.role, splits.test, "test"));
  const testMerged = new Map<PaperModelRole, AnalysisImage[]>();
  for (const role of ["baseline", "deal"] as const) testMerged.set(role, await predictions(role, splits.test, "test", CLASS_AGNOSTIC_MERGE_IOU));
  const hoc = await predictions("deal", splits.heldoutCategories, "heldout-categories");
  const hod = await predictions("deal", splits.heldoutDataset, "heldout-dataset");
  lap("predict");

  const heldOut = new Set(splits.heldoutCategories.categories.filter((c) => c.heldOut).map((c) => c.id));
  const seen = new Set(splits.heldoutCategories.categories.filter((c) => !c.heldOut).map((c) => c.id));
  const label = (role: PaperModelRole) => models.get(role)!.label;
  const row = (comparison: PaperRow["comparison"], role: PaperModelRole, setting: string, splitName: string, images: AnalysisImage[]): PaperRow => ({
    comparison,
    method: label(role),
    setting,
    split: splitName,
    images: images.length,
    ...paperMetricsFrom(p2sodMetrics(images)),
  });
  log("eval: p2sod protocol (class-agnostic, AP .25/.5/.75, AI-TOD size bins)");
  const dealTest = row("baseline vs DEAL", "deal", "test, 1 click per category", "test", test.get("deal")!);
  const table: PaperRow[] = [
    row("baseline vs DEAL", "baseline", "test, no clicks", "test", test.get("baseline")!),
    dealTest,
    row("baseline vs DEAL, merged", "baseline", `test, no clicks, class-agnostic merge@${CLASS_AGNOSTIC_MERGE_IOU}`, "test", testMerged.get("baseline")!),
    row("baseline vs DEAL, merged", "deal", `test, 1 click per category, class-agnostic merge@${CLASS_AGNOSTIC_MERGE_IOU}`, "test", testMerged.get("deal")!),
    row("random vs PG-CPP", "dealRandom", "test, 1 click per category", "test", test.get("dealRandom")!),
    { ...dealTest, comparison: "random vs PG-CPP" },
    row("seen vs unseen", "deal", "held-out split, seen categories", "heldout-categories", restrictToCategories(hoc, seen)),
    row("seen vs unseen", "deal", "held-out split, unseen categories", "heldout-categories", restrictToCategories(hoc, heldOut)),
    row("seen vs unseen", "deal", "unseen data set (shifted statistics)", "heldout-dataset", hod),
  ];
  const perDomain: PaperDomainRow[] = [];
  for (const spec of PAPER_MODELS) {
    for (const r of p2sodByDomain(test.get(spec.role)!).objects() as Record<string, number | string>[]) {
      perDomain.push({ method: spec.label, domain: String(r.domain), images: Number(r.numImages), ...paperMetricsFrom(r as Record<string, number>) });
    }
  }
  lap("eval");

  log("tide: error decomposition (IoU .5, background .1, class-agnostic)");
  const tideOpts = { classAgnostic: true, maxDetections: 1500 };
  const tide: PaperReproduction["tide"] = [];
  for (const role of ["baseline", "deal"] as const) {
    for (const r of decomposeErrors(test.get(role)!, tideOpts).summary.objects() as { errorType: string; count: number; dAP: number }[]) {
      tide.push({ method: label(role), errorType: r.errorType, count: r.count, dAP: Number.isFinite(r.dAP) ? r.dAP : null });
    }
  }
  const tideByDomain = errorBreakdown(test.get("deal")!, { ...tideOpts, by: ["domain"] }).objects() as Record<string, unknown>[];
  const apHeatmap = apByDomainAndSize(test.get("deal")!, tideOpts).objects() as Record<string, unknown>[];
  lap("tide");

  let ablation: PaperReproduction["ablation"] = null;
  if (abl) {
    const ds = loadTinySetSplit(ts, "heldout-categories");
    const ids = new Set(imagesPerDomain(ds, abl.imagesPerDomain));
    // The default data fingerprint (image ids, sizes, ground truth): notebook 06 builds the same data and shares these runs.
    const data = ablationDataFromDataset(ds, { keepImage: (im) => ids.has(im.id) });
    const { model } = loadCheckpoint(models.get("deal")!.dir);
    try {
      const r = await runAblation({
        detector: model,
        modelFingerprint: fingerprints.deal!,
        data,
        evaluate: (imgs) => p2sodMetrics(imgs),
        evaluatorId: "p2sod",
        sampleClick: promptsClickSampler,
        samplerId: PROMPTS_SAMPLER_ID,
        grid: ablationGrid(abl.grid),
        seeds: abl.seeds,
        cacheDir: readCache ? undefined : false,
        onProgress: (p) => log(`ablate [${p.done}/${p.total}] ${cellId(p.cell)} seed ${p.seed}${p.cached ? " (cached)" : ""}`),
      });
      ablation = { grid: abl.grid, images: data.images.length, seeds: abl.seeds, summary: r.summary.objects() as Record<string, unknown>[] };
    } finally {
      model.dispose();
    }
  }
  lap("ablation");

  const computeSeconds = round((performance.now() - t0) / 1000);
  const result: PaperReproduction = plain({
    key,
    fromCache: false,
    computeSeconds,
    data: {
      name: "TinySet-mini",
      version: TINYSET_MINI_VERSION,
      seed,
      scale,
      images: { test: splits.test.images.length, "heldout-categories": splits.heldoutCategories.images.length, "heldout-dataset": splits.heldoutDataset.images.length },
    },
    models: PAPER_MODELS.map((s) => {
      const m = models.get(s.role)!;
      return { role: s.role, name: m.name, label: m.label, source: m.source, step: m.step, fingerprint: fingerprints[s.role]!, dir: m.dir };
    }),
    table,
    headline: paperHeadline(table),
    headlineMerged: paperHeadline(table, "baseline vs DEAL, merged"),
    perDomain,
    tide,
    tideByDomain,
    apHeatmap,
    ablation,
    timings,
  });
  if (writeCache) writeCachedJson(resultFile, result);
  log(`done in ${computeSeconds.toFixed(1)} s (key ${key})`);
  return result;
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
