import type { Dataset } from "../data/dataset.js";
import type { CocoResult } from "../data/formats/coco-results.js";
import { loadImageRgb } from "../data/images.js";
import { samplePromptSet, type PromptSetting } from "../prompts/prompt-sets.js";
import type { ClickSamplerName } from "../prompts/samplers.js";
import type { Click } from "../structures/click.js";
import type { DetectOptions, PromptableDetector } from "../structures/detector.js";
import { DealkitConfigError } from "../util/errors.js";
import { Random } from "../util/random.js";
import { mergeBoxes } from "./merge.js";
import { concurrencyOf, mapLimited } from "./parallel/workers.js";
import { detectSliced } from "./sliced.js";

/**
 * Options of {@link predictDataset}: the {@link DetectOptions} and how clicks are made. Defaults: per-category
 * clicks, "center" sampler, seed 0, whole-image inference.
 */
export interface PredictDatasetOptions extends DetectOptions {
  /** Which objects get clicks (DEAL only). Default "per-category". */
  clicks?: PromptSetting;
  /** Where on an object a click lands. Default "center". */
  sampler?: ClickSamplerName;
  /** Seed of the click sampling; image i uses rng.fork(imageId), so results do not depend on order. */
  seed?: number;
  /**
   * Class-agnostic merge: an IoU threshold for a greedy NMS per image over all its detections (all prompts of
   * DEAL, all classes of the baseline), keeping the highest score of each cluster ({@link mergeClassAgnostic}).
   * For class-agnostic evaluation (p2sod), where one object detected under two prompts counts once. Default
   * undefined: off.
   */
  classAgnosticMerge?: number;
  /**
   * The clicks of each image (by image id), given instead of sampled from the ground truth: for images
   * without annotations. An image without an entry gets no clicks (DEAL then skips it). Default: sample.
   */
  clicksByImage?: ReadonlyMap<number, readonly Click[]>;
  /**
   * Sliced inference ({@link detectSliced}, its defaults for the rest): square slices of `sliceSize` px
   * (default the model's input size) overlapping by `overlap` (default 0.2), for images larger than the
   * model's input, `sliceBatch` slices per model call (default: the model's memory bound; the results do not
   * depend on it). Default: off (the whole image, resized by the model).
   */
  slice?: { sliceSize?: number; overlap?: number; sliceBatch?: number };
  /** Called after each image. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Runs a detector over every image of a dataset and returns COCO results. DEAL gets clicks sampled from each
 * image's ground truth (crowd and ignore regions excluded) with a seeded sampler, or the clicks given per image
 * (`clicksByImage`); the baseline gets none.
 * Detections carry the click's category (DEAL) or the predicted class (baseline). With `classAgnosticMerge`,
 * each image's results then go through {@link mergeClassAgnostic} (off by default).
 *
 * @example
 * const results = await predictDataset(model, testSet, { clicks: "per-category", seed: 0 });
 */
export async function predictDataset(model: PromptableDetector, ds: Dataset, options: PredictDatasetOptions = {}): Promise<CocoResult[]> {
  const mergeIou = options.classAgnosticMerge;
  if (mergeIou !== undefined) checkMergeIou(mergeIou);
  const rng = new Random(options.seed ?? 0);
  let done = 0;
  // A DetectorWorkers pool takes `concurrency` images at once; results keep the images' order.
  const perImage = await mapLimited(ds.images, concurrencyOf(model), async (img) => {
    const image = await loadImageRgb(ds.imagePath(img.id));
    const clicks = model.kind !== "deal" ? [] : options.clicksByImage ? (options.clicksByImage.get(img.id) ?? []) : samplePromptSet(ds.groundTruth(img.id), options.clicks ?? "per-category", rng.fork(img.id), options.sampler ?? "center");
    let own: CocoResult[] = [];
    if (model.kind === "baseline" || clicks.length > 0) {
      const dets = options.slice ? (await detectSliced(model, image, clicks, { ...detectOptionsOf(options), ...options.slice })).detections : await model.detect(image, clicks, options);
      for (let i = 0; i < dets.length; i++) {
        const [x1, y1, x2, y2] = [dets.boxesXyxy[i * 4]!, dets.boxesXyxy[i * 4 + 1]!, dets.boxesXyxy[i * 4 + 2]!, dets.boxesXyxy[i * 4 + 3]!];
        own.push({ image_id: img.id, category_id: dets.categoryIds[i]!, bbox: [round(x1), round(y1), round(x2 - x1), round(y2 - y1)], score: round(dets.scores[i]!, 5) });
      }
      if (mergeIou !== undefined) own = mergeClassAgnostic(own, mergeIou);
    }
    done += 1;
    options.onProgress?.(done, ds.images.length);
    return own;
  });
  const out = perImage.flat();
  return out;
}

/**
 * Class-agnostic greedy NMS over COCO results, per image: within each image, across categories (prompts),
 * results are visited by descending score and each kept one drops every later one whose IoU with it is >= `iou`
 * (mergeBoxes of src/infer/merge.ts, method "nms"). Returns the kept results in their input order; the input is
 * not modified. The same as predictDataset's `classAgnosticMerge`, so it also applies to cached results.
 *
 * @example
 * mergeClassAgnostic([
 *   { image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], score: 0.9 },
 *   { image_id: 1, category_id: 2, bbox: [1, 0, 10, 10], score: 0.6 },
 * ], 0.5); // the first only (IoU 0.82)
 */
export function mergeClassAgnostic(results: readonly CocoResult[], iou: number): CocoResult[] {
  checkMergeIou(iou);
  const n = results.length;
  const boxesXyxy = new Float64Array(4 * n);
  const scores = new Float64Array(n);
  const groups = new Float64Array(n);
  results.forEach((r, i) => {
    const [x, y, w, h] = r.bbox;
    boxesXyxy.set([x, y, x + w, y + h], 4 * i);
    scores[i] = r.score;
    groups[i] = r.image_id;
  });
  const { keep } = mergeBoxes(boxesXyxy, scores, groups, { method: "nms", metric: "iou", threshold: iou });
  return keep.sort((a, b) => a - b).map((i) => results[i]!);
}

function detectOptionsOf(o: DetectOptions): DetectOptions {
  const { scoreThreshold, maxDetections, nmsIou, topK, mergeMetric, mergeThreshold } = o;
  return { scoreThreshold, maxDetections, nmsIou, topK, mergeMetric, mergeThreshold };
}

function checkMergeIou(iou: number): void {
  if (typeof iou !== "number" || !Number.isFinite(iou) || iou <= 0 || iou > 1) {
    throw new DealkitConfigError(`classAgnosticMerge must be an IoU threshold in (0, 1], got ${String(iou)}`);
  }
}

function round(v: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
