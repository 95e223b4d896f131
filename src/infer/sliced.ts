import { cropImage, tileGrid, type Tile } from "../data/tiling.js";
import { checkClicks, type Click } from "../structures/click.js";
import { concatDetections, detectionOrder, selectDetections, type Detections } from "../structures/detections.js";
import { DETECT_DEFAULTS, type DetectOptions, type PromptEmbedding, type PromptableDetector } from "../structures/detector.js";
import type { RgbImage } from "../structures/image.js";
import type { MatchMetric } from "../structures/iou.js";
import { checkOneOf, DealkitConfigError } from "../util/errors.js";
import { clickGroups } from "./detect.js";
import { mergeBoxes, type MergeMethod } from "./merge.js";
import { resolveSeams, touchesInnerBorder } from "./seams.js";
import { bestSliceFor } from "./slices.js";
import { concurrencyOf, mapLimited } from "./parallel/workers.js";

/**
 * Options of {@link detectSliced}: the {@link DetectOptions} (same names as `detect`) plus the slicing ones.
 * Defaults: sliceSize = model.inputSize, overlap 0.2, fullImagePass false, mergeMethod "nmm", seamMarginPx 2,
 * reuseEmbeddings true; merging across slices by "ios" at 0.5 (mergeMetric, mergeThreshold: a box cut by a
 * slice edge lies inside its whole twin); scoreThreshold 0.05, maxDetections 300, nmsIou 0.7, topK Infinity.
 */
export interface SlicedDetectOptions extends DetectOptions {
  /** Side of the square slices, px. Default: the model's inputSize (slices run at native resolution). */
  sliceSize?: number;
  /** Fraction of a slice shared with its neighbour, in [0, 0.9). Default 0.2. */
  overlap?: number;
  /** Also run the model on the whole image (resized by the model), for objects larger than a slice. Default false. */
  fullImagePass?: boolean;
  /** "nms" keeps one box per cluster, "nmm" joins the cluster into its union. Default "nmm". */
  mergeMethod?: MergeMethod;
  /** A box within this many px of an inner slice border counts as cut by the seam. Default 2. */
  seamMarginPx?: number;
  /**
   * true (default): each click is embedded once, on the slice where it lies most central, and that embedding
   * prompts every slice, so one click finds its category across the whole image. false: SAHI-style, each
   * slice is prompted only with the clicks inside it (slices without a click are skipped).
   */
  reuseEmbeddings?: boolean;
  /**
   * Slices per model call when embeddings are reused and the model has `detectWithEmbeddingsBatch` (DEAL): one
   * batched encoding for that many slices, then the prompt heads per slice; the detections are exactly those of
   * one slice at a time. 1: one slice per call. Default: the model's memory bound (`maxBatch`; DEAL:
   * encodeBatchLimit, 512 MiB of activations per thread, at most 8: 5 slices of 512 px for tiny), and no more
   * than an even share of the slices per thread, so a worker pool stays busy. Range [1, 64].
   */
  sliceBatch?: number;
  /** Called after each slice (each batch of slices) with (done, total), e.g. for a progress bar. */
  onProgress?: (done: number, total: number) => void;
}

/** Slices, time and merge statistics of a {@link detectSliced} run. */
export interface SlicedStats {
  imageWidth: number;
  imageHeight: number;
  sliceSize: number;
  overlap: number;
  /** Slices in the grid, and how many were run (all of them unless reuseEmbeddings is false). */
  slices: number;
  slicesRun: number;
  fullImagePass: boolean;
  /** Slices per model call (1: one at a time; see SlicedDetectOptions.sliceBatch). */
  sliceBatch: number;
  /** Slices on which click embeddings were computed (one embedClicks call each). */
  embedCalls: number;
  /** Detections over the score threshold from all slices (and the full pass). */
  rawDetections: number;
  /** Seam handling: boxes cut by an inner border, dropped as seen whole elsewhere, joined with other pieces. */
  seamCut: number;
  seamDropped: number;
  seamJoined: number;
  /** Boxes absorbed by the final NMS/NMM. */
  mergedAway: number;
  /** Detections returned. */
  finalDetections: number;
  mergeMethod: MergeMethod;
  mergeMetric: MatchMetric;
  mergeThreshold: number;
  /** Wall-clock milliseconds: total, embedding, model on slices (sum, and the slowest slice; batched: a batch's time over its slices), merging. */
  timeMs: number;
  embedMs: number;
  detectMs: number;
  maxSliceMs: number;
  mergeMs: number;
}

/** Detections of a sliced run, with the slice grid and the statistics. */
export interface SlicedResult {
  detections: Detections;
  slices: Tile[];
  stats: SlicedStats;
}

/**
 * Sliced inference for images larger than the model's input: the image is cut into overlapping square
 * slices run at native resolution (optionally plus one pass over the whole image), the detections are put
 * back in image coordinates, boxes cut by a seam are dropped or joined (see resolveSeams), and the rest is
 * merged by NMS or NMM with IoU or IoS within each click group (a labelled category, or an unlabelled click).
 *
 * Unlike SAHI, a click is embedded once, from the slice that holds it, and the embedding is reused in every
 * slice (`detectWithEmbeddings`), so a single click finds its category across a 4000x4000 image. A model
 * that returns no embeddings (the baseline) is run with `detect` on every slice. Clicks outside the image
 * throw a DealkitInputError, as in {@link detect}.
 *
 * @example
 * const { detections, stats } = await detectSliced(model, bigImage, [{ x: 2100, y: 870, categoryId: 1 }]);
 * stats.slices; stats.timeMs; detections.length;
 */
export async function detectSliced(
  model: PromptableDetector,
  image: RgbImage,
  clicks: readonly Click[],
  options: SlicedDetectOptions = {},
): Promise<SlicedResult> {
  const t0 = performance.now();
  checkClicks(clicks, image.width, image.height);
  const sliceSize = options.sliceSize ?? model.inputSize;
  const overlap = options.overlap ?? 0.2;
  const mergeMethod = checkOneOf("mergeMethod", options.mergeMethod ?? "nmm", ["nms", "nmm"] as const);
  const mergeMetric = checkOneOf("mergeMetric", options.mergeMetric ?? "ios", ["iou", "ios"] as const);
  const mergeThreshold = options.mergeThreshold ?? DETECT_DEFAULTS.mergeThreshold;
  const scoreThreshold = options.scoreThreshold ?? DETECT_DEFAULTS.scoreThreshold;
  const seamMarginPx = options.seamMarginPx ?? 2;
  const reuse = options.reuseEmbeddings ?? true;
  const fullImagePass = options.fullImagePass ?? false;
  const detectOpts: DetectOptions = { scoreThreshold, maxDetections: options.maxDetections ?? DETECT_DEFAULTS.maxDetections, nmsIou: options.nmsIou };
  if (!(Number.isInteger(sliceSize) && sliceSize >= 16)) throw new DealkitConfigError(`sliceSize must be an integer >= 16, got ${sliceSize}`);
  if (!(overlap >= 0 && overlap < 0.9)) throw new DealkitConfigError(`overlap must be in [0, 0.9), got ${overlap}`);
  if (options.sliceBatch !== undefined && !(Number.isInteger(options.sliceBatch) && options.sliceBatch >= 1 && options.sliceBatch <= 64)) {
    throw new DealkitConfigError(`sliceBatch must be an integer in [1, 64], got ${options.sliceBatch}`);
  }
  const rects = tileGrid(image.width, image.height, { sliceSize, overlap });

  // 1. Embed each click once, on its most central slice.
  const tEmbed = performance.now();
  let embeddings: PromptEmbedding[] = [];
  let embedCalls = 0;
  if (reuse && clicks.length > 0) {
    const bySlice = new Map<number, number[]>();
    clicks.forEach((c, i) => {
      const s = bestSliceFor(rects, c.x, c.y);
      bySlice.set(s, [...(bySlice.get(s) ?? []), i]);
    });
    for (const [s, indices] of bySlice) {
      const r = rects[s]!;
      const local = indices.map((i) => ({ ...clicks[i]!, x: clicks[i]!.x - r.x, y: clicks[i]!.y - r.y }));
      const got = await model.embedClicks(cropImage(image, r), local);
      embedCalls++;
      embeddings.push(...got.map((e) => ({ ...e, clickIndex: indices[e.clickIndex] ?? e.clickIndex })));
    }
    embeddings = embeddings.sort((a, b) => a.clickIndex - b.clickIndex);
  }
  const embedMs = performance.now() - tEmbed;
  const useEmbeddings = reuse && embeddings.length > 0;

  // 2. Run every slice (a DetectorWorkers pool runs `concurrency` at once; results are kept in slice order).
  const parts: { detections: Detections; dx: number; dy: number; slice: number }[] = [];
  let detectMs = 0;
  let maxSliceMs = 0;
  let slicesRun = 0;
  let done = 0;
  const concurrency = concurrencyOf(model);
  const batchFn = useEmbeddings ? model.detectWithEmbeddingsBatch?.bind(model) : undefined;
  const sliceBatch = batchFn ? sliceBatchFor(model, rects, concurrency, options.sliceBatch) : 1;
  const tDetect = performance.now();
  const ran: { list: Detections | undefined; dt: number }[] = [];
  if (batchFn && sliceBatch > 1) {
    // Batches of consecutive slices (all of one size: tileGrid keeps slices inside the image), one call each.
    const chunks: number[][] = [];
    for (let s = 0; s < rects.length; s += sliceBatch) chunks.push(Array.from({ length: Math.min(sliceBatch, rects.length - s) }, (_, i) => s + i));
    const got = await mapLimited(chunks, concurrency, async (chunk) => {
      const ts = performance.now();
      const lists = await batchFn(chunk.map((s) => cropImage(image, rects[s]!)), embeddings, detectOpts);
      const dt = (performance.now() - ts) / chunk.length;
      done += chunk.length;
      options.onProgress?.(done, rects.length);
      return lists.map((list) => ({ list, dt }));
    });
    ran.push(...got.flat());
  } else ran.push(...await mapLimited(rects, concurrency, async (r, s) => {
    const ts = performance.now();
    let list: Detections | undefined;
    if (useEmbeddings) {
      list = await model.detectWithEmbeddings(cropImage(image, r), embeddings, detectOpts);
    } else {
      const inside = clicks.map((c, i) => ({ c, i })).filter(({ c }) => c.x >= r.x && c.x <= r.x + r.width && c.y >= r.y && c.y <= r.y + r.height);
      if (clicks.length === 0 || inside.length > 0) {
        const local = inside.map(({ c }) => ({ ...c, x: c.x - r.x, y: c.y - r.y }));
        const got = await model.detect(cropImage(image, r), local, detectOpts);
        list = { ...got, clickIndex: got.clickIndex.map((ci) => (ci >= 0 ? inside[ci]?.i ?? -1 : ci)) };
      }
    }
    const dt = performance.now() - ts;
    options.onProgress?.(++done, rects.length);
    return { list, dt };
  }));
  ran.forEach(({ list, dt }, s) => {
    if (!list) return;
    slicesRun++;
    parts.push({ detections: list, dx: rects[s]!.x, dy: rects[s]!.y, slice: s });
    detectMs += dt;
    maxSliceMs = Math.max(maxSliceMs, dt);
  });
  // With concurrent slices, the model time is the phase's wall time (per-slice times overlap).
  if (concurrency > 1) detectMs = performance.now() - tDetect;
  if (fullImagePass) {
    const list = useEmbeddings
      ? await model.detectWithEmbeddings(image, embeddings, detectOpts)
      : await model.detect(image, clicks, detectOpts);
    parts.push({ detections: list, dx: 0, dy: 0, slice: -1 });
  }

  // 3. Back to image coordinates, seams, merge.
  const tMerge = performance.now();
  const all = concatDetections(parts);
  const sliceOfAll = new Int32Array(all.length);
  let k = 0;
  for (const p of parts) for (let i = 0; i < p.detections.length; i++) sliceOfAll[k++] = p.slice;
  const passing = detectionOrder(all).filter((i) => all.scores[i]! >= scoreThreshold);
  const dets = selectDetections(all, passing);
  const sliceOf = Int32Array.from(passing, (i) => sliceOfAll[i]!);
  const cut = Uint8Array.from(passing, (_, j) => {
    const s = sliceOf[j]!;
    return s >= 0 && touchesInnerBorder(dets.boxesXyxy.subarray(4 * j, 4 * j + 4), rects[s]!, image.width, image.height, seamMarginPx) ? 1 : 0;
  });
  const groups = clickGroups(dets, clicks);
  const seams = resolveSeams(dets.boxesXyxy, dets.scores, groups, sliceOf, cut, mergeThreshold);
  const survivors = selectDetections(dets, seams.index);
  const merged = mergeBoxes(seams.boxesXyxy, seams.scores, Int32Array.from(seams.index, (i) => groups[i]!), {
    method: mergeMethod,
    metric: mergeMetric,
    threshold: mergeThreshold,
  });
  const topK = options.topK ?? Infinity;
  const keep = Number.isFinite(topK) ? merged.keep.slice(0, Math.max(0, topK)) : merged.keep;
  const out = selectDetections(survivors, keep);
  keep.forEach((i, j) => {
    out.boxesXyxy.set(merged.boxesXyxy.subarray(4 * j, 4 * j + 4), 4 * j);
    out.scores[j] = seams.scores[i]!;
  });
  const mergeMs = performance.now() - tMerge;

  return {
    detections: out,
    slices: rects,
    stats: {
      imageWidth: image.width,
      imageHeight: image.height,
      sliceSize,
      overlap,
      slices: rects.length,
      slicesRun,
      sliceBatch,
      fullImagePass,
      embedCalls,
      rawDetections: dets.length,
      seamCut: seams.stats.cut,
      seamDropped: seams.stats.dropped,
      seamJoined: seams.stats.joined,
      mergedAway: seams.index.length - merged.keep.length,
      finalDetections: out.length,
      mergeMethod,
      mergeMetric,
      mergeThreshold,
      timeMs: performance.now() - t0,
      embedMs,
      detectMs,
      maxSliceMs,
      mergeMs,
    },
  };
}

/**
 * Slices per batched call: the asked number, else the model's memory bound for this slice size (1 without one),
 * capped so that each of `concurrency` threads gets at least one call's worth when the slices are few.
 */
function sliceBatchFor(model: PromptableDetector, rects: readonly Tile[], concurrency: number, asked: number | undefined): number {
  if (rects.length === 0) return 1;
  if (asked !== undefined) return asked;
  const bound = model.maxBatch?.(rects[0]!.width, rects[0]!.height) ?? 1;
  return Math.max(1, Math.min(bound, Math.ceil(rects.length / concurrency)));
}
