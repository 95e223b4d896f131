import type { GroundTruth } from "../structures/ground-truth.js";
import { DealkitInputError } from "../util/errors.js";
import type { Dataset } from "./dataset.js";

/**
 * The {@link GroundTruth} of one image of a data set, every column filled from the annotation rows in
 * `annotationsOfImage` order: xyxy and the original xywh boxes, category ids, crowd-or-ignore flags,
 * annotation ids and `area` fields, plus the image's domain and size. What `Dataset.groundTruth` returns.
 *
 * @example
 * const gt = groundTruthOfImage(ds, ds.images[0].id);
 */
export function groundTruthOfImage(ds: Dataset, imageId: number): GroundTruth {
  const img = ds.image(imageId);
  if (!img) throw new DealkitInputError(`no image with id ${imageId}`, { record: `image ${imageId}` });
  const a = ds.annotations;
  const rows = ds.annotationsOfImage(imageId);
  const xywh = new Float64Array(rows.length * 4);
  const xyxy = new Float64Array(rows.length * 4);
  rows.forEach((r, j) => {
    const x = a.bboxXywh[4 * r]!, y = a.bboxXywh[4 * r + 1]!, w = a.bboxXywh[4 * r + 2]!, h = a.bboxXywh[4 * r + 3]!;
    xywh.set([x, y, w, h], 4 * j);
    xyxy.set([x, y, x + w, y + h], 4 * j);
  });
  return {
    imageId,
    ...(img.domain !== undefined ? { domain: img.domain } : {}),
    width: img.width,
    height: img.height,
    gtBoxesXyxy: xyxy,
    gtBoxesXywh: xywh,
    gtCategoryIds: Int32Array.from(rows, (r) => a.categoryIds[r]!),
    gtIgnore: Uint8Array.from(rows, (r) => (a.iscrowd[r] || a.ignore[r] ? 1 : 0)),
    gtIds: Float64Array.from(rows, (r) => a.ids[r]!),
    gtAreaPx2: Float64Array.from(rows, (r) => a.area[r]!),
  };
}
