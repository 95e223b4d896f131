import * as path from "node:path";
import { AnnotationBuilder } from "../annotations.js";
import type { CategoryInfo, DatasetParts, ImageInfo } from "../dataset-types.js";
import { IssueCollector, type BoxPolicy } from "../issues.js";
import { checkDatasetParts } from "../check.js";

/** COCO flavours: plain COCO (also AI-TOD), and TinyPerson (an `ignore` category marks ignore regions). */
export type CocoVariant = "coco" | "aitod" | "tinyperson";
/** The valid {@link CocoVariant} values. */
export const COCO_VARIANTS: readonly CocoVariant[] = ["coco", "aitod", "tinyperson"];

/** Options shared by the COCO readers. */
export interface CocoReadOptions {
  /** The file name used in messages (and, unless `root` is given, to find the images: its folder). */
  file?: string;
  /** The folder that `file_name` paths are relative to. Default: none. */
  root?: string;
  /** Boxes past the image border: "clip", "keep" (default, with a warning) or "reject". */
  boxPolicy?: BoxPolicy;
  /** Default "coco". */
  variant?: CocoVariant;
  /** "throw" (default): the first error throws DealkitInputError; "collect": errors are returned too. */
  errors?: "throw" | "collect";
  /** At most this many issues of each kind are listed, the rest counted. Default 100. */
  maxIssuesPerKind?: number;
  /** A guess of the number of annotations, to size the columns once (the streaming reader sets it). */
  expectedAnnotations?: number;
}

const IMAGE_KNOWN = new Set(["id", "width", "height", "file_name", "domain", "split"]);
const ANN_KNOWN = new Set(["id", "image_id", "category_id", "bbox", "area", "iscrowd", "ignore", "segmentation"]);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Turns COCO records into {@link DatasetParts}, one element at a time, so the in-memory and the streaming
 * readers share the checks. Arrays may come in any order; cross-references are checked in {@link finish}.
 */
export class CocoAccumulator {
  readonly issues: IssueCollector;
  private readonly images: ImageInfo[] = [];
  private readonly categories: CategoryInfo[] = [];
  private readonly ann: AnnotationBuilder;
  private readonly top: Record<string, unknown> = {};
  private readonly dropped = new Map<string, number>();
  private readonly file?: string;

  constructor(private readonly opts: CocoReadOptions = {}) {
    this.issues = new IssueCollector(opts.errors ?? "throw", opts.maxIssuesPerKind ?? 100);
    this.ann = new AnnotationBuilder(opts.expectedAnnotations ?? 1 << 16);
    this.file = opts.file;
  }

  /** A top-level key other than images/annotations/categories (info, licenses, ...). */
  setTop(key: string, value: unknown): void {
    this.top[key] = value;
  }

  private where(record: string, field?: string) {
    return { file: this.file, record, field };
  }

  private int(o: Record<string, unknown>, key: string, record: string, required = true): number | undefined {
    const v = o[key];
    if (v === undefined) {
      if (required) this.issues.error("missing-field", "missing required field", this.where(record, key));
      return undefined;
    }
    if (typeof v !== "number" || !Number.isInteger(v)) {
      this.issues.error("wrong-type", `must be an integer, got ${JSON.stringify(v)}`, this.where(record, key));
      return undefined;
    }
    return v;
  }

  addImage(o: unknown, index: number): void {
    if (!isObj(o)) return this.issues.error("wrong-type", `must be an object, got ${JSON.stringify(o)}`, this.where(`images[${index}]`));
    const record = typeof o.id === "number" ? `image ${o.id}` : `images[${index}]`;
    const id = this.int(o, "id", record);
    const width = this.int(o, "width", record);
    const height = this.int(o, "height", record);
    if (width !== undefined && width <= 0) this.issues.error("bad-size", `must be > 0, got ${width}`, this.where(record, "width"));
    if (height !== undefined && height <= 0) this.issues.error("bad-size", `must be > 0, got ${height}`, this.where(record, "height"));
    const fileName = o.file_name;
    if (fileName === undefined) this.issues.error("missing-field", "missing required field", this.where(record, "file_name"));
    else if (typeof fileName !== "string") this.issues.error("wrong-type", `must be a string, got ${JSON.stringify(fileName)}`, this.where(record, "file_name"));
    else if (path.isAbsolute(fileName) || path.win32.isAbsolute(fileName) || path.posix.normalize(fileName.replace(/\\/g, "/")).startsWith("../")) {
      this.issues.error("path-escapes-root", `"${fileName}" points outside the data set's image folder`, this.where(record, "file_name"));
    }
    for (const k of ["domain", "split"] as const) {
      if (o[k] !== undefined && typeof o[k] !== "string") this.issues.error("wrong-type", `must be a string, got ${JSON.stringify(o[k])}`, this.where(record, k));
    }
    if (id === undefined || width === undefined || height === undefined || typeof fileName !== "string") return;
    const img: ImageInfo = { id, width, height, fileName };
    if (typeof o.domain === "string") img.domain = o.domain;
    if (typeof o.split === "string") img.split = o.split;
    let extra: Record<string, unknown> | undefined;
    for (const k of Object.keys(o)) if (!IMAGE_KNOWN.has(k)) (extra ??= {})[k] = o[k];
    if (extra) img.extra = extra;
    this.images.push(img);
  }

  addCategory(o: unknown, index: number): void {
    if (!isObj(o)) return this.issues.error("wrong-type", `must be an object, got ${JSON.stringify(o)}`, this.where(`categories[${index}]`));
    const record = typeof o.id === "number" ? `category ${o.id}` : `categories[${index}]`;
    const id = this.int(o, "id", record);
    if (id !== undefined && (id < -2147483648 || id > 2147483647)) this.issues.error("wrong-type", `must fit a 32-bit integer, got ${id}`, this.where(record, "id"));
    if (typeof o.name !== "string") {
      this.issues.error(o.name === undefined ? "missing-field" : "wrong-type", o.name === undefined ? "missing required field" : `must be a string, got ${JSON.stringify(o.name)}`, this.where(record, "name"));
      return;
    }
    if (id === undefined) return;
    const cat: CategoryInfo = { id, name: o.name };
    if (typeof o.supercategory === "string") cat.supercategory = o.supercategory;
    const held = o.heldOut ?? o.held_out;
    if (held !== undefined) {
      if (typeof held !== "boolean") this.issues.error("wrong-type", `must be true or false, got ${JSON.stringify(held)}`, this.where(record, "heldOut"));
      else if (held) cat.heldOut = true;
    }
    this.categories.push(cat);
  }

  addAnnotation(o: unknown, index: number): void {
    if (this.addAnnotationFast(o)) return;
    this.addAnnotationChecked(o, index);
  }

  /** The common case (all fields well-formed, no extra fields) without per-field bookkeeping. */
  private addAnnotationFast(o: unknown): boolean {
    if (typeof o !== "object" || o === null) return false;
    const r = o as Record<string, unknown>;
    const id = r.id, imageId = r.image_id, cat = r.category_id, b = r.bbox, area = r.area, crowd = r.iscrowd, ign = r.ignore;
    if (!Array.isArray(b) || b.length !== 4) return false;
    const x = b[0], y = b[1], w = b[2], h = b[3];
    if (typeof x !== "number" || typeof y !== "number" || typeof w !== "number" || typeof h !== "number") return false;
    if (area !== undefined && typeof area !== "number") return false;
    if (crowd !== undefined && crowd !== 0 && crowd !== 1) return false;
    if (ign !== undefined && ign !== 0 && ign !== 1) return false;
    let expected = 4 + (area !== undefined ? 1 : 0) + (crowd !== undefined ? 1 : 0) + (ign !== undefined ? 1 : 0);
    if (r.segmentation !== undefined) return false;
    for (const _ in r) if (--expected < 0) return false;
    return this.pushPlain(id as number, imageId as number, cat as number, x, y, w, h, area === undefined ? NaN : (area as number), crowd === 1 ? 1 : 0, ign === 1 ? 1 : 0);
  }

  /**
   * Appends an annotation whose fields are already numbers, when they pass the checks (area NaN = absent,
   * meaning w * h; JSON cannot hold NaN). Returns false, adding nothing, when the record needs the full checks and messages.
   */
  pushPlain(id: number, imageId: number, cat: number, x: number, y: number, w: number, h: number, area: number, crowd: number, ign: number): boolean {
    if (!Number.isInteger(id) || !Number.isInteger(imageId) || !Number.isInteger(cat)) return false;
    if (!Number.isFinite(x) || !Number.isFinite(y) || !(w > 0 && w < Infinity) || !(h > 0 && h < Infinity)) return false;
    const absent = Number.isNaN(area);
    if (!absent && !(area >= 0 && area < Infinity)) return false;
    this.ann.push(id, imageId, cat, x, y, w, h, absent ? w * h : area, crowd, ign);
    return true;
  }

  private addAnnotationChecked(o: unknown, index: number): void {
    if (!isObj(o)) return this.issues.error("wrong-type", `must be an object, got ${JSON.stringify(o)}`, this.where(`annotations[${index}]`));
    const record = typeof o.id === "number" ? `annotation ${o.id}` : `annotations[${index}]`;
    const id = this.int(o, "id", record);
    const imageId = this.int(o, "image_id", record);
    const categoryId = this.int(o, "category_id", record);
    const b = o.bbox;
    let ok = id !== undefined && imageId !== undefined && categoryId !== undefined;
    if (b === undefined) {
      this.issues.error("missing-field", "missing required field", this.where(record, "bbox"));
      ok = false;
    } else if (!Array.isArray(b) || b.length !== 4 || !b.every((v) => typeof v === "number" && Number.isFinite(v))) {
      this.issues.error("wrong-type", `must be 4 finite numbers [x, y, width, height], got ${JSON.stringify(b)}`, this.where(record, "bbox"));
      ok = false;
    } else if (b[2] < 0 || b[3] < 0) {
      this.issues.error("bad-size", `width and height must be >= 0, got [${b.join(", ")}]`, this.where(record, "bbox"));
      ok = false;
    }
    let area = o.area;
    if (area !== undefined && (typeof area !== "number" || !Number.isFinite(area) || area < 0)) {
      this.issues.error("wrong-type", `must be a finite number >= 0, got ${JSON.stringify(area)}`, this.where(record, "area"));
      ok = false;
    }
    const flag = (k: string): number => {
      const v = o[k];
      if (v === undefined || v === 0 || v === false) return 0;
      if (v === 1 || v === true) return 1;
      this.issues.error("wrong-type", `must be 0, 1, true or false, got ${JSON.stringify(v)}`, this.where(record, k));
      ok = false;
      return 0;
    };
    const iscrowd = flag("iscrowd");
    const ignore = flag("ignore");
    if (!ok) return;
    const bb = b as number[];
    if (bb[2] === 0 || bb[3] === 0) this.issues.warn("empty-box", `zero width or height: [${bb.join(", ")}]`, this.where(record, "bbox"));
    const row = this.ann.push(id!, imageId!, categoryId!, bb[0]!, bb[1]!, bb[2]!, bb[3]!, (area as number | undefined) ?? bb[2]! * bb[3]!, iscrowd, ignore);
    for (const k in o) {
      if (ANN_KNOWN.has(k)) {
        if (k === "segmentation") this.dropped.set(k, (this.dropped.get(k) ?? 0) + 1);
        continue;
      }
      const v = o[k];
      if (typeof v === "number") this.ann.setAttribute(row, k, v);
      else if (typeof v === "boolean") this.ann.setAttribute(row, k, v ? 1 : 0);
      else this.dropped.set(k, (this.dropped.get(k) ?? 0) + 1);
    }
  }

  /** Cross-checks everything and returns the parts, with the issues (warnings, and errors in collect mode). */
  finish(): DatasetParts {
    if (this.opts.variant === "tinyperson") this.markIgnoreCategory();
    for (const [k, n] of this.dropped) {
      this.issues.warn("dropped-field", `annotation field "${k}" is not kept (on ${n} annotations): dealkit keeps boxes and numeric fields only`, { file: this.file, field: k });
    }
    const { info, licenses, ...rest } = this.top;
    const parts: DatasetParts = {
      images: this.images,
      categories: this.categories,
      annotations: this.ann.build(),
      root: this.opts.root,
      info,
      licenses: Array.isArray(licenses) ? licenses : undefined,
    };
    if (Object.keys(rest).length) parts.extra = rest;
    return checkDatasetParts(parts, this.issues, { file: this.file, boxPolicy: this.opts.boxPolicy ?? "keep" });
  }

  /** TinyPerson: annotations of a category named "ignore" are ignore regions. */
  private markIgnoreCategory(): void {
    const ignoreIds = new Set(this.categories.filter((c) => /^ignored?( regions?)?$/i.test(c.name)).map((c) => c.id));
    if (!ignoreIds.size) return;
    const cols = this.ann;
    for (let i = 0; i < cols.length; i++) {
      // Read through build-free access: rows are marked after the fact.
      if (ignoreIds.has(this.annCategory(i))) this.ann.setIgnore(i);
    }
  }

  private annCategory(i: number): number {
    return this.ann.categoryAt(i);
  }
}
