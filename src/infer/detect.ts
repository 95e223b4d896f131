import { groupPrompts, type Click } from "../structures/click.js";
import { detectionOrder, emptyDetections, selectDetections, type Detections } from "../structures/detections.js";
import { DETECT_DEFAULTS, type DetectOptions, type PromptableDetector } from "../structures/detector.js";
import type { RgbImage } from "../structures/image.js";
import { mergeBoxes } from "./merge.js";

/**
 * The merge group of each detection: the prompt of its click (`groupPrompts`: labelled clicks of one category
 * share a group, so the detections of several clicks on that category are merged; an unlabelled click is its
 * own group, as two unlabelled clicks may be different things); detections without a click (the baseline)
 * are grouped by their category.
 *
 * @example
 * clickGroups(dets, [{ x: 1, y: 1, categoryId: 2 }, { x: 9, y: 9, categoryId: 2 }]); // one group for both clicks' boxes
 */
export function clickGroups(d: Detections, clicks: readonly Click[]): Int32Array {
  const prompts = groupPrompts(clicks);
  const groupOfClick = new Int32Array(clicks.length);
  prompts.forEach((g, gi) => g.members.forEach((m) => (groupOfClick[m] = gi)));
  const byCategory = new Map<number, number>();
  const out = new Int32Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const ci = d.clickIndex[i]!;
    if (ci >= 0 && ci < clicks.length) {
      out[i] = groupOfClick[ci]!;
      continue;
    }
    const cat = d.categoryIds[i]!;
    let g = byCategory.get(cat);
    if (g === undefined) byCategory.set(cat, (g = prompts.length + byCategory.size));
    out[i] = g;
  }
  return out;
}

/**
 * Point-prompted detection: runs the model once with all clicks (the model checks them and drops boxes under
 * `scoreThreshold`, keeps `maxDetections` per prompt after its NMS at `nmsIou`), merges the detections of
 * several clicks on the same category by NMS (`mergeMetric` at `mergeThreshold`: one point per category up
 * to one point per instance give one set of boxes per category), and keeps the best `topK`. Defaults:
 * {@link DETECT_DEFAULTS}.
 *
 * Clicks may carry a `categoryId` (detections inherit it) or not (detections carry -1 and each unlabelled
 * click is merged on its own). Several categories can be prompted in one call.
 *
 * A click outside the image throws a DealkitInputError naming the click (`click #i`) and its coordinates. A
 * click on an empty area is passed to the model as is: the result is whatever the model finds for it, often
 * an empty list, never an error. With no clicks the result is the model's output for no prompt (empty for
 * DEAL, every detection for the class-based baseline).
 *
 * @example
 * const dets = await detect(model, image, [{ x: 120, y: 64, categoryId: 2 }], { scoreThreshold: 0.3 });
 * dets.length; // boxes of every instance of category 2
 */
export async function detect(model: PromptableDetector, image: RgbImage, clicks: readonly Click[], options: DetectOptions = {}): Promise<Detections> {
  const scoreThreshold = options.scoreThreshold ?? DETECT_DEFAULTS.scoreThreshold;
  const raw = await model.detect(image, clicks, { scoreThreshold, maxDetections: options.maxDetections ?? DETECT_DEFAULTS.maxDetections, nmsIou: options.nmsIou });
  return finishDetections(raw, clicks, { ...options, scoreThreshold });
}

/**
 * Score filter, same-prompt merge and top-k of {@link detect}, on a detector's raw output.
 *
 * @example
 * const dets = finishDetections(await model.detect(image, clicks), clicks, { mergeThreshold: 0.6 });
 */
export function finishDetections(raw: Detections, clicks: readonly Click[], options: DetectOptions): Detections {
  if (raw.length === 0) return emptyDetections();
  const threshold = options.scoreThreshold ?? DETECT_DEFAULTS.scoreThreshold;
  const passing = detectionOrder(raw).filter((i) => raw.scores[i]! >= threshold);
  const kept = selectDetections(raw, passing);
  const merged = mergeBoxes(kept.boxesXyxy, kept.scores, clickGroups(kept, clicks), {
    method: "nms",
    metric: options.mergeMetric ?? DETECT_DEFAULTS.mergeMetric,
    threshold: options.mergeThreshold ?? DETECT_DEFAULTS.mergeThreshold,
  });
  const topK = options.topK ?? DETECT_DEFAULTS.topK;
  return selectDetections(kept, Number.isFinite(topK) ? merged.keep.slice(0, Math.max(0, topK)) : merged.keep);
}
