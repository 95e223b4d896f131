/**
 * VisDrone-DET annotations: one txt file per image (same stem), one object per line:
 * `x,y,w,h,score,category,truncation,occlusion` (pixels). Category 0 is "ignored regions" and 11 "others";
 * in ground truth, score 0 also marks a box to ignore. Image sizes come from the image files or an option.
 *
 * Mapping to a {@link Dataset}: categories keep VisDrone's ids (1 pedestrian ... 10 motor, 11 others);
 * ignored regions become annotations of category 0 "ignored-regions" with `ignore` and `iscrowd` set;
 * truncation and occlusion are kept as attributes. Image ids are 1, 2, ... in file-name order.
 */
import * as path from "node:path";
import { AnnotationBuilder } from "../annotations.js";
import { checkDatasetParts } from "../check.js";
import type { CategoryInfo, ImageInfo } from "../dataset-types.js";
import { Dataset } from "../dataset.js";
import { IssueCollector, type BoxPolicy } from "../issues.js";
import { listLabelStems, readLines, strictNumber, txtImageEntries, type TxtImageOptions } from "./txt-common.js";

/** VisDrone-DET category names by id (0-11). */
export const VISDRONE_CATEGORIES: readonly string[] = [
  "ignored-regions", "pedestrian", "people", "bicycle", "car", "van", "truck", "tricycle", "awning-tricycle", "bus", "motor", "others",
];

/** Options of {@link readVisDrone}. */
export interface VisDroneReadOptions extends TxtImageOptions {
  /** "others" (category 11): kept as a category (default), marked ignore, or dropped. */
  others?: "keep" | "ignore" | "drop";
  /** Ignored regions (category 0): kept as ignore annotations (default) or dropped. */
  ignoredRegions?: "keep" | "drop";
  /** Default "keep". */
  boxPolicy?: BoxPolicy;
  /** Default "throw". */
  errors?: "throw" | "collect";
}

/**
 * Reads a VisDrone-DET annotations folder.
 *
 * @example
 * const ds = await readVisDrone("VisDrone2019-DET-val/annotations", { imagesDir: "VisDrone2019-DET-val/images" });
 */
export async function readVisDrone(annotationsDir: string, options: VisDroneReadOptions = {}): Promise<Dataset> {
  const issues = new IssueCollector(options.errors ?? "throw");
  const entries = await txtImageEntries(options, annotationsDir);
  const byStem = new Map(entries.map((e, i) => [e.stem, i]));
  const images: ImageInfo[] = entries.map((e, i) => ({ id: i + 1, width: e.width, height: e.height, fileName: e.fileName }));
  const ann = new AnnotationBuilder();
  let sawRegions = false;
  const lineOf: { file: string; record: string }[] = [];
  for (const stem of listLabelStems(annotationsDir)) {
    const file = path.join(annotationsDir, stem + ".txt");
    const ii = byStem.get(stem);
    if (ii === undefined) {
      issues.warn("no-image", "no image with this name; file skipped", { file });
      continue;
    }
    readLines(file).forEach((line, k) => {
      if (!line.trim()) return;
      const record = `line ${k + 1}`;
      const f = line.split(",").map((s) => s.trim());
      if (f[f.length - 1] === "") f.pop();
      if (f.length !== 8 && f.length !== 6) return issues.error(f.length < 6 ? "missing-field" : "wrong-type", `expected 8 comma-separated numbers (x,y,w,h,score,category,truncation,occlusion) or the first 6, got ${f.length}`, { file, record });
      const v = f.map(strictNumber);
      const names = ["x", "y", "w", "h", "score", "category", "truncation", "occlusion"];
      for (let j = 0; j < Math.min(v.length, 8); j++) {
        if (!Number.isFinite(v[j]!)) return issues.error("wrong-type", `not a number: "${f[j]!.slice(0, 40)}"`, { file, record, field: names[j] });
      }
      const [x, y, w, h, score, cat] = v as [number, number, number, number, number, number];
      if (w < 0 || h < 0) return issues.error("bad-size", `width and height must be >= 0, got ${w}x${h}`, { file, record, field: "w" });
      if (!Number.isInteger(cat) || cat < 0 || cat > 11) return issues.error("unknown-id", `category must be an integer 0-11, got ${f[5]!.slice(0, 40)}`, { file, record, field: "category" });
      if (cat === 0 && options.ignoredRegions === "drop") return;
      if (cat === 11 && options.others === "drop") return;
      const ignore = cat === 0 || score === 0 || (cat === 11 && options.others === "ignore");
      if (cat === 0) sawRegions = true;
      lineOf.push({ file, record });
      const row = ann.push(ann.length + 1, ii + 1, cat, x, y, w, h, w * h, cat === 0 ? 1 : 0, ignore ? 1 : 0);
      if (v.length > 6) ann.setAttribute(row, "truncation", v[6]!);
      if (v.length > 7) ann.setAttribute(row, "occlusion", v[7]!);
    });
  }
  const categories: CategoryInfo[] = VISDRONE_CATEGORIES.map((name, id) => ({ id, name }))
    .filter((c) => (c.id === 0 ? sawRegions : c.id !== 11 || options.others !== "drop"));
  const parts = checkDatasetParts(
    { images, categories, annotations: ann.build(), root: options.imagesDir },
    issues,
    { file: annotationsDir, boxPolicy: options.boxPolicy ?? "keep", recordOf: (row) => lineOf[row]! },
  );
  return new Dataset(parts, { checked: true });
}
