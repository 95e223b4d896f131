import type { Dataset } from "../data/dataset.js";
import { loadImageRgb } from "../data/images.js";
import { samplePromptSet, type GtInstance, type PromptSetting } from "../prompts/prompt-sets.js";
import type { ClickSamplerName } from "../prompts/samplers.js";
import { Random } from "../util/random.js";
import type { DetectOptions, PromptableDetector } from "./types.js";

/** A detection in COCO results format (bbox xywh in pixels). */
export interface CocoResult {
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  score: number;
}

/** Options of {@link predictDataset}. Defaults: per-category clicks, "center" sampler, seed 0. */
export interface PredictDatasetOptions extends DetectOptions {
  /** Which objects get clicks (DEAL only). Default "per-category". */
  clicks?: PromptSetting;
  /** Where on an object a click lands. Default "center". */
  sampler?: ClickSamplerName;
  /** Seed of the click sampling; image i uses rng.fork(imageId), so results do not depend on order. */
  seed?: number;
  /** Called after each image. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Runs a detector over every image of a dataset and returns COCO results. DEAL gets clicks sampled from each
 * image's ground truth (crowd and ignore regions excluded) with a seeded sampler; the baseline gets none.
 * Detections carry the click's category (DEAL) or the predicted class (baseline).
 *
 * @example
 * const results = await predictDataset(model, testSet, { clicks: "per-category", seed: 0 });
 */
export async function predictDataset(model: PromptableDetector, ds: Dataset, options: PredictDatasetOptions = {}): Promise<CocoResult[]> {
  const rng = new Random(options.seed ?? 0);
  const out: CocoResult[] = [];
  const a = ds.annotations;
  let done = 0;
  for (const img of ds.images) {
    const image = await loadImageRgb(ds.imagePath(img.id));
    const instances: GtInstance[] = [];
    for (const r of ds.annotationsOfImage(img.id)) {
      if (a.iscrowd[r] || a.ignore[r]) continue;
      instances.push({ bboxXywh: [a.bboxXywh[r * 4]!, a.bboxXywh[r * 4 + 1]!, a.bboxXywh[r * 4 + 2]!, a.bboxXywh[r * 4 + 3]!], categoryId: a.categoryIds[r]! });
    }
    const clicks = model.kind === "deal" ? samplePromptSet(instances, options.clicks ?? "per-category", rng.fork(img.id), options.sampler ?? "center") : [];
    if (model.kind === "baseline" || clicks.length > 0) {
      const dets = await model.detect(image, clicks, options);
      for (let i = 0; i < dets.length; i++) {
        const [x1, y1, x2, y2] = [dets.boxesXyxy[i * 4]!, dets.boxesXyxy[i * 4 + 1]!, dets.boxesXyxy[i * 4 + 2]!, dets.boxesXyxy[i * 4 + 3]!];
        out.push({ image_id: img.id, category_id: dets.categoryIds[i]!, bbox: [round(x1), round(y1), round(x2 - x1), round(y2 - y1)], score: round(dets.scores[i]!, 5) });
      }
    }
    done += 1;
    options.onProgress?.(done, ds.images.length);
  }
  return out;
}

function round(v: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
