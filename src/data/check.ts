import { selectAnnotationRows } from "./annotations.js";
import type { DatasetParts } from "./dataset-types.js";
import type { BoxPolicy, IssueCollector } from "./issues.js";

/** Finds values that occur more than once in `ids` (sorting a copy: cheap at millions of rows). */
function duplicates(ids: Float64Array): Set<number> {
  let increasing = true;
  for (let i = 1; i < ids.length && increasing; i++) increasing = ids[i]! > ids[i - 1]!;
  if (increasing) return new Set(); // the common case (ids 1, 2, 3, ...) without sorting
  const sorted = ids.slice().sort();
  const dup = new Set<number>();
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) dup.add(sorted[i]!);
  return dup;
}

/** Image id -> index: a dense table when ids are small non-negative integers (the usual case), else the map. */
function imageLookup(index: Map<number, number>): (id: number) => number | undefined {
  let max = -1;
  for (const id of index.keys()) {
    if (!(Number.isInteger(id) && id >= 0)) return (id) => index.get(id);
    if (id > max) max = id;
  }
  if (max > 4 * index.size + 1024) return (id) => index.get(id);
  const table = new Int32Array(max + 1).fill(-1);
  for (const [id, i] of index) table[id] = i;
  return (id) => {
    const i = id >= 0 && id <= max && Number.isInteger(id) ? table[id]! : -1;
    return i < 0 ? undefined : i;
  };
}

/** Tolerance for "outside the image": float noise in converted files should not warn. */
const EPS = 1e-6;

/**
 * The cross-record checks of a data set: duplicate ids, unknown image and category ids, boxes past the
 * image border (handled by `boxPolicy`). Returns the parts with clipped or rejected boxes applied and the
 * collector's issues as `warnings`.
 */
export function checkDatasetParts(parts: DatasetParts, issues: IssueCollector, opts: { file?: string; boxPolicy: BoxPolicy; recordOf?: (row: number) => { file?: string; record: string } }): DatasetParts {
  const file = opts.file;
  const { images, categories, annotations: a } = parts;
  const imageIndex = new Map<number, number>();
  images.forEach((img, i) => {
    if (imageIndex.has(img.id)) issues.error("duplicate-id", `duplicate image id ${img.id} (also images[${imageIndex.get(img.id)}])`, { file, record: `image ${img.id}`, field: "id" });
    else imageIndex.set(img.id, i);
  });
  const catIds = new Set<number>();
  for (const c of categories) {
    if (catIds.has(c.id)) issues.error("duplicate-id", `duplicate category id ${c.id}`, { file, record: `category ${c.id}`, field: "id" });
    catIds.add(c.id);
  }
  const n = a.ids.length;
  const lookupImage = imageLookup(imageIndex);
  const dup = duplicates(a.ids);
  if (dup.size) {
    const seen = new Set<number>();
    for (let i = 0; i < n; i++) {
      const id = a.ids[i]!;
      if (!dup.has(id)) continue;
      if (seen.has(id)) issues.error("duplicate-id", `duplicate annotation id ${id} (row ${i})`, { file, record: `annotation ${id}`, field: "id" });
      seen.add(id);
    }
  }
  let bbox = a.bboxXywh;
  let keep: number[] | undefined;
  let area = a.area;
  const policy = opts.boxPolicy;
  for (let i = 0; i < n; i++) {
    const where = opts.recordOf?.(i);
    const record = where?.record ?? `annotation ${a.ids[i]}`;
    const file = where?.file ?? opts.file;
    const ii = lookupImage(a.imageIds[i]!);
    if (!catIds.has(a.categoryIds[i]!)) issues.error("unknown-id", `unknown category id ${a.categoryIds[i]}`, { file, record, field: "category_id" });
    if (ii === undefined) {
      issues.error("unknown-id", `unknown image id ${a.imageIds[i]}`, { file, record, field: "image_id" });
      keep?.push(i);
      continue;
    }
    const img = images[ii]!;
    const x = bbox[i * 4]!, y = bbox[i * 4 + 1]!, w = bbox[i * 4 + 2]!, h = bbox[i * 4 + 3]!;
    const outside = x < -EPS || y < -EPS || x + w > img.width + EPS || y + h > img.height + EPS;
    if (!outside) {
      keep?.push(i);
      continue;
    }
    const box = `[${x}, ${y}, ${w}, ${h}] extends past the ${img.width}x${img.height} image ${img.id}`;
    if (policy === "keep") {
      issues.warn("box-outside-image", `${box}; kept as is`, { file, record, field: "bbox" });
      keep?.push(i);
      continue;
    }
    if (!keep) keep = Array.from({ length: i }, (_, k) => k);
    if (policy === "reject") {
      issues.warn("box-outside-image", `${box}; dropped (box policy "reject")`, { file, record, field: "bbox" });
      continue;
    }
    const x1 = Math.min(Math.max(x, 0), img.width), y1 = Math.min(Math.max(y, 0), img.height);
    const x2 = Math.min(Math.max(x + w, 0), img.width), y2 = Math.min(Math.max(y + h, 0), img.height);
    if (x2 <= x1 || y2 <= y1) {
      issues.warn("box-outside-image", `${box}; dropped: nothing left after clipping`, { file, record, field: "bbox" });
      continue;
    }
    if (bbox === a.bboxXywh) {
      bbox = a.bboxXywh.slice();
      area = a.area.slice();
    }
    const wasBoxArea = Math.abs(area[i]! - w * h) <= 1e-9 * Math.max(1, w * h);
    bbox[i * 4] = x1; bbox[i * 4 + 1] = y1; bbox[i * 4 + 2] = x2 - x1; bbox[i * 4 + 3] = y2 - y1;
    if (wasBoxArea) area[i] = (x2 - x1) * (y2 - y1);
    issues.warn("box-outside-image", `${box}; clipped (box policy "clip")`, { file, record, field: "bbox" });
    keep.push(i);
  }
  let annotations = bbox === a.bboxXywh ? a : { ...a, bboxXywh: bbox, area };
  if (keep && keep.length !== n) annotations = selectAnnotationRows(annotations, keep);
  return { ...parts, annotations, warnings: [...(parts.warnings ?? []), ...issues.finish(file)] };
}
