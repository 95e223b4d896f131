import type { AnalysisImage } from "../analysis/types.js";
import { selectDetections } from "../structures/detections.js";
import { selectGroundTruth } from "../structures/ground-truth.js";

/**
 * Pure glue of the paper reproduction: restricting analysis images to a category set (the seen vs held-out
 * rows).
 */

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
