import * as path from "node:path";
import { Boxes } from "../structures/boxes.js";
import type { GroundTruth } from "../structures/ground-truth.js";
import { DealkitInputError } from "../util/errors.js";
import { selectAnnotationRows, type AnnotationColumns, type AnnotationRecord } from "./annotations.js";
import { checkDatasetParts } from "./check.js";
import type { CategoryInfo, DatasetParts, ImageInfo } from "./dataset-types.js";
import { CocoAccumulator, type CocoReadOptions } from "./formats/coco-records.js";
import { IssueCollector, type ValidationIssue } from "./issues.js";
import { cocoObjectOf, type CocoJson } from "./formats/coco-object.js";
import { groundTruthOfImage } from "./ground-truth.js";

/** An index of rows grouped by a key: rows of group g are `order[start[g] .. start[g + 1])`. */
interface Grouping {
  order: Int32Array;
  start: Int32Array;
  keyIndex: Map<number | string, number>;
}

function group(n: number, keyOf: (row: number) => number | undefined, groups: number): { order: Int32Array; start: Int32Array } {
  const count = new Int32Array(groups + 1);
  for (let i = 0; i < n; i++) {
    const g = keyOf(i);
    if (g !== undefined) count[g + 1]!++;
  }
  for (let g = 0; g < groups; g++) count[g + 1]! += count[g]!;
  const start = count.slice();
  const fill = count.slice();
  const order = new Int32Array(start[groups]!);
  for (let i = 0; i < n; i++) {
    const g = keyOf(i);
    if (g !== undefined) order[fill[g]!++] = i;
  }
  return { order, start };
}

const EMPTY = new Int32Array(0);

/**
 * A box data set: images, categories and columnar annotations (see {@link AnnotationColumns}), queryable
 * per image, per category and per domain through index arrays (views, no copies; the index is built on
 * first use). The constructor checks the parts (duplicate / unknown ids, boxes past the image: kept with
 * a warning) and throws {@link DealkitInputError} on errors; warnings end up in `warnings`.
 *
 * @example
 * const ds = Dataset.fromCoco(JSON.parse(text), { file: "train.json", root: "images/" });
 * for (const row of ds.annotationsOfImage(ds.images[0].id)) console.log(ds.annotation(row).bboxXywh);
 */
export class Dataset {
  readonly images: readonly ImageInfo[];
  readonly categories: readonly CategoryInfo[];
  readonly annotations: AnnotationColumns;
  readonly root?: string;
  readonly info?: unknown;
  readonly licenses?: unknown[];
  readonly extra?: Record<string, unknown>;
  /** Warnings found when the data set was read or built. */
  readonly warnings: readonly ValidationIssue[];
  private readonly imageIdx = new Map<number, number>();
  private readonly categoryIdx = new Map<number, number>();
  private byImage?: Grouping;
  private byCategory?: Grouping;
  private byDomain?: Grouping;
  private imagesByDomain?: Grouping;

  /** Builds a data set from parts; `checked: true` skips the checks (readers that already ran them). */
  constructor(parts: DatasetParts, options: { checked?: boolean; file?: string } = {}) {
    const p = options.checked ? parts : checkDatasetParts(parts, new IssueCollector("throw"), { file: options.file, boxPolicy: "keep" });
    this.images = p.images;
    this.categories = p.categories;
    this.annotations = p.annotations;
    this.root = p.root;
    this.info = p.info;
    this.licenses = p.licenses;
    this.extra = p.extra;
    this.warnings = p.warnings ?? [];
    this.images.forEach((img, i) => this.imageIdx.set(img.id, i));
    this.categories.forEach((c, i) => this.categoryIdx.set(c.id, i));
  }

  /**
   * A data set from a parsed COCO object (instances file). See src/data/formats/coco.ts for the
   * conventions (`domain`, `split`, `heldOut`, `ignore`). Options: `file` (for messages), `root`,
   * `boxPolicy` (default "keep"), `variant` (default "coco").
   */
  static fromCoco(obj: unknown, options: CocoReadOptions = {}): Dataset {
    if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
      throw new DealkitInputError(`a COCO instances file must hold an object with "images", "annotations" and "categories"`, { file: options.file });
    }
    const acc = new CocoAccumulator(options);
    const o = obj as Record<string, unknown>;
    for (const key of ["images", "categories", "annotations"] as const) {
      const arr = o[key];
      if (arr === undefined && key === "annotations") continue;
      if (!Array.isArray(arr)) {
        acc.issues.error(arr === undefined ? "missing-field" : "wrong-type", arr === undefined ? "missing required top-level array" : "must be an array", { file: options.file, field: key });
        continue;
      }
      const add = key === "images" ? acc.addImage : key === "categories" ? acc.addCategory : acc.addAnnotation;
      for (let i = 0; i < arr.length; i++) add.call(acc, arr[i], i);
    }
    for (const k of Object.keys(o)) if (k !== "images" && k !== "categories" && k !== "annotations") acc.setTop(k, o[k]);
    return new Dataset(acc.finish(), { checked: true });
  }

  /** The data set as a COCO object (instances file, TinySet-style extensions included). */
  toCoco(): CocoJson {
    return cocoObjectOf(this);
  }

  /** The number of annotations. */
  get numAnnotations(): number {
    return this.annotations.ids.length;
  }

  /** The image with this id (undefined if none). */
  image(id: number): ImageInfo | undefined {
    const i = this.imageIdx.get(id);
    return i === undefined ? undefined : this.images[i];
  }

  /** The category with this id (undefined if none). */
  category(id: number): CategoryInfo | undefined {
    const i = this.categoryIdx.get(id);
    return i === undefined ? undefined : this.categories[i];
  }

  /** The absolute path of an image's file (needs `root`; otherwise `fileName` as is). */
  imagePath(id: number): string {
    const img = this.image(id);
    if (!img) throw new DealkitInputError(`no image with id ${id}`, { record: `image ${id}` });
    return this.root ? path.resolve(this.root, img.fileName) : img.fileName;
  }

  /** Annotation rows of an image (a view into a shared index; do not modify). */
  annotationsOfImage(imageId: number): Int32Array {
    this.byImage ??= this.groupAnnotations((row) => this.imageIdx.get(this.annotations.imageIds[row]!), this.images.length, this.imageIdx);
    return this.slice(this.byImage, imageId);
  }

  /** Annotation rows of a category (a view; do not modify). */
  annotationsOfCategory(categoryId: number): Int32Array {
    this.byCategory ??= this.groupAnnotations((row) => this.categoryIdx.get(this.annotations.categoryIds[row]!), this.categories.length, this.categoryIdx);
    return this.slice(this.byCategory, categoryId);
  }

  /** The domains present, sorted (images without a domain are not counted). */
  domains(): string[] {
    return [...this.domainGrouping().keyIndex.keys()] as string[];
  }

  /** Indices into `images` of the images of a domain (a view; do not modify). */
  imagesOfDomain(domain: string): Int32Array {
    this.domainGrouping();
    return this.slice(this.imagesByDomain!, domain);
  }

  /** Annotation rows of the images of a domain (a view; do not modify). */
  annotationsOfDomain(domain: string): Int32Array {
    const g = this.domainGrouping();
    this.byDomain ??= this.groupAnnotations((row) => {
      const ii = this.imageIdx.get(this.annotations.imageIds[row]!);
      const d = ii === undefined ? undefined : this.images[ii]!.domain;
      return d === undefined ? undefined : g.keyIndex.get(d);
    }, g.keyIndex.size, g.keyIndex);
    return this.slice(this.byDomain, domain);
  }

  /** Annotation row `row` as a plain object. */
  annotation(row: number): AnnotationRecord {
    const a = this.annotations;
    const b = a.bboxXywh;
    const rec: AnnotationRecord = {
      id: a.ids[row]!,
      imageId: a.imageIds[row]!,
      categoryId: a.categoryIds[row]!,
      bboxXywh: [b[row * 4]!, b[row * 4 + 1]!, b[row * 4 + 2]!, b[row * 4 + 3]!],
      area: a.area[row]!,
      iscrowd: a.iscrowd[row] === 1,
      ignore: a.ignore[row] === 1,
    };
    for (const [k, col] of Object.entries(a.attributes)) if (!Number.isNaN(col[row])) (rec.attributes ??= {})[k] = col[row]!;
    return rec;
  }

  /** The boxes of an image (xywh, px; a copy) in the order of {@link annotationsOfImage}. */
  boxesOfImage(imageId: number): Boxes {
    const rows = this.annotationsOfImage(imageId);
    const out = new Float64Array(rows.length * 4);
    rows.forEach((r, j) => out.set(this.annotations.bboxXywh.subarray(r * 4, r * 4 + 4), j * 4));
    return new Boxes(out, "xywh", "px");
  }

  /**
   * The ground truth of an image as one {@link GroundTruth} (boxes xyxy and xywh px, category ids, crowd or
   * ignore flags, ids, areas, domain, size): what training, prediction, analysis and viz read.
   *
   * @example
   * const gt = ds.groundTruth(ds.images[0].id);
   */
  groundTruth(imageId: number): GroundTruth {
    return groundTruthOfImage(this, imageId);
  }

  /**
   * A new data set with the images for which `keepImage` is true and their annotations (categories kept
   * whole). Use it for splits and domains: `ds.filterImages((im) => im.split === "train")`.
   */
  filterImages(keepImage: (image: ImageInfo) => boolean): Dataset {
    const images = this.images.filter(keepImage);
    const ids = new Set(images.map((im) => im.id));
    const rows: number[] = [];
    for (let i = 0; i < this.numAnnotations; i++) if (ids.has(this.annotations.imageIds[i]!)) rows.push(i);
    return new Dataset({ ...this.parts(), images, annotations: selectAnnotationRows(this.annotations, rows) }, { checked: true });
  }

  /** The parts of this data set (shared, not copied). */
  parts(): DatasetParts {
    return {
      images: this.images,
      categories: this.categories,
      annotations: this.annotations,
      root: this.root,
      info: this.info,
      licenses: this.licenses,
      extra: this.extra,
      warnings: this.warnings,
    };
  }

  private domainGrouping(): Grouping {
    if (!this.imagesByDomain) {
      const names = [...new Set(this.images.map((im) => im.domain).filter((d): d is string => d !== undefined))].sort();
      const keyIndex = new Map<number | string, number>(names.map((d, i) => [d, i]));
      const g = group(this.images.length, (i) => (this.images[i]!.domain === undefined ? undefined : keyIndex.get(this.images[i]!.domain!)), names.length);
      this.imagesByDomain = { ...g, keyIndex };
    }
    return this.imagesByDomain;
  }

  private groupAnnotations(keyOf: (row: number) => number | undefined, groups: number, keyIndex: Map<number | string, number>): Grouping {
    return { ...group(this.numAnnotations, keyOf, groups), keyIndex };
  }

  private slice(g: Grouping, key: number | string): Int32Array {
    const k = g.keyIndex.get(key);
    return k === undefined ? EMPTY : g.order.subarray(g.start[k]!, g.start[k + 1]!);
  }
}
