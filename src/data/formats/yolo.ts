/**
 * YOLO txt labels: one txt per image (same relative path and stem), one object per line:
 * `class cx cy w h`, all normalized to the image size, plus a class list file (one name per line, line i =
 * class i). Image sizes come from the image files or an option. YOLO cannot hold ids, crowd/ignore flags,
 * areas or attributes: the reader numbers categories `firstCategoryId + class` (default 1) and images
 * 1, 2, ... in file-name order; the writer leaves out crowd and ignore boxes (with a warning).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DealkitInputError } from "../../util/errors.js";
import { AnnotationBuilder } from "../annotations.js";
import { checkDatasetParts } from "../check.js";
import type { CategoryInfo, ImageInfo } from "../dataset-types.js";
import { Dataset } from "../dataset.js";
import { IssueCollector, type BoxPolicy, type ValidationIssue } from "../issues.js";
import { listLabelStems, readLines, stemOf, strictNumber, txtImageEntries, type TxtImageOptions } from "./txt-common.js";
import { AtomicTextWriter } from "./text-writer.js";
import { writeDirAtomicSync } from "../../util/dir-atomic.js";

/** Options of {@link readYolo}. */
export interface YoloReadOptions extends TxtImageOptions {
  /** The class list file. Default: `classes.txt` in the labels folder (or its parent). */
  classesFile?: string;
  /** Class names, instead of a file. */
  classNames?: readonly string[];
  /** Category id of class 0. Default 1. */
  firstCategoryId?: number;
  /** Default "keep". */
  boxPolicy?: BoxPolicy;
  /** Default "throw". */
  errors?: "throw" | "collect";
}

function classNamesOf(labelsDir: string, options: YoloReadOptions): string[] {
  if (options.classNames) return [...options.classNames];
  const candidates = options.classesFile ? [options.classesFile] : [path.join(labelsDir, "classes.txt"), path.join(path.dirname(labelsDir), "classes.txt")];
  const file = candidates.find((f) => fs.existsSync(f));
  if (!file) throw new DealkitInputError("class list not found (give classesFile / --classes, or classNames)", { file: candidates[0] });
  const names = readLines(file).map((s) => s.trim());
  while (names.length && !names[names.length - 1]) names.pop();
  names.forEach((n, i) => {
    if (!n) throw new DealkitInputError("empty class name", { file, record: `line ${i + 1}` });
  });
  return names;
}

/**
 * Reads a YOLO labels folder.
 *
 * @example
 * const ds = await readYolo("data/labels", { imagesDir: "data/images", classesFile: "data/classes.txt" });
 */
export async function readYolo(labelsDir: string, options: YoloReadOptions = {}): Promise<Dataset> {
  const issues = new IssueCollector(options.errors ?? "throw");
  const names = classNamesOf(labelsDir, options);
  const first = options.firstCategoryId ?? 1;
  const categories: CategoryInfo[] = names.map((name, i) => ({ id: first + i, name }));
  const entries = await txtImageEntries(options, labelsDir);
  const byStem = new Map(entries.map((e, i) => [e.stem, i]));
  const images: ImageInfo[] = entries.map((e, i) => ({ id: i + 1, width: e.width, height: e.height, fileName: e.fileName }));
  const ann = new AnnotationBuilder();
  const lineOf: { file: string; record: string }[] = [];
  for (const stem of listLabelStems(labelsDir, ["classes.txt"])) {
    const file = path.join(labelsDir, stem + ".txt");
    const ii = byStem.get(stem);
    if (ii === undefined) {
      issues.warn("no-image", "no image with this name; file skipped", { file });
      continue;
    }
    const img = images[ii]!;
    readLines(file).forEach((line, k) => {
      if (!line.trim()) return;
      const record = `line ${k + 1}`;
      const f = line.trim().split(/\s+/);
      if (f.length !== 5) return issues.error(f.length < 5 ? "missing-field" : "wrong-type", `expected 5 numbers "class cx cy w h", got ${f.length} (polygon and score columns are not supported)`, { file, record });
      const v = f.map(strictNumber);
      const fields = ["class", "cx", "cy", "w", "h"];
      for (let j = 0; j < 5; j++) if (!Number.isFinite(v[j]!)) return issues.error("wrong-type", `not a number: "${f[j]!.slice(0, 40)}"`, { file, record, field: fields[j] });
      const [cls, cx, cy, w, h] = v as [number, number, number, number, number];
      if (!Number.isInteger(cls) || cls < 0 || cls >= names.length) return issues.error("unknown-id", `class must be an integer 0-${names.length - 1}, got ${f[0]!.slice(0, 40)}`, { file, record, field: "class" });
      if (w < 0 || h < 0) return issues.error("bad-size", `width and height must be >= 0, got ${w} ${h}`, { file, record, field: "w" });
      const bw = w * img.width, bh = h * img.height;
      ann.push(ann.length + 1, img.id, first + cls, cx * img.width - bw / 2, cy * img.height - bh / 2, bw, bh, bw * bh, 0, 0);
      lineOf.push({ file, record });
    });
  }
  const parts = checkDatasetParts({ images, categories, annotations: ann.build(), root: options.imagesDir }, issues, {
    file: labelsDir,
    boxPolicy: options.boxPolicy ?? "keep",
    recordOf: (row) => lineOf[row]!,
  });
  return new Dataset(parts, { checked: true });
}

/** Options of {@link writeYolo}. */
export interface YoloWriteOptions {
  /** Significant digits of the normalized numbers. Default 10 (sub-micropixel round trips). */
  digits?: number;
}

/**
 * Writes a data set as YOLO labels: `<outDir>/labels/<file stem>.txt` for every image (empty when it has no
 * boxes) and `<outDir>/classes.txt` (categories in id order). Images are not copied. Crowd and ignore boxes
 * are left out; the returned warnings say how many. The folder is written to a temporary sibling and renamed into
 * place whole (an images/ folder in it is kept); an existing `outDir` must be empty or hold only labels/,
 * classes.txt and images/. A category name with a
 * line break, an empty one, or two images sharing a label file are refused (they would not read back).
 *
 * @example
 * const warnings = writeYolo(ds, ".cache/out/yolo");
 */
export function writeYolo(ds: Dataset, outDir: string, options: YoloWriteOptions = {}): ValidationIssue[] {
  const digits = options.digits ?? 10;
  const issues = new IssueCollector("collect");
  const cats = [...ds.categories].sort((a, b) => a.id - b.id);
  const classOf = new Map(cats.map((c, i) => [c.id, i]));
  const num = (x: number): string => String(Number(x.toPrecision(digits)));
  checkYoloNames(cats, outDir, issues);
  const labelOf = new Map<string, string>();
  for (const img of ds.images) {
    const label = stemOf(img.fileName.replace(/\\/g, "/")) + ".txt";
    const other = labelOf.get(label);
    if (other !== undefined) throw new DealkitInputError(`images ${JSON.stringify(other)} and ${JSON.stringify(img.fileName)} would share the label file labels/${label}; rename one`, { file: outDir });
    labelOf.set(label, img.fileName);
  }
  return writeDirAtomicSync(outDir, (tmp) => writeYoloInto(ds, tmp, outDir, cats, classOf, num, issues), { what: "YOLO folder (labels/ and classes.txt)", isPrevious: isYoloFolder, keep: ["images"] });
}

/** Class names must survive the round trip through classes.txt (one name per line, trimmed on reading). */
function checkYoloNames(cats: readonly { id: number; name: string }[], outDir: string, issues: IssueCollector): void {
  for (const c of cats) {
    const record = `category ${c.id}`;
    if (/[\r\n]/.test(c.name)) throw new DealkitInputError(`${JSON.stringify(c.name.slice(0, 40))} holds a line break, which classes.txt (one name per line) cannot hold; rename it`, { file: outDir, record, field: "name" });
    if (c.name.trim() === "") throw new DealkitInputError("is empty; classes.txt needs a name per class", { file: outDir, record, field: "name" });
    if (c.name.trim() !== c.name) issues.warn("name-whitespace", `${JSON.stringify(c.name.slice(0, 40))} has leading or trailing blanks, which readers of classes.txt drop`, { file: outDir, record, field: "name" });
  }
}

/** An existing YOLO output folder: only labels/, classes.txt and images/ (kept) in it. */
function isYoloFolder(dir: string): boolean {
  return fs.readdirSync(dir).every((f) => f === "labels" || f === "classes.txt" || f === "images");
}

function writeYoloInto(
  ds: Dataset, outDir: string, shownAs: string, cats: readonly { id: number; name: string }[], classOf: Map<number, number>,
  num: (x: number) => string, issues: IssueCollector,
): ValidationIssue[] {
  let dropped = 0;
  for (const img of ds.images) {
    const lines: string[] = [];
    for (const r of ds.annotationsOfImage(img.id)) {
      if (ds.annotations.iscrowd[r] || ds.annotations.ignore[r]) {
        dropped++;
        continue;
      }
      const b = ds.annotations.bboxXywh;
      const [x, y, w, h] = [b[r * 4]!, b[r * 4 + 1]!, b[r * 4 + 2]!, b[r * 4 + 3]!];
      lines.push(`${classOf.get(ds.annotations.categoryIds[r]!)} ${num((x + w / 2) / img.width)} ${num((y + h / 2) / img.height)} ${num(w / img.width)} ${num(h / img.height)}`);
    }
    const w = new AtomicTextWriter(path.join(outDir, "labels", stemOf(img.fileName.replace(/\\/g, "/")) + ".txt"));
    w.write(lines.length ? lines.join("\n") + "\n" : "");
    w.commit();
  }
  const w = new AtomicTextWriter(path.join(outDir, "classes.txt"));
  w.write(cats.map((c) => c.name).join("\n") + "\n");
  w.commit();
  if (dropped) issues.warn("dropped-annotation", `${dropped} crowd/ignore boxes left out: YOLO labels cannot mark them`, { file: shownAs });
  return issues.finish(shownAs);
}
