/**
 * COCO JSON instances files, with the TinySet-style conventions dealkit reads and writes:
 *
 * - `images[].domain` (optional string): the domain of the image ("remote-sensing", "uav", ...).
 *   Per-domain queries and breakdowns use it.
 * - `images[].split` (optional string): "train", "val", "test", ... when one file holds several splits.
 * - `categories[].heldOut` (optional boolean, `held_out` is read too): the category is kept out of
 *   training, for unseen-category experiments.
 * - `annotations[].ignore` (optional 0/1 or boolean): an ignore region (TinyPerson, converted VisDrone
 *   category 0, DOTA difficult). Evaluation neither rewards nor penalises detections matching it.
 * - other numeric or boolean annotation fields are kept as numeric attribute columns (booleans become 0/1);
 *   segmentation is not kept (dealkit is a box toolkit), with one warning.
 *
 * Variants: "aitod" is plain COCO; "tinyperson" also treats a category named "ignore" as ignore regions.
 * Files larger than `streamThresholdBytes` (default 256 MiB) are read with {@link scanJsonFile}; smaller ones
 * and gzip files (`.json.gz`) whole. Both paths accept UTF-8 with or without a BOM, refuse UTF-16, and refuse
 * the same JSON (trailing commas included).
 */
import * as fs from "node:fs";
import { DealkitInputError } from "../../util/errors.js";
import { checkNotUtf16, parseJsonBytes } from "../../util/text.js";
import { Dataset } from "../dataset.js";
import { CocoAccumulator, type CocoReadOptions } from "./coco-records.js";
import { cocoAnnotationOf, cocoCategoryOf, cocoImageOf } from "./coco-object.js";
import { parseAnnotationBytes } from "./coco-fast.js";
import { scanJsonFile } from "./json-stream.js";
import { AtomicTextWriter } from "./text-writer.js";

/** Options of {@link readCoco}. */
export interface CocoFileOptions extends Omit<CocoReadOptions, "file"> {
  /** Files at least this large are streamed instead of parsed whole. Default 256 MiB. */
  streamThresholdBytes?: number;
  /** Streaming: bytes per read. Default 16 MiB. */
  chunkBytes?: number;
  /** Streaming: bytes of elements per JSON.parse call. Default 1 MiB. */
  batchBytes?: number;
}

/** The default size above which COCO files are streamed (node cannot hold strings past ~512 MB). */
export const COCO_STREAM_THRESHOLD_BYTES = 256 * 1024 * 1024;

/**
 * Reads a COCO instances file (any size) into a {@link Dataset}. Errors throw DealkitInputError naming
 * the file, record and field; warnings are in `dataset.warnings`.
 *
 * @example
 * const ds = await readCoco("train.json", { root: "images/", boxPolicy: "clip" });
 */
export async function readCoco(file: string, options: CocoFileOptions = {}): Promise<Dataset> {
  return readCocoSync(file, options);
}

/** Synchronous {@link readCoco}. */
export function readCocoSync(file: string, options: CocoFileOptions = {}): Dataset {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch (err) {
    throw new DealkitInputError(`cannot read file: ${(err as Error).message}`, { file });
  }
  const threshold = options.streamThresholdBytes ?? COCO_STREAM_THRESHOLD_BYTES;
  if (size < threshold) {
    return Dataset.fromCoco(parseJsonBytes(fs.readFileSync(file), file), { ...options, file });
  }
  if (isGzipFile(file)) throw new DealkitInputError(`is a gzip file of ${size} bytes: too large to unpack in memory; gunzip it first (plain files of any size are streamed)`, { file });
  return readCocoStreaming(file, options);
}

/** Does the file start with gzip's magic bytes? */
function isGzipFile(file: string): boolean {
  const fd = fs.openSync(file, "r");
  try {
    const b = Buffer.alloc(2);
    return fs.readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads a COCO instances file with bounded memory (see {@link scanJsonFile}), whatever its size. */
export function readCocoStreaming(file: string, options: CocoFileOptions = {}): Dataset {
  const fd = fs.openSync(file, "r");
  const head = Buffer.alloc(4096);
  try {
    checkNotUtf16(head.subarray(0, fs.readSync(fd, head, 0, head.length, 0)), file);
  } finally {
    fs.closeSync(fd);
  }
  // About 100 bytes per annotation in typical files: sizing the columns once avoids regrowth copies.
  const expectedAnnotations = Math.min(Math.ceil(fs.statSync(file).size / 100), 1 << 28);
  const acc = new CocoAccumulator({ expectedAnnotations, ...options, file });
  const seen = new Set<string>();
  scanJsonFile(
    file,
    { streamKeys: ["images", "annotations", "categories"], rawKeys: ["annotations"], chunkBytes: options.chunkBytes, batchBytes: options.batchBytes },
    {
      onRaw(key, bytes, start, end, first, offset) {
        seen.add(key);
        return parseAnnotationBytes(bytes, start, end, acc, first, offset, file);
      },
      onElements(key, els, first) {
        seen.add(key);
        const add = key === "images" ? acc.addImage : key === "categories" ? acc.addCategory : acc.addAnnotation;
        for (let i = 0; i < els.length; i++) add.call(acc, els[i], first + i);
      },
      onValue(key, value) {
        if (key === "images" || key === "categories" || key === "annotations") {
          seen.add(key);
          acc.issues.error("wrong-type", "must be an array", { file, field: key });
        } else acc.setTop(key, value);
      },
    },
  );
  for (const key of ["images", "categories"]) {
    if (!seen.has(key)) acc.issues.error("missing-field", "missing required top-level array", { file, field: key });
  }
  return new Dataset(acc.finish(), { checked: true });
}

/**
 * Writes a data set as a COCO instances file, streaming (any size; atomic: a temporary file is renamed
 * over the target). TinySet-style fields (`domain`, `split`, `heldOut`, `ignore`, attributes) are written.
 *
 * @example
 * writeCoco(ds, ".cache/out/train.json");
 */
export function writeCoco(ds: Dataset, file: string, options: { indent?: boolean } = {}): void {
  const w = new AtomicTextWriter(file);
  try {
    const nl = options.indent ? "\n" : "";
    w.write("{");
    const head: Record<string, unknown> = { ...(ds.extra ?? {}) };
    if (ds.info !== undefined) head.info = ds.info;
    if (ds.licenses !== undefined) head.licenses = ds.licenses;
    for (const [k, v] of Object.entries(head)) w.write(`${nl}${JSON.stringify(k)}:${JSON.stringify(v)},`);
    const array = (key: string, n: number, item: (i: number) => unknown, last = false): void => {
      w.write(`${nl}${JSON.stringify(key)}:[`);
      for (let i = 0; i < n; i++) w.write((i ? "," : "") + nl + JSON.stringify(item(i)));
      w.write(`${nl}]${last ? "" : ","}`);
    };
    array("images", ds.images.length, (i) => cocoImageOf(ds.images[i]!));
    array("categories", ds.categories.length, (i) => cocoCategoryOf(ds.categories[i]!));
    array("annotations", ds.numAnnotations, (i) => cocoAnnotationOf(ds, i), true);
    w.write(`${nl}}\n`);
    w.commit();
  } finally {
    w.abortIfOpen();
  }
}
