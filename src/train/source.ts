import type { BboxXywh } from "../structures/bbox.js";
import { checkGroundTruth, gtBoxXywh, gtTargets, type GroundTruth } from "../structures/ground-truth.js";
import type { RgbImage } from "../structures/image.js";

/** One training image and its ground truth (crowd and ignore regions are never targets). */
export interface TrainExample {
  image: RgbImage;
  groundTruth: GroundTruth;
}

/** Random access to training images (decoded once; the trainer reads them many times). */
export interface TrainSource {
  readonly size: number;
  get(index: number): TrainExample;
  /** Every category id that occurs among the targets, ascending (the baseline's classes). */
  readonly categoryIds: readonly number[];
}

/**
 * The objects an example trains on: COCO xywh boxes (the annotation's own numbers) and category ids, crowd
 * and ignore regions left out, in row order.
 *
 * @example
 * const { bboxesXywh, categoryIds } = trainingTargets(source.get(0));
 */
export function trainingTargets(ex: TrainExample): { bboxesXywh: BboxXywh[]; categoryIds: number[] } {
  const rows = gtTargets(ex.groundTruth);
  return { bboxesXywh: rows.map((g) => gtBoxXywh(ex.groundTruth, g)), categoryIds: rows.map((g) => ex.groundTruth.gtCategoryIds[g]!) };
}

/**
 * A {@link TrainSource} over examples in memory (each ground truth checked with checkGroundTruth).
 *
 * @example
 * const src = arraySource([{ image, groundTruth: makeGroundTruth(1, [{ bboxXywh: [10, 10, 6, 6], categoryId: 1 }]) }]);
 */
export function arraySource(examples: readonly TrainExample[]): TrainSource {
  for (const e of examples) checkGroundTruth(e.groundTruth);
  const cats = [...new Set(examples.flatMap((e) => trainingTargets(e).categoryIds))].sort((a, b) => a - b);
  return { size: examples.length, get: (i) => examples[i]!, categoryIds: cats };
}
