import type { Click, DetectionList, PromptableDetector } from "../model/types.js";
import type { RgbImage } from "../structures/image.js";
import { DealkitInputError } from "../util/errors.js";
import { emptyDetectionList, pickDetections, topByScore } from "./detection-list.js";
import { mergeBoxes, type MatchMetric } from "./merge.js";

/**
 * Options of {@link detect}. Defaults: scoreThreshold 0.05, maxPerClick 300, topK Infinity,
 * mergeIouThreshold 0.5, mergeMetric "iou".
 */
export interface PromptDetectOptions {
  /** Drop detections scoring below this. Default 0.05. */
  scoreThreshold?: number;
  /** At most this many detections per click, asked of the model. Default 300. */
  maxPerClick?: number;
  /** At most this many detections in the result (best scores first). Default Infinity (all). */
  topK?: number;
  /** Detections of two clicks of the same category that match at >= this are one object (NMS). Default 0.5. */
  mergeIouThreshold?: number;
  /** The match metric of that NMS: "iou" or "ios" (intersection over the smaller box). Default "iou". */
  mergeMetric?: MatchMetric;
}

/**
 * Checks clicks against an image and returns them as given. A click must have finite coordinates inside
 * [0, width] x [0, height] and, if labelled, an integer categoryId; otherwise a DealkitInputError names
 * the click's index and coordinates.
 */
export function checkClicksInImage(clicks: readonly Click[], width: number, height: number): readonly Click[] {
  clicks.forEach((c, i) => {
    const where = { record: `click #${i}` };
    if (!Number.isFinite(c.x) || !Number.isFinite(c.y)) {
      throw new DealkitInputError(`coordinates must be finite numbers, got (${c.x}, ${c.y})`, where);
    }
    if (c.x < 0 || c.y < 0 || c.x > width || c.y > height) {
      throw new DealkitInputError(
        `click at (${c.x}, ${c.y}) is outside the ${width}x${height} image (x in [0, ${width}], y in [0, ${height}])`,
        where,
      );
    }
    if (c.categoryId !== undefined && !Number.isInteger(c.categoryId)) {
      throw new DealkitInputError(`categoryId must be an integer, got ${c.categoryId}`, { ...where, field: "categoryId" });
    }
  });
  return clicks;
}

/**
 * The merge group of each detection: labelled clicks of one category share a group, so the detections of
 * several clicks on that category are merged; an unlabelled click is its own group (two unlabelled clicks
 * may be different things).
 */
export function clickGroups(list: DetectionList, clicks: readonly Click[]): Int32Array {
  const keys = new Map<string, number>();
  const out = new Int32Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const ci = list.clickIndex[i]!;
    const click = ci >= 0 ? clicks[ci] : undefined;
    const key = click?.categoryId !== undefined ? `c${click.categoryId}` : ci >= 0 ? `u${ci}` : `d${list.categoryIds[i]}`;
    let g = keys.get(key);
    if (g === undefined) keys.set(key, (g = keys.size));
    out[i] = g;
  }
  return out;
}

/**
 * Point-prompted detection: runs the model once with all clicks, drops detections under the score
 * threshold, merges the detections of several clicks on the same category by NMS (one point per category
 * up to one point per instance give one set of boxes per category), and keeps the top-k.
 *
 * Clicks may carry a `categoryId` (detections inherit it) or not (detections carry -1 and each unlabelled
 * click is merged on its own). Several categories can be prompted in one call.
 *
 * A click outside the image throws a DealkitInputError naming the click index and coordinates. A click on
 * an empty area is passed to the model as is: the result is whatever the model finds for it, often an
 * empty list, never an error. With no clicks the result is the model's output for no prompt (empty for
 * DEAL, every detection for the class-based baseline).
 *
 * @example
 * const dets = await detect(model, image, [{ x: 120, y: 64, categoryId: 2 }], { scoreThreshold: 0.3 });
 * dets.length; // boxes of every instance of category 2
 */
export async function detect(
  model: PromptableDetector,
  image: RgbImage,
  clicks: readonly Click[],
  options: PromptDetectOptions = {},
): Promise<DetectionList> {
  checkClicksInImage(clicks, image.width, image.height);
  const scoreThreshold = options.scoreThreshold ?? 0.05;
  const raw = await model.detect(image, clicks, { scoreThreshold, maxDetections: options.maxPerClick ?? 300 });
  return finishDetections(raw, clicks, { ...options, scoreThreshold });
}

/** Score filter, same-category merge and top-k, shared by {@link detect} and sliced inference. */
export function finishDetections(
  raw: DetectionList,
  clicks: readonly Click[],
  options: PromptDetectOptions,
): DetectionList {
  if (raw.length === 0) return emptyDetectionList();
  const threshold = options.scoreThreshold ?? 0.05;
  const passing = topByScore(raw).filter((i) => raw.scores[i]! >= threshold);
  const kept = pickDetections(raw, passing);
  const merged = mergeBoxes(kept.boxesXyxy, kept.scores, clickGroups(kept, clicks), {
    method: "nms",
    metric: options.mergeMetric ?? "iou",
    threshold: options.mergeIouThreshold ?? 0.5,
  });
  const topK = options.topK ?? Infinity;
  return pickDetections(kept, Number.isFinite(topK) ? merged.keep.slice(0, Math.max(0, topK)) : merged.keep);
}
