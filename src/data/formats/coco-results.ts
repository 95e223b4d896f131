/**
 * COCO results files: a JSON array of `{image_id, category_id, bbox: [x, y, w, h], score}` (pixels), as
 * written by detectors for pycocotools. Held columnar as {@link CocoResults}.
 */
import * as fs from "node:fs";
import { createDetections, type Detections } from "../../structures/detections.js";
import { DealkitInputError } from "../../util/errors.js";
import type { Dataset } from "../dataset.js";
import { AtomicTextWriter } from "./text-writer.js";

/** One detection in COCO results format: `bbox` is [x, y, w, h] in pixels. */
export interface CocoResult {
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  score: number;
}

/** Detections of many images, columnar (row i of each array is detection i). */
export interface CocoResults {
  imageIds: Float64Array;
  categoryIds: Int32Array;
  bboxXywh: Float64Array;
  scores: Float64Array;
}

/**
 * Checks and converts a parsed results array. With `dataset`, unknown image and category ids are errors.
 *
 * @example
 * const res = parseCocoResults([{ image_id: 1, category_id: 1, bbox: [0, 0, 4, 4], score: 0.9 }]);
 */
export function parseCocoResults(arr: unknown, options: { file?: string; dataset?: Dataset } = {}): CocoResults {
  const file = options.file;
  if (!Array.isArray(arr)) throw new DealkitInputError("a COCO results file must hold an array of detections", { file });
  const n = arr.length;
  const out: CocoResults = { imageIds: new Float64Array(n), categoryIds: new Int32Array(n), bboxXywh: new Float64Array(n * 4), scores: new Float64Array(n) };
  const ds = options.dataset;
  for (let i = 0; i < n; i++) {
    const o = arr[i] as Record<string, unknown>;
    const record = `detection #${i}`;
    if (typeof o !== "object" || o === null) throw new DealkitInputError("must be an object", { file, record });
    for (const k of ["image_id", "category_id", "bbox", "score"]) if (o[k] === undefined) throw new DealkitInputError("missing required field", { file, record, field: k });
    for (const k of ["image_id", "category_id"]) if (!Number.isInteger(o[k])) throw new DealkitInputError(`must be an integer, got ${JSON.stringify(o[k])}`, { file, record, field: k });
    const b = o.bbox;
    if (!Array.isArray(b) || b.length !== 4 || !b.every((v) => Number.isFinite(v))) throw new DealkitInputError(`must be 4 finite numbers, got ${JSON.stringify(b)}`, { file, record, field: "bbox" });
    if (!Number.isFinite(o.score)) throw new DealkitInputError(`must be a finite number, got ${JSON.stringify(o.score)}`, { file, record, field: "score" });
    if (ds && !ds.image(o.image_id as number)) throw new DealkitInputError(`unknown image id ${o.image_id}`, { file, record, field: "image_id" });
    if (ds && !ds.category(o.category_id as number)) throw new DealkitInputError(`unknown category id ${o.category_id}`, { file, record, field: "category_id" });
    out.imageIds[i] = o.image_id as number;
    out.categoryIds[i] = o.category_id as number;
    out.bboxXywh.set(b as number[], i * 4);
    out.scores[i] = o.score as number;
  }
  return out;
}

/** Reads a COCO results file. */
export async function readCocoResults(file: string, options: { dataset?: Dataset } = {}): Promise<CocoResults> {
  let arr: unknown;
  try {
    arr = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new DealkitInputError(`cannot read JSON: ${(err as Error).message}`, { file });
  }
  return parseCocoResults(arr, { ...options, file });
}

/** Writes a COCO results file (streaming, atomic). */
export function writeCocoResults(file: string, results: CocoResults): void {
  const w = new AtomicTextWriter(file);
  try {
    w.write("[");
    const b = results.bboxXywh;
    for (let i = 0; i < results.scores.length; i++) {
      w.write(`${i ? "," : ""}${JSON.stringify({ image_id: results.imageIds[i], category_id: results.categoryIds[i], bbox: [b[i * 4], b[i * 4 + 1], b[i * 4 + 2], b[i * 4 + 3]], score: results.scores[i] })}`);
    }
    w.write("]\n");
    w.commit();
  } finally {
    w.abortIfOpen();
  }
}

/** The detections of one image from results (xyxy, px). */
export function detectionsOfImage(results: CocoResults, imageId: number): Detections {
  const rows: number[] = [];
  for (let i = 0; i < results.scores.length; i++) if (results.imageIds[i] === imageId) rows.push(i);
  const boxes = new Float32Array(rows.length * 4);
  rows.forEach((r, j) => {
    const b = results.bboxXywh;
    boxes.set([b[r * 4]!, b[r * 4 + 1]!, b[r * 4]! + b[r * 4 + 2]!, b[r * 4 + 1]! + b[r * 4 + 3]!], j * 4);
  });
  return createDetections(boxes, Float32Array.from(rows, (r) => results.scores[r]!), Int32Array.from(rows, (r) => results.categoryIds[r]!));
}

/** Results from per-image detections (xyxy px -> xywh). */
export function cocoResultsOf(perImage: readonly { imageId: number; detections: Detections }[]): CocoResults {
  const n = perImage.reduce((s, p) => s + p.detections.length, 0);
  const out: CocoResults = { imageIds: new Float64Array(n), categoryIds: new Int32Array(n), bboxXywh: new Float64Array(n * 4), scores: new Float64Array(n) };
  let k = 0;
  for (const { imageId, detections: d } of perImage) {
    for (let i = 0; i < d.length; i++, k++) {
      const b = d.boxesXyxy;
      out.imageIds[k] = imageId;
      out.categoryIds[k] = d.categoryIds[i]!;
      out.scores[k] = d.scores[i]!;
      out.bboxXywh.set([b[i * 4]!, b[i * 4 + 1]!, b[i * 4 + 2]! - b[i * 4]!, b[i * 4 + 3]! - b[i * 4 + 1]!], k * 4);
    }
  }
  return out;
}

/**
 * COCO results (bbox xywh px) grouped per image as detection lists (xyxy px); `clickIndex` is -1 (COCO results
 * do not carry it).
 *
 * @example
 * const byImage = detectionsByImage(await predictDataset(model, ds));
 */
export function detectionsByImage(results: readonly CocoResult[]): Map<number, Detections> {
  const groups = new Map<number, CocoResult[]>();
  for (const r of results) {
    if (!groups.has(r.image_id)) groups.set(r.image_id, []);
    groups.get(r.image_id)!.push(r);
  }
  const out = new Map<number, Detections>();
  for (const [id, rs] of groups) {
    const boxes = new Float32Array(rs.length * 4);
    rs.forEach((r, i) => boxes.set([r.bbox[0], r.bbox[1], r.bbox[0] + r.bbox[2], r.bbox[1] + r.bbox[3]], 4 * i));
    out.set(id, createDetections(boxes, Float32Array.from(rs, (r) => r.score), Int32Array.from(rs, (r) => r.category_id)));
  }
  return out;
}
