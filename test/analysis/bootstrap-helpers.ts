import type { CocoDetectionJson, CocoGtJson } from "../../src/eval/index.js";

/**
 * The multiset of images as plain COCO: image i (in ascending id order) copied `weights[i]` times under new ids
 * `id * 1000 + c` (so copies sort right after one another, in the original order), with its annotations and
 * detections. Evaluating this with cocoEvaluate is the independent reference for a weighted evaluation.
 */
export function duplicateImages(gt: CocoGtJson, dt: readonly CocoDetectionJson[], weights: readonly number[]): { gt: CocoGtJson; dt: CocoDetectionJson[] } {
  const ids = [...new Set(gt.images.map((im) => im.id))].sort((a, b) => a - b);
  const w = new Map(ids.map((id, i) => [id, weights[i]!]));
  const images = gt.images.flatMap((im) => Array.from({ length: w.get(im.id)! }, (_, c) => ({ ...im, id: im.id * 1000 + c })));
  const annotations = gt.annotations.flatMap((a) =>
    Array.from({ length: w.get(a.image_id) ?? 0 }, (_, c) => ({ ...a, id: a.id * 1000 + c, image_id: a.image_id * 1000 + c })));
  const dets = dt.flatMap((d) => Array.from({ length: w.get(d.image_id)! }, (_, c) => ({ ...d, image_id: d.image_id * 1000 + c })));
  return { gt: { ...gt, images, annotations }, dt: dets };
}

/** A small synthetic case with coarse scores (many ties, also within one image). */
export function coarseScores(dt: readonly CocoDetectionJson[], step: number): CocoDetectionJson[] {
  return dt.map((d) => ({ ...d, score: Math.round(d.score / step) * step }));
}
