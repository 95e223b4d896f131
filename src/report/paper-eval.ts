import type { AnalysisImage } from "../analysis/types.js";
import type { Dataset } from "../data/dataset.js";
import type { CocoResult } from "../data/formats/coco-results.js";
import { createDetections, selectDetections, type Detections } from "../structures/detections.js";
import { selectGroundTruth } from "../structures/ground-truth.js";

/**
 * Pure glue between predictDataset's COCO results and the analysis images the evaluators read: grouping per
 * image, restricting to a category set (seen vs held-out rows), and picking a per-domain subset of images.
 */

/**
 * COCO results (bbox xywh px) grouped per image as detection lists (xyxy px); `clickIndex` is -1 (COCO results
 * do not carry it).
 *
 * @example
 * const byImage = detectionsByImage(await predictDataset(model, ds));
 */
export function detectionsByImage(results: readonly CocoResult[]): Map<number, Detections> {
  const groups = new Map<number, CocoResult[]>();
  for (const r of results) {
    if (!groups.has(r.image_id)) groups.set(r.image_id, []);
    groups.get(r.image_id)!.push(r);
  }
  const out = new Map<number, Detections>();
  for (const [id, rs] of groups) {
    const boxes = new Float32Array(rs.length * 4);
    rs.forEach((r, i) => boxes.set([r.bbox[0], r.bbox[1], r.bbox[0] + r.bbox[2], r.bbox[1] + r.bbox[3]], 4 * i));
    out.set(id, createDetections(boxes, Float32Array.from(rs, (r) => r.score), Int32Array.from(rs, (r) => r.category_id)));
  }
  return out;
}

/**
 * Analysis images restricted to a set of categories: ground truth of other categories is dropped (as if
 * unannotated) and so are detections prompted by them (DEAL's detections carry their click's category). This
 * is how one prediction run over TinySet-mini's held-out-categories split gives both the seen and the unseen
 * row. Images left without ground truth of the set are dropped. Inputs are not modified.
 *
 * @example
 * const unseen = restrictToCategories(images, new Set([4, 8]));
 */
export function restrictToCategories(images: readonly AnalysisImage[], categories: ReadonlySet<number>): AnalysisImage[] {
  const out: AnalysisImage[] = [];
  for (const im of images) {
    const keep: number[] = [];
    for (let g = 0; g < im.gtCategoryIds.length; g++) if (categories.has(im.gtCategoryIds[g]!)) keep.push(g);
    if (keep.length === 0) continue;
    const d = im.detections;
    const dk: number[] = [];
    for (let i = 0; i < d.length; i++) if (categories.has(d.categoryIds[i]!)) dk.push(i);
    out.push({ ...selectGroundTruth(im, keep), detections: selectDetections(d, dk) });
  }
  return out;
}

/**
 * The ids of the first `perDomain` images of each domain (in the data set's order), or every image when
 * `perDomain` is undefined: a small, balanced and deterministic subset for quick runs.
 *
 * @example
 * const ids = imagesPerDomain(testSet, 4); // 24 ids for TinySet-mini's six domains
 */
export function imagesPerDomain(ds: Pick<Dataset, "images">, perDomain?: number): number[] {
  if (perDomain === undefined) return ds.images.map((im) => im.id);
  const count = new Map<string, number>();
  const out: number[] = [];
  for (const im of ds.images) {
    const d = im.domain ?? "";
    const n = count.get(d) ?? 0;
    if (n >= perDomain) continue;
    count.set(d, n + 1);
    out.push(im.id);
  }
  return out;
}
