import { DealkitInputError } from "../util/errors.js";
import type { BboxXywh } from "./bbox.js";

/**
 * The ground truth of one image, columnar: what training, prediction (click sampling), analysis, viz and the
 * notebooks read. `Dataset.groundTruth(imageId)` builds it from a data set with every field filled; tests and
 * notebooks can build one with {@link makeGroundTruth}. Row g of every `gt*` array describes object g.
 *
 * - `gtBoxesXyxy`: x1, y1, x2, y2 in pixels, 4 numbers per object (x2 = x + w, y2 = y + h of the COCO box).
 * - `gtBoxesXywh`: the annotation's own COCO numbers, when known. Click samplers and training read these, so
 *   that a box is never rebuilt from its corners (x2 - x1 can differ from w in the last bit).
 * - `gtIgnore`: 1 for a crowd or ignore region: never a target, never clicked; evaluation neither rewards nor
 *   penalises detections on it. Default: none.
 * - `gtIds`: annotation ids (makeGroundTruth numbers them 1, 2, ... unless given). `gtAreaPx2`: the annotation's `area` field, which size
 *   ranges use as pycocotools does (default: box width x height).
 *
 * @example
 * const gt = ds.groundTruth(ds.images[0].id);
 * gt.gtBoxesXyxy.length / 4; // objects in the image
 */
export interface GroundTruth {
  imageId: number;
  /** The image's domain (TinySet-mini's six domains), when the data set has one. */
  domain?: string;
  /** The image size in pixels, when known. */
  width?: number;
  height?: number;
  gtBoxesXyxy: Float64Array | Float32Array;
  gtBoxesXywh?: Float64Array;
  gtCategoryIds: Int32Array;
  gtIgnore?: Uint8Array;
  gtIds?: Float64Array | Int32Array;
  gtAreaPx2?: Float64Array | Float32Array;
}

/** One object given to {@link makeGroundTruth}: a COCO box and its category; `ignore` marks a crowd/ignore region. */
export interface GroundTruthObject {
  bboxXywh: BboxXywh;
  categoryId: number;
  ignore?: boolean;
  id?: number;
  /** Default: width * height. */
  area?: number;
}

/**
 * Ground truth from a list of objects (COCO xywh boxes), with every column filled.
 *
 * @example
 * const gt = makeGroundTruth(1, scene.annotations, { domain: scene.domain, width: 512, height: 512 });
 */
export function makeGroundTruth(
  imageId: number,
  objects: readonly GroundTruthObject[],
  info: { domain?: string; width?: number; height?: number } = {},
): GroundTruth {
  const n = objects.length;
  const xywh = new Float64Array(4 * n);
  const xyxy = new Float64Array(4 * n);
  objects.forEach((o, g) => {
    const [x, y, w, h] = o.bboxXywh;
    xywh.set([x, y, w, h], 4 * g);
    xyxy.set([x, y, x + w, y + h], 4 * g);
  });
  return {
    imageId,
    ...info,
    gtBoxesXyxy: xyxy,
    gtBoxesXywh: xywh,
    gtCategoryIds: Int32Array.from(objects, (o) => o.categoryId),
    gtIgnore: Uint8Array.from(objects, (o) => (o.ignore ? 1 : 0)),
    gtIds: Float64Array.from(objects, (o, g) => o.id ?? g + 1),
    gtAreaPx2: Float64Array.from(objects, (o) => o.area ?? o.bboxXywh[2] * o.bboxXywh[3]),
  };
}

/**
 * Checks that the columns of a ground truth agree in length (4 box numbers per category id, one flag, id and
 * area per object); throws a DealkitInputError naming the image and the field otherwise. Returns `gt`.
 *
 * @example
 * checkGroundTruth(gt);
 */
export function checkGroundTruth(gt: GroundTruth): GroundTruth {
  const n = gt.gtCategoryIds.length;
  const record = `image ${gt.imageId}`;
  const cols: [string, { length: number } | undefined, number][] = [
    ["gtBoxesXyxy", gt.gtBoxesXyxy, 4 * n],
    ["gtBoxesXywh", gt.gtBoxesXywh, 4 * n],
    ["gtIgnore", gt.gtIgnore, n],
    ["gtIds", gt.gtIds, n],
    ["gtAreaPx2", gt.gtAreaPx2, n],
  ];
  for (const [field, col, want] of cols) {
    if (col && col.length !== want) throw new DealkitInputError(`has ${col.length} entries for ${n} objects (expected ${want})`, { record, field });
  }
  return gt;
}

/**
 * The objects at `indices` (new arrays; absent optional columns stay absent): a category subset, the
 * objects a training sample is supervised with, ...
 *
 * @example
 * const seen = selectGroundTruth(gt, [...gt.gtCategoryIds.keys()].filter((g) => seenIds.has(gt.gtCategoryIds[g])));
 */
export function selectGroundTruth(gt: GroundTruth, indices: readonly number[]): GroundTruth {
  const pick = <T extends Float64Array | Float32Array | Int32Array | Uint8Array>(a: T | undefined, per: number): T | undefined => {
    if (!a) return undefined;
    const b = new (a.constructor as new (n: number) => T)(indices.length * per);
    indices.forEach((g, j) => {
      for (let k = 0; k < per; k++) b[j * per + k] = a[g * per + k]!;
    });
    return b;
  };
  const out: GroundTruth = { ...gt, gtBoxesXyxy: pick(gt.gtBoxesXyxy, 4)!, gtCategoryIds: pick(gt.gtCategoryIds, 1)! };
  for (const [k, per] of [["gtBoxesXywh", 4], ["gtIgnore", 1], ["gtIds", 1], ["gtAreaPx2", 1]] as const) {
    if (gt[k]) (out as unknown as Record<string, unknown>)[k] = pick(gt[k], per);
    else delete out[k];
  }
  return out;
}

/**
 * Object g's box as COCO xywh: the annotation's own numbers when the ground truth has them, else from the
 * corners.
 *
 * @example
 * gtBoxXywh(gt, 0); // [x, y, w, h]
 */
export function gtBoxXywh(gt: GroundTruth, g: number): [number, number, number, number] {
  const a = gt.gtBoxesXywh;
  if (a) return [a[4 * g]!, a[4 * g + 1]!, a[4 * g + 2]!, a[4 * g + 3]!];
  const b = gt.gtBoxesXyxy;
  return [b[4 * g]!, b[4 * g + 1]!, b[4 * g + 2]! - b[4 * g]!, b[4 * g + 3]! - b[4 * g + 1]!];
}

/**
 * The indices of the objects to detect: everything but crowd and ignore regions, in row order.
 *
 * @example
 * for (const g of gtTargets(gt)) console.log(gt.gtCategoryIds[g]);
 */
export function gtTargets(gt: GroundTruth): number[] {
  const out: number[] = [];
  for (let g = 0; g < gt.gtCategoryIds.length; g++) if (!gt.gtIgnore?.[g]) out.push(g);
  return out;
}
