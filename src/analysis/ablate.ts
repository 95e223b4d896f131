import * as aq from "arquero";
import type { Click } from "../structures/click.js";
import type { Detections } from "../structures/detections.js";
import type { DetectOptions, PromptableDetector } from "../structures/detector.js";
import { selectGroundTruth, type GroundTruth } from "../structures/ground-truth.js";
import type { RgbImage } from "../structures/image.js";
import { cacheDir as defaultCacheDir } from "../util/fs.js";
import { Random } from "../util/random.js";
import { contentFingerprint } from "../util/fingerprint.js";
import { ABLATION_CACHE_VERSION, readCachedRun, reviveMetrics, writeCachedRun } from "./ablate-cache.js";
import { cellId, checkCell, type AblationCell, type AblationClickPosition } from "./ablate-grid.js";
import { meanInterval } from "./stats.js";
import type { AnalysisImage } from "./types.js";

/** One image of an ablation data set: its {@link GroundTruth} (size required) and a loader for its pixels. */
export interface AblationImage extends GroundTruth {
  width: number;
  height: number;
  /** Called at most once per {@link runAblation} call, and only when some run is not cached. */
  loadImage(): RgbImage | Promise<RgbImage>;
}

/** The images of an ablation and which categories count as seen and held out. */
export interface AblationData {
  images: readonly AblationImage[];
  seenCategoryIds: readonly number[];
  heldOutCategoryIds: readonly number[];
  /** Identifies the data in cache keys; default: a hash of the image ids, sizes, ground truth and splits. */
  fingerprint?: string;
}

/** Turns a run's images (ground truth of the prompted split + detections) into named metrics. */
export type AblationEvaluator = (images: readonly AnalysisImage[]) => Record<string, number> | Promise<Record<string, number>>;

/**
 * Places one simulated click on a ground-truth box (xyxy px) for a click position; `jitter` is the Gaussian
 * std as a fraction of the box size. Wire the samplers of src/prompts/ in here.
 */
export type AblationClickSampler = (boxXyxy: readonly [number, number, number, number], position: AblationClickPosition, jitter: number, rng: Random) => { x: number; y: number };

/** Progress of {@link runAblation}, reported after each (cell, seed) run. */
export interface AblationProgress {
  done: number;
  total: number;
  cell: AblationCell;
  seed: number;
  cached: boolean;
}

/** Options of {@link runAblation}. Defaults: seeds [0, 1, 2], cacheDir `.cache/ablations`, ids "default". */
export interface AblationOptions {
  /** The detector (only `detect` is used). */
  detector: Pick<PromptableDetector, "detect">;
  /** Identifies the model weights in cache keys (e.g. {@link fileFingerprint} of the checkpoint). */
  modelFingerprint: string;
  data: AblationData;
  evaluate: AblationEvaluator;
  /** Names the evaluator in cache keys (change it when the metrics change). Default "default". */
  evaluatorId?: string;
  sampleClick: AblationClickSampler;
  /** Names the click sampler in cache keys. Default "default". */
  samplerId?: string;
  grid: readonly AblationCell[];
  /** Seeds per cell (>= 3 for a meaningful interval). Default [0, 1, 2]. */
  seeds?: readonly number[];
  /** Folder of cached runs, or false to switch caching off. Default `cacheDir("ablations")`. */
  cacheDir?: string | false;
  detectOptions?: DetectOptions;
  onProgress?: (p: AblationProgress) => void;
}

/** The outcome of {@link runAblation}. */
export interface AblationResult {
  /** One row per cell and seed: cell columns, seed, cached, seconds, then one column per metric. */
  runs: aq.ColumnTable;
  /** One row per cell and metric: mean, sd, lo, hi (95% t interval over seeds), n. */
  summary: aq.ColumnTable;
  /** How many runs were computed and how many came from the cache. */
  computed: number;
  cached: number;
  /** The data fingerprint used in cache keys. */
  dataFingerprint: string;
}

/** The default data fingerprint (ids, sizes, ground truth, category splits; not the pixels). */
export function ablationDataFingerprint(data: AblationData): string {
  if (data.fingerprint) return data.fingerprint;
  const parts: unknown[] = [data.seenCategoryIds, data.heldOutCategoryIds];
  for (const im of data.images) parts.push([im.imageId, im.domain ?? "", im.width, im.height], Float64Array.from(im.gtBoxesXyxy), im.gtCategoryIds, im.gtIgnore ?? null);
  return contentFingerprint(...parts);
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);

function boxOf(a: ArrayLike<number>, i: number): [number, number, number, number] {
  return [a[4 * i]!, a[4 * i + 1]!, a[4 * i + 2]!, a[4 * i + 3]!];
}

/** The ground truth of one split: indices of non-ignored boxes whose category is in `cats`. */
function splitIndices(im: AblationImage, cats: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (let g = 0; g < im.gtCategoryIds.length; g++) if (!im.gtIgnore?.[g] && cats.has(im.gtCategoryIds[g]!)) out.push(g);
  return out;
}

/** Ground truth restricted to a split (other categories dropped entirely, as if unannotated). */
function restrictGt(im: AblationImage, cats: ReadonlySet<number>): GroundTruth {
  const keep: number[] = [];
  for (let g = 0; g < im.gtCategoryIds.length; g++) if (cats.has(im.gtCategoryIds[g]!)) keep.push(g);
  const { loadImage: _pixels, ...gt } = im;
  return selectGroundTruth(gt, keep);
}

/** Centres of the top-`k` detections of `categoryId` (best score first). */
function topCentres(d: Detections, categoryId: number, k: number): { x: number; y: number }[] {
  const idx: number[] = [];
  for (let i = 0; i < d.length; i++) if (d.categoryIds[i] === categoryId) idx.push(i);
  idx.sort((p, q) => d.scores[q]! - d.scores[p]! || p - q);
  return idx.slice(0, k).map((i) => ({ x: (d.boxesXyxy[4 * i]! + d.boxesXyxy[4 * i + 2]!) / 2, y: (d.boxesXyxy[4 * i + 1]! + d.boxesXyxy[4 * i + 3]!) / 2 }));
}

interface RunOutput {
  metrics: Record<string, number>;
  stats: Record<string, number>;
}

/** The detections of one image of an ablation run: its index in `data.images` and what the detector returned. */
export interface AblationImageDetections {
  imageIndex: number;
  detections: Detections;
}

/** What {@link ablationDetections} returns: per prompted image, its detections; and the run's counts. */
export interface AblationDetectionsOutput {
  images: AblationImageDetections[];
  stats: { images: number; clicks: number; fallbackClicks: number; detections: number };
}

/** The category ids one split of a cell prompts and evaluates. */
function splitCats(data: AblationData, cell: AblationCell): Set<number> {
  return new Set(cell.split === "seen" ? data.seenCategoryIds : data.heldOutCategoryIds);
}

/**
 * The detection half of one (cell, seed) run over the images `[start, end)` of `o.data.images` (default all):
 * clicks sampled on the prompted split's ground truth (streams forked per image id, so a range gives what the
 * whole run gives for its images), detect, and for source "prediction" a second round. Images without ground
 * truth of the split are skipped, as in the whole run. The range is what queue workers run.
 *
 * @example
 * const part = await ablationDetections(o, cell, 0, (im) => Promise.resolve(im.loadImage()), 0, 10);
 */
export async function ablationDetections(
  o: Pick<AblationOptions, "detector" | "data" | "sampleClick" | "detectOptions">, cell: AblationCell, seed: number,
  pixels: (im: AblationImage) => Promise<RgbImage>, start = 0, end = o.data.images.length,
): Promise<AblationDetectionsOutput> {
  const cats = splitCats(o.data, cell);
  const base = new Random(seed);
  const out: AblationImageDetections[] = [];
  const stats = { images: 0, clicks: 0, fallbackClicks: 0, detections: 0 };
  for (let i = start; i < end; i++) {
    const im = o.data.images[i]!;
    const idx = splitIndices(im, cats);
    if (idx.length === 0) continue;
    // Streams per image and category, independent of the cell: the same seed picks the same instances
    // in every cell, so cells differ only in the factor under study.
    const rImg = base.fork(`image:${im.imageId}`);
    const byCat = new Map<number, number[]>();
    for (const g of idx) {
      const c = im.gtCategoryIds[g]!;
      if (!byCat.has(c)) byCat.set(c, []);
      byCat.get(c)!.push(g);
    }
    const clicks: Click[] = [];
    const wanted = new Map<number, number>();
    for (const [c, list] of [...byCat].sort((a, b) => a[0] - b[0])) {
      const k = cell.clicksPerCategory === "all" ? list.length : Math.min(cell.clicksPerCategory, list.length);
      wanted.set(c, k);
      const chosen = rImg.fork(`choose:${c}`).shuffled(list).slice(0, k);
      const rClick = rImg.fork(`click:${c}`);
      for (const g of chosen) {
        const p = o.sampleClick(boxOf(im.gtBoxesXyxy, g), cell.position, cell.jitter, rClick);
        clicks.push({ x: clamp(p.x, 0, im.width), y: clamp(p.y, 0, im.height), categoryId: c });
      }
    }
    const image = await pixels(im);
    let det = await o.detector.detect(image, clicks, o.detectOptions);
    let used = clicks;
    if (cell.source === "prediction") {
      // Round 2: click the centres of the model's own top detections of round 1, per category; where
      // round 1 found fewer than k boxes, the missing clicks stay the ground-truth ones.
      const next: Click[] = [];
      for (const [c, k] of wanted) {
        const centres = topCentres(det, c, k);
        for (const p of centres) next.push({ x: clamp(p.x, 0, im.width), y: clamp(p.y, 0, im.height), categoryId: c });
        const fallback = clicks.filter((q) => q.categoryId === c).slice(centres.length, k);
        stats.fallbackClicks += fallback.length;
        next.push(...fallback);
      }
      det = await o.detector.detect(image, next, o.detectOptions);
      used = next;
    }
    stats.images++;
    stats.clicks += used.length;
    stats.detections += det.length;
    out.push({ imageIndex: i, detections: det });
  }
  return { images: out, stats };
}

/**
 * The evaluation half of a (cell, seed) run: the prompted images' ground truth (restricted to the cell's split)
 * with their detections, in image order, evaluated; {} when no image was prompted.
 *
 * @example
 * const metrics = await ablationMetrics(o, cell, (await ablationDetections(o, cell, 0, pixels)).images);
 */
export async function ablationMetrics(o: Pick<AblationOptions, "data" | "evaluate">, cell: AblationCell, images: readonly AblationImageDetections[]): Promise<Record<string, number>> {
  const cats = splitCats(o.data, cell);
  const evalImages: AnalysisImage[] = images.map((d) => ({ ...restrictGt(o.data.images[d.imageIndex]!, cats), detections: d.detections }));
  return evalImages.length ? await o.evaluate(evalImages) : {};
}

async function runOne(o: AblationOptions, cell: AblationCell, seed: number, pixels: (im: AblationImage) => Promise<RgbImage>): Promise<RunOutput> {
  const d = await ablationDetections(o, cell, seed, pixels);
  return { metrics: await ablationMetrics(o, cell, d.images), stats: d.stats };
}

/**
 * The cache key of one (cell, seed) run: the model and data fingerprints, the cell, the seed, the sampler,
 * evaluator and detect options (and the cache's version).
 */
export function ablationRunKey(o: Pick<AblationOptions, "modelFingerprint" | "samplerId" | "evaluatorId" | "detectOptions">, dataFp: string, cell: AblationCell, seed: number): string {
  return contentFingerprint(ABLATION_CACHE_VERSION, o.modelFingerprint, dataFp, cellId(cell), seed, o.samplerId ?? "default", o.evaluatorId ?? "default", o.detectOptions ?? {});
}

/** One finished (cell, seed) run, as {@link ablationResultOf} assembles them. */
export interface AblationRun {
  cell: AblationCell;
  seed: number;
  /** Read from a cache (no work). */
  cached: boolean;
  seconds: number;
  metrics: Record<string, number>;
}

function cellColumns(c: AblationCell): Record<string, string | number> {
  return { cellId: cellId(c), position: c.position, jitter: c.jitter, clicks: String(c.clicksPerCategory), source: c.source, split: c.split };
}

/**
 * Runs a prompt ablation: every cell of `grid` with every seed, each a full pass over the data (sample clicks
 * on the prompted split's ground truth, detect, evaluate). Each (cell, seed) result is cached on disk under a
 * hash of the model contentFingerprint, data contentFingerprint, cell, seed, sampler, evaluator and detect options, so a
 * re-run reads the cache and calls the detector only for what is missing.
 *
 * @example
 * const r = await runAblation({ detector, modelFingerprint: fileFingerprint(ckpt), data, evaluate,
 *   sampleClick, grid: ablationGrid("small"), seeds: [0, 1, 2] });
 * r.summary.filter((d) => d.metric === "ap50").print();
 */
export async function runAblation(o: AblationOptions): Promise<AblationResult> {
  const seeds = o.seeds ?? [0, 1, 2];
  const dir = o.cacheDir === false ? null : o.cacheDir ?? defaultCacheDir("ablations");
  const dataFp = ablationDataFingerprint(o.data);
  const loaded = new Map<number, Promise<RgbImage>>();
  const pixels = (im: AblationImage): Promise<RgbImage> => {
    if (!loaded.has(im.imageId)) loaded.set(im.imageId, Promise.resolve(im.loadImage()));
    return loaded.get(im.imageId)!;
  };
  const runs: AblationRun[] = [];
  let computed = 0;
  let cached = 0;
  const total = o.grid.length * seeds.length;
  for (const cell of o.grid) {
    checkCell(cell);
    for (const seed of seeds) {
      const key = ablationRunKey(o, dataFp, cell, seed);
      const hit = dir ? readCachedRun(dir, key) : null;
      let seconds: number;
      let metrics: Record<string, number>;
      if (hit) {
        cached++;
        seconds = hit.seconds;
        metrics = reviveMetrics(hit.metrics);
      } else {
        const t0 = performance.now();
        const out = await runOne(o, cell, seed, pixels);
        seconds = (performance.now() - t0) / 1000;
        metrics = out.metrics;
        computed++;
        if (dir) writeCachedRun(dir, { key, metrics, seconds, stats: out.stats });
      }
      runs.push({ cell, seed, cached: hit !== null, seconds, metrics });
      o.onProgress?.({ done: runs.length, total, cell, seed, cached: hit !== null });
    }
  }
  return { ...ablationResultOf(o.grid, runs), computed, cached, dataFingerprint: dataFp };
}

/**
 * The runs and summary tables of finished runs (in grid order, then seed order): one row per run, and per cell
 * and metric the mean and 95% t interval over its seeds. What {@link runAblation} and the queued ablation return.
 *
 * @example
 * const { runs, summary } = ablationResultOf(grid, finished);
 */
export function ablationResultOf(grid: readonly AblationCell[], runs: readonly AblationRun[]): Pick<AblationResult, "runs" | "summary"> {
  const rows: Record<string, unknown>[] = [];
  const metricNames: string[] = [];
  for (const r of runs) {
    for (const m of Object.keys(r.metrics)) if (!metricNames.includes(m)) metricNames.push(m);
    rows.push({ ...cellColumns(r.cell), seed: r.seed, cached: r.cached, seconds: r.seconds, ...r.metrics });
  }
  for (const r of rows) for (const m of metricNames) if (!(m in r)) r[m] = NaN;
  const summary: Record<string, unknown>[] = [];
  for (const cell of grid) {
    const id = cellId(cell);
    const mine = rows.filter((r) => r.cellId === id);
    for (const m of metricNames) {
      const s = meanInterval(mine.map((r) => r[m] as number));
      summary.push({ ...cellColumns(cell), metric: m, mean: s.mean, sd: s.sd, lo: s.lo, hi: s.hi, n: s.n, seeds: mine.map((r) => r.seed).join(",") });
    }
  }
  const emptyRuns = aq.table({ cellId: [], seed: [] });
  return {
    runs: rows.length ? aq.from(rows) : emptyRuns,
    summary: summary.length ? aq.from(summary) : aq.table({ cellId: [], metric: [] }),
  };
}
