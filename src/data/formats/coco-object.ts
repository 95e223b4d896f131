import type { CategoryInfo, ImageInfo } from "../dataset-types.js";
import type { Dataset } from "../dataset.js";

/** A COCO image record with the TinySet-style `domain` and `split`. */
export interface CocoImage {
  id: number;
  width: number;
  height: number;
  file_name: string;
  domain?: string;
  split?: string;
  [extra: string]: unknown;
}

/** A COCO category with the TinySet-style `heldOut` flag. */
export interface CocoCategory {
  id: number;
  name: string;
  supercategory?: string;
  heldOut?: boolean;
}

/** A COCO annotation (box only) with the optional `ignore` flag and numeric attributes. */
export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  area: number;
  iscrowd: 0 | 1;
  ignore?: 0 | 1;
  [attribute: string]: unknown;
}

/** A COCO instances file. */
export interface CocoJson {
  info?: unknown;
  licenses?: unknown[];
  images: CocoImage[];
  annotations: CocoAnnotation[];
  categories: CocoCategory[];
  [extra: string]: unknown;
}

/** The COCO record of an image (extras first, so the standard fields win). */
export function cocoImageOf(img: ImageInfo): CocoImage {
  const out: CocoImage = { ...(img.extra ?? {}), id: img.id, width: img.width, height: img.height, file_name: img.fileName };
  if (img.domain !== undefined) out.domain = img.domain;
  if (img.split !== undefined) out.split = img.split;
  return out;
}

/** The COCO record of a category. */
export function cocoCategoryOf(c: CategoryInfo): CocoCategory {
  const out: CocoCategory = { id: c.id, name: c.name };
  if (c.supercategory !== undefined) out.supercategory = c.supercategory;
  if (c.heldOut) out.heldOut = true;
  return out;
}

/** The COCO record of annotation row `row`; `ignore` is written only when set. */
export function cocoAnnotationOf(ds: Dataset, row: number): CocoAnnotation {
  const a = ds.annotations;
  const b = a.bboxXywh;
  const out: CocoAnnotation = {
    id: a.ids[row]!,
    image_id: a.imageIds[row]!,
    category_id: a.categoryIds[row]!,
    bbox: [b[row * 4]!, b[row * 4 + 1]!, b[row * 4 + 2]!, b[row * 4 + 3]!],
    area: a.area[row]!,
    iscrowd: a.iscrowd[row] ? 1 : 0,
  };
  if (a.ignore[row]) out.ignore = 1;
  for (const k in a.attributes) {
    const v = a.attributes[k]![row]!;
    if (!Number.isNaN(v)) out[k] = v;
  }
  return out;
}

/** The whole data set as one COCO object (for small and medium sets; large ones use the streaming writer). */
export function cocoObjectOf(ds: Dataset): CocoJson {
  const out: CocoJson = { ...(ds.extra ?? {}), images: [], annotations: [], categories: [] };
  if (ds.info !== undefined) out.info = ds.info;
  if (ds.licenses !== undefined) out.licenses = ds.licenses;
  out.images = ds.images.map(cocoImageOf);
  out.categories = ds.categories.map(cocoCategoryOf);
  for (let i = 0; i < ds.numAnnotations; i++) out.annotations.push(cocoAnnotationOf(ds, i));
  return out;
}
