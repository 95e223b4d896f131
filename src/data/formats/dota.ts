/**
 * DOTA labels: one txt per image, optional header lines `imagesource:NAME` and `gsd:METRES_PER_PIXEL`, then
 * one object per line: `x1 y1 x2 y2 x3 y3 x4 y4 category difficult` (an oriented quadrilateral in pixels).
 * Each polygon becomes its horizontal bounding box (min/max of the corners); `difficult` is kept as an
 * attribute and, by default, also marks the box `ignore` (as the DOTA evaluation does). The header goes to
 * the image's `extra` (`imagesource`, `gsd`). Categories are numbered 1, 2, ... in the DOTA-v2.0 order when
 * all names belong to it, otherwise in sorted-name order (or give `classes`).
 */
import * as path from "node:path";
import { AnnotationBuilder } from "../annotations.js";
import { checkDatasetParts } from "../check.js";
import type { CategoryInfo, ImageInfo } from "../dataset-types.js";
import { Dataset } from "../dataset.js";
import { IssueCollector, type BoxPolicy } from "../issues.js";
import { listLabelStems, readLines, strictNumber, txtImageEntries, type TxtImageOptions } from "./txt-common.js";

/** The DOTA-v2.0 class list (v1.0 and v1.5 are prefixes of it, in this order). */
export const DOTA_CLASSES: readonly string[] = [
  "plane", "ship", "storage-tank", "baseball-diamond", "tennis-court", "basketball-court", "ground-track-field", "harbor", "bridge",
  "large-vehicle", "small-vehicle", "helicopter", "roundabout", "soccer-ball-field", "swimming-pool", "container-crane", "airport", "helipad",
];

/** Options of {@link readDota}. */
export interface DotaReadOptions extends TxtImageOptions {
  /** Category names in id order (ids 1, 2, ...). Default: see the module notes. */
  classes?: readonly string[];
  /** Mark difficult objects as ignore. Default true. */
  difficultAsIgnore?: boolean;
  /** Default "keep". */
  boxPolicy?: BoxPolicy;
  /** Default "throw". */
  errors?: "throw" | "collect";
}

/**
 * Reads a DOTA labelTxt folder.
 *
 * @example
 * const ds = await readDota("DOTA/val/labelTxt", { imagesDir: "DOTA/val/images" });
 */
export async function readDota(labelsDir: string, options: DotaReadOptions = {}): Promise<Dataset> {
  const issues = new IssueCollector(options.errors ?? "throw");
  const entries = await txtImageEntries(options, labelsDir);
  const byStem = new Map(entries.map((e, i) => [e.stem, i]));
  const images: ImageInfo[] = entries.map((e, i) => ({ id: i + 1, width: e.width, height: e.height, fileName: e.fileName }));
  const rows: { imageId: number; name: string; box: number[]; difficult: number; where: { file: string; record: string } }[] = [];
  for (const stem of listLabelStems(labelsDir)) {
    const file = path.join(labelsDir, stem + ".txt");
    const ii = byStem.get(stem);
    if (ii === undefined) {
      issues.warn("no-image", "no image with this name; file skipped", { file });
      continue;
    }
    readLines(file).forEach((line, k) => {
      const t = line.trim();
      if (!t) return;
      const record = `line ${k + 1}`;
      const header = /^(imagesource|gsd)\s*:\s*(.*)$/i.exec(t);
      if (header) {
        const key = header[1]!.toLowerCase();
        const value = key === "gsd" ? Number(header[2]) : header[2]!;
        const img = images[ii]!;
        img.extra = { ...(img.extra ?? {}), [key]: key === "gsd" && !Number.isFinite(value) ? header[2] : value };
        return;
      }
      const f = t.split(/\s+/);
      if (f.length < 9) return issues.error("missing-field", `expected "x1 y1 x2 y2 x3 y3 x4 y4 category difficult", got ${f.length} fields`, { file, record });
      const xy = f.slice(0, 8).map(strictNumber);
      const bad = xy.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) return issues.error("wrong-type", `not a number: "${f[bad]}"`, { file, record, field: `${bad % 2 ? "y" : "x"}${(bad >> 1) + 1}` });
      const difficult = f.length > 9 ? Number(f[9]) : 0;
      if (difficult !== 0 && difficult !== 1) return issues.error("wrong-type", `difficult must be 0 or 1, got "${f[9]}"`, { file, record, field: "difficult" });
      const xs = [xy[0]!, xy[2]!, xy[4]!, xy[6]!], ys = [xy[1]!, xy[3]!, xy[5]!, xy[7]!];
      const x1 = Math.min(...xs), y1 = Math.min(...ys);
      rows.push({ imageId: ii + 1, name: f[8]!, box: [x1, y1, Math.max(...xs) - x1, Math.max(...ys) - y1], difficult, where: { file, record } });
    });
  }
  const names = [...new Set(rows.map((r) => r.name))];
  const order = options.classes ? [...options.classes] : names.every((n) => DOTA_CLASSES.includes(n)) ? DOTA_CLASSES.filter((n) => names.includes(n)) : names.sort();
  const categories: CategoryInfo[] = order.map((name, i) => ({ id: i + 1, name }));
  const idOf = new Map(order.map((n, i) => [n, i + 1]));
  const ann = new AnnotationBuilder();
  const where: { file: string; record: string }[] = [];
  const asIgnore = options.difficultAsIgnore ?? true;
  for (const r of rows) {
    const cat = idOf.get(r.name);
    if (cat === undefined) {
      issues.error("unknown-id", `category "${r.name}" is not in the class list`, { ...r.where, field: "category" });
      continue;
    }
    const [x, y, w, h] = r.box as [number, number, number, number];
    const row = ann.push(ann.length + 1, r.imageId, cat, x, y, w, h, w * h, 0, asIgnore && r.difficult ? 1 : 0);
    ann.setAttribute(row, "difficult", r.difficult);
    where.push(r.where);
  }
  const parts = checkDatasetParts({ images, categories, annotations: ann.build(), root: options.imagesDir }, issues, {
    file: labelsDir,
    boxPolicy: options.boxPolicy ?? "keep",
    recordOf: (row) => where[row]!,
  });
  return new Dataset(parts, { checked: true });
}
