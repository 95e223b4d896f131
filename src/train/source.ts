import type { BboxXywh } from "../prompts/samplers.js";
import type { RgbImage } from "../structures/image.js";
import { DealkitInputError } from "../util/errors.js";

/** One training image with its boxes (COCO xywh, pixels) and their category ids. */
export interface TrainExample {
  image: RgbImage;
  bboxesXywh: readonly BboxXywh[];
  categoryIds: readonly number[];
}

/** Random access to training images (decoded once; the trainer reads them many times). */
export interface TrainSource {
  readonly size: number;
  get(index: number): TrainExample;
  /** Every category id that occurs, ascending (the baseline's classes). */
  readonly categoryIds: readonly number[];
}

/**
 * A {@link TrainSource} over examples in memory (validated: one category per box).
 *
 * @example
 * const src = arraySource([{ image, bboxesXywh: [[10, 10, 6, 6]], categoryIds: [1] }]);
 */
export function arraySource(examples: readonly TrainExample[]): TrainSource {
  examples.forEach((e, i) => {
    if (e.bboxesXywh.length !== e.categoryIds.length) {
      throw new DealkitInputError(`${e.bboxesXywh.length} boxes but ${e.categoryIds.length} category ids`, { record: `example ${i}` });
    }
  });
  const cats = [...new Set(examples.flatMap((e) => [...e.categoryIds]))].sort((a, b) => a - b);
  return { size: examples.length, get: (i) => examples[i]!, categoryIds: cats };
}
