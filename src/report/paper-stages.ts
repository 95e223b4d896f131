import * as path from "node:path";
import { analysisImagesFrom } from "../analysis/ablate-data.js";
import { cellId } from "../analysis/ablate-grid.js";
import { apByDomainAndSize, decomposeErrors, errorBreakdown } from "../analysis/decompose.js";
import { p2sodByDomain, p2sodMetrics } from "../analysis/evaluate.js";
import type { AnalysisImage } from "../analysis/types.js";
import type { Dataset } from "../data/dataset.js";
import { detectionsByImage, type CocoResult } from "../data/formats/coco-results.js";
import { imagesPerDomain } from "../data/subset.js";
import { ensureTinySetMini, loadTinySetSplit, TINYSET_MINI_VERSION, type TinySetMiniLocation, type TinySetScaleName, type TinySetSplit } from "../data/synth/tinyset.js";
import { mergeClassAgnostic, predictDataset } from "../infer/predict-dataset.js";
import { ablateOnQueue } from "../queue/ablate-queued.js";
import { predictOnQueue } from "../queue/predict-queued.js";
import { formatQueueProgress } from "../queue/submit.js";
import { ablatePrompts } from "../recipes/ablate.js";
import { openTinySet, type DatasetSpec } from "../recipes/dataset.js";
import { INFERENCE_REVISION } from "../model/config.js";
import { loadModel, resolveModelDir } from "../recipes/model.js";
import { checkpointFingerprint, readManifest } from "../train/checkpoint.js";
import { contentFingerprint } from "../util/fingerprint.js";
import { cacheDir } from "../util/fs.js";
import { isCachedResults, readCachedJson, writeCachedJson } from "./paper-cache.js";
import { restrictToCategories } from "./paper-eval.js";
import { PAPER_MODELS, resolvePaperModel, type PaperModelRole, type ResolvedPaperModel } from "./paper-models.js";
import { paperMetricsFrom, type PaperRow } from "./paper-table.js";
import type { PaperDomainRow, PaperReproduction, PaperReproductionOptions } from "./paper.js";

// The stages of the paper reproduction, in order: data, models, predictions (cached per model and split),
// evaluation, error analysis, ablation (cached per run). runPaperReproduction (paper.ts) chains them and caches
// the whole result.

/** predictDataset settings of every evaluation: centre clicks, one per category, low threshold, 100 boxes per prompt. */
export const PAPER_PREDICT = Object.freeze({ clicks: "per-category" as const, sampler: "center" as const, scoreThreshold: 0.001, maxDetections: 100 });

/**
 * IoU of the class-agnostic merge of the "baseline vs DEAL, merged" rows: predictDataset's `classAgnosticMerge`,
 * applied to the same (cached) predictions with mergeClassAgnostic, which gives the same results.
 */
export const PAPER_MERGE_IOU = 0.5;

/** A model of the reproduction: where it came from and its fingerprint. */
export type PaperModel = Omit<ResolvedPaperModel, "source"> & { source: string; fingerprint: string };

/** What the stages share. */
export interface PaperContext {
  tinyset: TinySetMiniLocation;
  seed: number;
  scale: TinySetScaleName;
  clickSeed: number;
  imagesPerDomain?: number;
  models: Map<PaperModelRole, PaperModel>;
  readCache: boolean;
  writeCache: boolean;
  log: (line: string) => void;
  /**
   * Run the predictions and the ablation on dealkit workers over Redis: the queue URL, image ranges per
   * prediction (default 8), and the data as the workers open it (TinySet-mini "default" with seed and scale,
   * or the folder's absolute path; a split is added per stage).
   */
  queue?: { url: string; shards?: number; data: DatasetSpec };
}

/** How a worker names a paper model: its shipped name when it is the shipped checkpoint, else its folder. */
function queueModelRef(m: PaperModel): string {
  try {
    if (path.resolve(resolveModelDir(m.name)) === path.resolve(m.dir)) return m.name;
  } catch {
    // not a shipped name
  }
  return path.resolve(m.dir);
}

/** The predictions the evaluation reads: every model on test, baseline and DEAL merged, DEAL on the held-out splits. */
export interface PaperPredictions {
  test: Map<PaperModelRole, AnalysisImage[]>;
  testMerged: Map<PaperModelRole, AnalysisImage[]>;
  heldoutCategories: AnalysisImage[];
  heldoutDataset: AnalysisImage[];
  /** The held-out-categories split's held-out and seen category ids. */
  heldOutIds: Set<number>;
  seenIds: Set<number>;
  images: Record<string, number>;
}

/**
 * Stage 1, data: TinySet-mini (`data` "default": generated and cached by seed and scale; or a TinySet-mini folder).
 *
 * @example
 * const { tinyset } = await paperDataStage({ data: "default" }, console.log);
 */
export async function paperDataStage(options: PaperReproductionOptions, log: (line: string) => void): Promise<{ tinyset: TinySetMiniLocation; seed: number; scale: TinySetScaleName }> {
  if (options.data !== undefined && options.data !== "default") {
    const tinyset = await openTinySet(options.data);
    log(`data: TinySet-mini v${TINYSET_MINI_VERSION} seed ${tinyset.manifest.seed} ${tinyset.manifest.scale} from ${options.data}`);
    return { tinyset, seed: tinyset.manifest.seed, scale: tinyset.manifest.scale };
  }
  const seed = options.seed ?? 0;
  const scale = options.scale ?? "default";
  let lastPct = -1;
  const tinyset = await ensureTinySetMini({
    seed,
    scale,
    onProgress: (done, total) => {
      const pct = Math.floor((10 * done) / total);
      if (pct !== lastPct) log(`data: generating TinySet-mini ${done}/${total} images`);
      lastPct = pct;
    },
  });
  log(`data: TinySet-mini v${TINYSET_MINI_VERSION} seed ${seed} ${scale}${tinyset.generated ? " (generated)" : " (cached)"}`);
  return { tinyset, seed, scale };
}

/**
 * Stage 2, models: given folders, else shipped, else cached, else trained with the documented settings.
 *
 * @example
 * const models = await paperModelsStage({}, tinyset, console.log);
 */
export async function paperModelsStage(options: PaperReproductionOptions, tinyset: TinySetMiniLocation, log: (line: string) => void): Promise<Map<PaperModelRole, PaperModel>> {
  const models = new Map<PaperModelRole, PaperModel>();
  for (const spec of PAPER_MODELS) {
    const given = options.modelDirs?.[spec.role];
    const m = given ? { ...spec, dir: given, source: "given", step: readManifest(given).step } : await resolvePaperModel(spec, {
      modelsDir: options.modelsDir,
      retrain: options.retrain,
      train: async () => {
        log(`model: ${spec.name} not found: training it with the documented settings (minutes)`);
        return loadTinySetSplit(tinyset, "train");
      },
      onTrain: (s, step, total, loss) => {
        if (step === 1 || step % 20 === 0 || step === total) log(`train ${s.name}: step ${step}/${total} loss ${loss.toFixed(3)}`);
      },
    });
    models.set(spec.role, { ...m, fingerprint: contentFingerprint(checkpointFingerprint(m.dir), INFERENCE_REVISION) });
    log(`model: ${m.label} from ${m.source === "shipped" ? path.join(path.basename(path.dirname(m.dir)), m.name) : m.dir} (${m.source}, step ${m.step})`);
  }
  return models;
}

/** A TinySet-mini split, cut to the first `imagesPerDomain` images of each domain when given. */
function paperSplit(ctx: PaperContext, s: TinySetSplit): Dataset {
  const ds = loadTinySetSplit(ctx.tinyset, s);
  if (ctx.imagesPerDomain === undefined) return ds;
  const ids = new Set(imagesPerDomain(ds, ctx.imagesPerDomain));
  return ds.filterImages((im) => ids.has(im.id));
}

/** One model's predictions on one split, read from or written to the prediction cache, as analysis images. */
async function predictions(ctx: PaperContext, role: PaperModelRole, ds: Dataset, name: string, mergeIou?: number): Promise<AnalysisImage[]> {
  const m = ctx.models.get(role)!;
  const key = contentFingerprint(m.fingerprint, TINYSET_MINI_VERSION, ctx.seed, ctx.scale, name, ctx.clickSeed, PAPER_PREDICT, ds.images.map((im) => im.id));
  const file = cacheDir("paper", "predictions", `${key}.json`);
  let results = ctx.readCache ? readCachedJson<CocoResult[]>(file, isCachedResults) : null;
  if (!results && ctx.queue) {
    const q = ctx.queue;
    const r = await predictOnQueue({
      url: q.url, ...(q.shards !== undefined ? { shards: q.shards } : {}), model: queueModelRef(m), data: { ...q.data, split: name },
      ...PAPER_PREDICT, seed: ctx.clickSeed, imageIds: ds.images.map((im) => im.id),
      onProgress: (p) => ctx.log(formatQueueProgress(`predict ${m.name} on ${name}`, p)),
    });
    results = r.results;
    if (ctx.writeCache) writeCachedJson(file, results);
  } else if (!results) {
    const { model } = loadModel(m.dir);
    try {
      results = await predictDataset(model, ds, {
        ...PAPER_PREDICT,
        seed: ctx.clickSeed,
        onProgress: (done, total) => {
          if (done === total || done % 25 === 0) ctx.log(`predict ${m.name} on ${name}: ${done}/${total} images`);
        },
      });
    } finally {
      model.dispose();
    }
    if (ctx.writeCache) writeCachedJson(file, results);
  } else ctx.log(`predict ${m.name} on ${name}: cached`);
  return analysisImagesFrom(ds, detectionsByImage(mergeIou === undefined ? results : mergeClassAgnostic(results, mergeIou)));
}

/**
 * Stage 3, predictions (each cached per model, data and split).
 *
 * @example
 * const predictions = await paperPredictStage(ctx);
 */
export async function paperPredictStage(ctx: PaperContext): Promise<PaperPredictions> {
  const splits = { test: paperSplit(ctx, "test"), heldoutCategories: paperSplit(ctx, "heldout-categories"), heldoutDataset: paperSplit(ctx, "heldout-dataset") };
  const test = new Map<PaperModelRole, AnalysisImage[]>();
  for (const spec of PAPER_MODELS) test.set(spec.role, await predictions(ctx, spec.role, splits.test, "test"));
  const testMerged = new Map<PaperModelRole, AnalysisImage[]>();
  for (const role of ["baseline", "deal"] as const) testMerged.set(role, await predictions(ctx, role, splits.test, "test", PAPER_MERGE_IOU));
  const heldoutCategories = await predictions(ctx, "deal", splits.heldoutCategories, "heldout-categories");
  const heldoutDataset = await predictions(ctx, "deal", splits.heldoutDataset, "heldout-dataset");
  const cats = splits.heldoutCategories.categories;
  return {
    test,
    testMerged,
    heldoutCategories,
    heldoutDataset,
    heldOutIds: new Set(cats.filter((c) => c.heldOut).map((c) => c.id)),
    seenIds: new Set(cats.filter((c) => !c.heldOut).map((c) => c.id)),
    images: { test: splits.test.images.length, "heldout-categories": splits.heldoutCategories.images.length, "heldout-dataset": splits.heldoutDataset.images.length },
  };
}

/**
 * Stage 4, evaluation: the paper-style table (p2sod protocol) and every model's metrics per domain on test.
 *
 * @example
 * const { table } = paperEvalStage(ctx, predictions);
 */
export function paperEvalStage(ctx: PaperContext, p: PaperPredictions): { table: PaperRow[]; perDomain: PaperDomainRow[] } {
  const label = (role: PaperModelRole) => ctx.models.get(role)!.label;
  const row = (comparison: PaperRow["comparison"], role: PaperModelRole, setting: string, splitName: string, images: AnalysisImage[]): PaperRow => ({
    comparison,
    method: label(role),
    setting,
    split: splitName,
    images: images.length,
    ...paperMetricsFrom(p2sodMetrics(images)),
  });
  ctx.log("eval: p2sod protocol (class-agnostic, AP .25/.5/.75, AI-TOD size bins)");
  const dealTest = row("baseline vs DEAL", "deal", "test, 1 click per category", "test", p.test.get("deal")!);
  const table: PaperRow[] = [
    row("baseline vs DEAL", "baseline", "test, no clicks", "test", p.test.get("baseline")!),
    dealTest,
    row("baseline vs DEAL, merged", "baseline", `test, no clicks, class-agnostic merge@${PAPER_MERGE_IOU}`, "test", p.testMerged.get("baseline")!),
    row("baseline vs DEAL, merged", "deal", `test, 1 click per category, class-agnostic merge@${PAPER_MERGE_IOU}`, "test", p.testMerged.get("deal")!),
    row("random vs PG-CPP", "dealRandom", "test, 1 click per category", "test", p.test.get("dealRandom")!),
    { ...dealTest, comparison: "random vs PG-CPP" },
    row("seen vs unseen", "deal", "held-out split, seen categories", "heldout-categories", restrictToCategories(p.heldoutCategories, p.seenIds)),
    row("seen vs unseen", "deal", "held-out split, unseen categories", "heldout-categories", restrictToCategories(p.heldoutCategories, p.heldOutIds)),
    row("seen vs unseen", "deal", "unseen data set (shifted statistics)", "heldout-dataset", p.heldoutDataset),
  ];
  const perDomain: PaperDomainRow[] = [];
  for (const spec of PAPER_MODELS) {
    for (const r of p2sodByDomain(p.test.get(spec.role)!).objects() as Record<string, number | string>[]) {
      perDomain.push({ method: spec.label, domain: String(r.domain), images: Number(r.numImages), ...paperMetricsFrom(r as Record<string, number>) });
    }
  }
  return { table, perDomain };
}

/**
 * Stage 5, error analysis: TIDE (class-agnostic, IoU .5, background .1) of baseline and DEAL on test.
 *
 * @example
 * const { tide } = paperTideStage(ctx, predictions);
 */
export function paperTideStage(ctx: PaperContext, p: PaperPredictions): Pick<PaperReproduction, "tide" | "tideByDomain" | "apHeatmap"> {
  ctx.log("tide: error decomposition (IoU .5, background .1, class-agnostic)");
  const tideOpts = { classAgnostic: true, maxDetections: 1500 };
  const tide: PaperReproduction["tide"] = [];
  for (const role of ["baseline", "deal"] as const) {
    for (const r of decomposeErrors(p.test.get(role)!, tideOpts).summary.objects() as { errorType: string; count: number; dAP: number }[]) {
      tide.push({ method: ctx.models.get(role)!.label, errorType: r.errorType, count: r.count, dAP: Number.isFinite(r.dAP) ? r.dAP : null });
    }
  }
  const tideByDomain = errorBreakdown(p.test.get("deal")!, { ...tideOpts, by: ["domain"] }).objects() as Record<string, unknown>[];
  const apHeatmap = apByDomainAndSize(p.test.get("deal")!, tideOpts).objects() as Record<string, unknown>[];
  return { tide, tideByDomain, apHeatmap };
}

/**
 * Stage 6, the prompt ablation of DEAL on the held-out-categories split (each run cached); null when skipped.
 *
 * @example
 * const ablation = await paperAblationStage(ctx, { grid: "small", imagesPerDomain: 2, seeds: [0, 1, 2] });
 */
export async function paperAblationStage(ctx: PaperContext, abl: { grid: string; imagesPerDomain: number; seeds: number[] } | null): Promise<PaperReproduction["ablation"]> {
  if (!abl) return null;
  const deal = ctx.models.get("deal")!;
  if (ctx.queue) {
    const q = ctx.queue;
    // One job per cell x seed; each is stored in Redis under its content key (a re-run does no work).
    const r = await ablateOnQueue({
      url: q.url, model: queueModelRef(deal), data: { ...q.data, split: "heldout-categories" }, imagesPerDomain: abl.imagesPerDomain, grid: abl.grid, seeds: abl.seeds,
      onProgress: (p) => ctx.log(formatQueueProgress("ablate", p, "cell runs")),
    });
    return { grid: abl.grid, images: r.images, seeds: abl.seeds, summary: r.summary.objects() as Record<string, unknown>[] };
  }
  const loaded = loadModel(deal.dir);
  try {
    // The default data fingerprint (image ids, sizes, ground truth): notebook 06 builds the same data and shares these runs.
    const r = await ablatePrompts({
      model: loaded,
      data: { data: ctx.tinyset.root, split: "heldout-categories" },
      imagesPerDomain: abl.imagesPerDomain,
      grid: abl.grid,
      seeds: abl.seeds,
      cache: ctx.readCache,
      onProgress: (q) => ctx.log(`ablate [${q.done}/${q.total}] ${cellId(q.cell)} seed ${q.seed}${q.cached ? " (cached)" : ""}`),
    });
    return { grid: abl.grid, images: r.images, seeds: abl.seeds, summary: r.summary.objects() as Record<string, unknown>[] };
  } finally {
    loaded.model.dispose();
  }
}
