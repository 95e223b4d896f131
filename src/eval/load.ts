import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseJsonBytes } from "../util/text.js";
import { DealkitInputError } from "../util/errors.js";

/** One image of a COCO ground-truth file; `domain` is dealkit's optional extension. */
export interface CocoImageJson {
  id: number;
  width?: number;
  height?: number;
  file_name?: string;
  domain?: string;
}

/** One GT annotation; `bboxXywh` is `[x, y, w, h]` in px. */
export interface CocoAnnotationJson {
  id: number;
  image_id: number;
  category_id: number;
  bbox: number[];
  area?: number;
  iscrowd?: number;
}

/** A COCO "instances" object (the subset the bbox evaluator reads). */
export interface CocoGtJson {
  images: CocoImageJson[];
  annotations: CocoAnnotationJson[];
  categories: { id: number; name?: string; supercategory?: string }[];
  info?: unknown;
}

/** One detection of a COCO "results" file; `bbox` is `[x, y, w, h]` in px. */
export interface CocoDetectionJson {
  image_id: number;
  category_id: number;
  bbox: number[];
  score: number;
}

/**
 * Ground truth, normalised to typed arrays. Images and categories are indexed in ascending id order
 * (pycocotools sorts `imgIds` and `catIds`); annotations keep file order.
 */
export interface CocoGtData {
  /** Sorted unique image ids. */
  imgIds: Float64Array;
  /** Per image index: its `domain` field, or undefined. */
  imgDomains: (string | undefined)[];
  /** Per image index: width and height in px (NaN if absent). */
  imgWidths: Float64Array;
  imgHeights: Float64Array;
  /** Sorted unique category ids and their names. */
  catIds: Float64Array;
  catNames: string[];
  /** Number of annotations (file order). */
  n: number;
  /** Image index per annotation, -1 when its image is not listed (pycocotools then never sees it). */
  img: Int32Array;
  /** Category index per annotation, -1 when its category is not listed (dropped, as pycocotools does). */
  cat: Int32Array;
  /** bbox `[x, y, w, h]` in px, one array per coordinate. */
  x: Float64Array;
  y: Float64Array;
  w: Float64Array;
  h: Float64Array;
  /** The annotation's `area` field (the area ranges use it, not `w*h`). */
  area: Float64Array;
  /** 1 for `iscrowd` annotations. */
  crowd: Uint8Array;
  /** Annotation ids. */
  annId: Float64Array;
  /** Where the data came from, for messages. */
  file: string;
  /** Things the loader noticed and dropped, collected rather than printed. */
  warnings: string[];
}

/** Detections, normalised to typed arrays in file order (the order breaks score ties). */
export interface CocoDtData {
  n: number;
  /** Image index into the GT's sorted `imgIds`. */
  img: Int32Array;
  /** Category index into the GT's sorted `catIds`, -1 for an unlisted category (dropped). */
  cat: Int32Array;
  x: Float64Array;
  y: Float64Array;
  w: Float64Array;
  h: Float64Array;
  score: Float64Array;
  /** `w*h`, as pycocotools' loadRes sets it. */
  area: Float64Array;
  file: string;
  warnings: string[];
}

/**
 * Reads a JSON file, gunzipping `.gz` files; malformed JSON raises a {@link DealkitInputError} naming the file.
 * Uses JSON.parse (fine for files up to a few hundred MB).
 *
 * @example
 * const gtJson = cocoReadJsonFile("gt.json.gz");
 */
export function cocoReadJsonFile(file: string): unknown {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    throw new DealkitInputError(`cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { file });
  }
  return parseJsonBytes(buf, file, "malformed JSON");
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function need(obj: Record<string, unknown>, field: string, file: string, record: string): unknown {
  if (!(field in obj) || obj[field] === undefined) throw new DealkitInputError("missing field", { file, record, field });
  return obj[field];
}

function finite(v: unknown, file: string, record: string, field: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new DealkitInputError(`must be a finite number; got ${JSON.stringify(v) ?? String(v)}`, { file, record, field });
  }
  return v;
}

function bboxOf(v: unknown, file: string, record: string): [number, number, number, number] {
  if (!Array.isArray(v) || v.length !== 4 || !v.every((c) => typeof c === "number" && Number.isFinite(c))) {
    throw new DealkitInputError(`must be [x, y, w, h] with 4 finite numbers; got ${JSON.stringify(v)}`, { file, record, field: "bbox" });
  }
  if (v[2] < 0 || v[3] < 0) {
    throw new DealkitInputError(`width and height must be >= 0; got ${JSON.stringify(v)}`, { file, record, field: "bbox" });
  }
  return v as [number, number, number, number];
}

/**
 * Validates and normalises a COCO ground-truth object. Rules follow pycocotools: images and categories are
 * sorted by id; annotations of unlisted categories or images are dropped (with a warning); the `area` field
 * is kept as given (missing: `w*h`), `iscrowd` missing means 0, and an `ignore` field is not read.
 * Duplicate annotation ids are an error (pycocotools would silently evaluate one of them twice).
 *
 * @example
 * const gt = cocoLoadGt(cocoReadJsonFile("gt.json"), "gt.json");
 */
export function cocoLoadGt(json: unknown, file = "gt.json"): CocoGtData {
  if (!isObject(json)) throw new DealkitInputError("a COCO ground-truth file must hold a JSON object with images, annotations and categories", { file });
  const warnings: string[] = [];
  const images = need(json, "images", file, "top level");
  const anns = need(json, "annotations", file, "top level");
  const cats = need(json, "categories", file, "top level");
  for (const [k, v] of [["images", images], ["annotations", anns], ["categories", cats]] as const) {
    if (!Array.isArray(v)) throw new DealkitInputError("must be an array", { file, record: "top level", field: k });
  }
  const imgArr = images as unknown[];
  const imgRecs = new Map<number, Record<string, unknown>>();
  imgArr.forEach((im, i) => {
    const record = `image #${i}`;
    if (!isObject(im)) throw new DealkitInputError("must be an object", { file, record });
    const id = finite(need(im, "id", file, record), file, record, "id");
    if (!imgRecs.has(id)) imgRecs.set(id, im);
  });
  const imgIds = Float64Array.from([...imgRecs.keys()].sort((a, b) => a - b));
  const imgIndex = new Map<number, number>();
  imgIds.forEach((id, i) => imgIndex.set(id, i));
  const imgDomains: (string | undefined)[] = [];
  const imgWidths = new Float64Array(imgIds.length);
  const imgHeights = new Float64Array(imgIds.length);
  imgIds.forEach((id, i) => {
    const im = imgRecs.get(id)!;
    imgDomains.push(im.domain === undefined || im.domain === null ? undefined : String(im.domain));
    imgWidths[i] = typeof im.width === "number" ? im.width : NaN;
    imgHeights[i] = typeof im.height === "number" ? im.height : NaN;
  });

  const catRecs = new Map<number, string>();
  (cats as unknown[]).forEach((c, i) => {
    const record = `category #${i}`;
    if (!isObject(c)) throw new DealkitInputError("must be an object", { file, record });
    const id = finite(need(c, "id", file, record), file, record, "id");
    catRecs.set(id, typeof c.name === "string" ? c.name : String(id));
  });
  const catIds = Float64Array.from([...catRecs.keys()].sort((a, b) => a - b));
  const catIndex = new Map<number, number>();
  catIds.forEach((id, i) => catIndex.set(id, i));
  const catNames = [...catIds].map((id) => catRecs.get(id)!);

  const annArr = anns as unknown[];
  const n = annArr.length;
  const d: CocoGtData = {
    imgIds, imgDomains, imgWidths, imgHeights, catIds, catNames, n,
    img: new Int32Array(n), cat: new Int32Array(n),
    x: new Float64Array(n), y: new Float64Array(n), w: new Float64Array(n), h: new Float64Array(n),
    area: new Float64Array(n), crowd: new Uint8Array(n), annId: new Float64Array(n), file, warnings,
  };
  const seenIds = new Map<number, number>();
  let unknownImg = 0;
  let unknownCat = 0;
  let missingArea = 0;
  for (let i = 0; i < n; i++) {
    const a = annArr[i];
    let record = `annotation #${i}`;
    if (!isObject(a)) throw new DealkitInputError("must be an object", { file, record });
    const id = finite(need(a, "id", file, record), file, record, "id");
    record = `annotation #${i} (id ${id})`;
    const prev = seenIds.get(id);
    if (prev !== undefined) throw new DealkitInputError(`duplicate annotation id (also annotation #${prev})`, { file, record, field: "id" });
    seenIds.set(id, i);
    const imageId = finite(need(a, "image_id", file, record), file, record, "image_id");
    const catId = finite(need(a, "category_id", file, record), file, record, "category_id");
    const bb = bboxOf(need(a, "bbox", file, record), file, record);
    let area: number;
    if (a.area === undefined) {
      area = bb[2] * bb[3];
      missingArea++;
    } else area = finite(a.area, file, record, "area");
    const crowdRaw = a.iscrowd === undefined ? 0 : a.iscrowd;
    if (crowdRaw !== 0 && crowdRaw !== 1 && crowdRaw !== true && crowdRaw !== false) {
      throw new DealkitInputError(`must be 0 or 1; got ${JSON.stringify(crowdRaw)}`, { file, record, field: "iscrowd" });
    }
    const ii = imgIndex.get(imageId);
    const ci = catIndex.get(catId);
    if (ii === undefined) unknownImg++;
    if (ci === undefined) unknownCat++;
    d.img[i] = ii ?? -1;
    d.cat[i] = ci ?? -1;
    d.x[i] = bb[0]; d.y[i] = bb[1]; d.w[i] = bb[2]; d.h[i] = bb[3];
    d.area[i] = area;
    d.crowd[i] = crowdRaw === 1 || crowdRaw === true ? 1 : 0;
    d.annId[i] = id;
  }
  if (unknownImg) warnings.push(`${file}: ${unknownImg} annotation(s) refer to images not listed in "images"; they are not evaluated`);
  if (unknownCat) warnings.push(`${file}: ${unknownCat} annotation(s) have a category not listed in "categories"; they are not evaluated`);
  if (missingArea) warnings.push(`${file}: ${missingArea} annotation(s) have no "area"; w*h was used`);
  if (seenIds.has(0)) warnings.push(`${file}: an annotation has id 0; pycocotools (and dealkit, to match it) never counts it as matched`);
  return d;
}

/**
 * Validates and normalises a COCO results array against its ground truth, as pycocotools' `loadRes` does:
 * `area = w*h`, file order kept (it breaks score ties). Detections of unlisted categories are dropped with a
 * warning. A detection for an image not in the GT, a non-finite score, a negative size or a missing field is a
 * {@link DealkitInputError} naming the file and the detection.
 *
 * @example
 * const dt = cocoLoadDt(cocoReadJsonFile("dt.json"), gt, "dt.json");
 */
export function cocoLoadDt(json: unknown, gt: CocoGtData, file = "dt.json"): CocoDtData {
  let arr: unknown[];
  if (Array.isArray(json)) arr = json;
  else if (isObject(json) && Array.isArray(json.annotations)) arr = json.annotations;
  else throw new DealkitInputError("a COCO results file must hold a JSON array of {image_id, category_id, bbox, score}", { file });
  const n = arr.length;
  const imgIndex = new Map<number, number>();
  gt.imgIds.forEach((id, i) => imgIndex.set(id, i));
  const catIndex = new Map<number, number>();
  gt.catIds.forEach((id, i) => catIndex.set(id, i));
  const warnings: string[] = [];
  const d: CocoDtData = {
    n, img: new Int32Array(n), cat: new Int32Array(n),
    x: new Float64Array(n), y: new Float64Array(n), w: new Float64Array(n), h: new Float64Array(n),
    score: new Float64Array(n), area: new Float64Array(n), file, warnings,
  };
  let unknownCat = 0;
  for (let i = 0; i < n; i++) {
    const o = arr[i];
    const record = `detection #${i}`;
    if (!isObject(o)) throw new DealkitInputError("must be an object", { file, record });
    const imageId = finite(need(o, "image_id", file, record), file, record, "image_id");
    const catId = finite(need(o, "category_id", file, record), file, record, "category_id");
    const bb = bboxOf(need(o, "bbox", file, record), file, record);
    const score = finite(need(o, "score", file, record), file, record, "score");
    const ii = imgIndex.get(imageId);
    if (ii === undefined) throw new DealkitInputError(`image_id ${imageId} is not an image of the ground truth (${gt.file})`, { file, record, field: "image_id" });
    const ci = catIndex.get(catId);
    if (ci === undefined) unknownCat++;
    d.img[i] = ii;
    d.cat[i] = ci ?? -1;
    d.x[i] = bb[0]; d.y[i] = bb[1]; d.w[i] = bb[2]; d.h[i] = bb[3];
    d.score[i] = score;
    d.area[i] = bb[2] * bb[3];
  }
  if (unknownCat) warnings.push(`${file}: ${unknownCat} detection(s) have a category not listed in the ground truth; they are not evaluated`);
  return d;
}

/**
 * Reads and normalises a GT file and a detections file (`.json` or `.json.gz`).
 *
 * @example
 * const { gt, dt } = cocoLoadFiles("gt.json", "dt.json.gz");
 */
export function cocoLoadFiles(gtFile: string, dtFile: string): { gt: CocoGtData; dt: CocoDtData } {
  const gtJson = cocoReadJsonFile(gtFile);
  checkResultsPairing(gtJson, gtFile, dtFile);
  const gt = cocoLoadGt(gtJson, gtFile);
  const dt = cocoLoadDt(cocoReadJsonFile(dtFile), gt, dtFile);
  return { gt, dt };
}

/** The field of an image list (`dealkit predict` on unannotated images) that names the results written with it. */
export const RESULTS_PAIRING_FIELD = "dealkit_results";

/**
 * An image list written by `dealkit predict` on unannotated images records the results file written with it
 * and that file's SHA-256 (`dealkit_results: { file, sha256 }`); the two are written one after the other, so a
 * crash between them leaves results that the list does not describe. When `dtFile` is that results file, its
 * hash must match: otherwise the pair is refused (naming both files), never evaluated together. Other results
 * files (another model's on the same images) are not checked.
 */
export function checkResultsPairing(gtJson: unknown, gtFile: string, dtFile: string): void {
  const rec = (gtJson as Record<string, unknown> | null)?.[RESULTS_PAIRING_FIELD] as { file?: unknown; sha256?: unknown } | undefined;
  if (!rec || typeof rec !== "object" || typeof rec.file !== "string" || typeof rec.sha256 !== "string") return;
  const paired = path.resolve(path.dirname(path.resolve(gtFile)), path.basename(rec.file));
  if (paired !== path.resolve(dtFile)) return;
  let sha: string;
  try {
    sha = createHash("sha256").update(fs.readFileSync(dtFile)).digest("hex");
  } catch {
    return; // unreadable: the results reader names it
  }
  if (sha !== rec.sha256) {
    throw new DealkitInputError(
      `is not the results file that ${path.basename(gtFile)} was written with (SHA-256 ${sha.slice(0, 12)}..., the list records ${rec.sha256.slice(0, 12)}...): a dealkit predict run stopped between its two files; run it again`,
      { file: dtFile },
    );
  }
}
