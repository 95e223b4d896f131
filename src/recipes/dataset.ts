import * as fs from "node:fs";
import * as path from "node:path";
import type { Dataset } from "../data/dataset.js";
import { readDataset, DATASET_FORMATS, type DatasetFormat } from "../data/formats/index.js";
import { datasetFromImageFolder } from "../data/image-folder.js";
import { ensureTinySetMini, loadTinySetSplit, openTinySetMini, TINYSET_MINI_VERSION, TINYSET_SPLITS, type TinySetMiniLocation, type TinySetScaleName, type TinySetSplit } from "../data/synth/tinyset.js";
import { checkOneOf, DealkitConfigError, DealkitInputError } from "../util/errors.js";

/**
 * Which data a job reads, as the command line spells it. One of:
 *
 * - `data`: "default" (TinySet-mini, generated once and cached) or a TinySet-mini folder (it holds
 *   manifest.json), with `split` (one of TINYSET_SPLITS; the default depends on the job);
 * - `gt` + `images`: an annotation file in any format the readers read (`format`: coco (default), aitod,
 *   tinyperson, visdrone, yolo, dota; txt formats take their labels folder) and the folder its images are in;
 *   `split` then keeps the images whose `split` field has that value;
 * - `images` alone: a folder of unannotated images (for prediction with clicks given per image).
 *
 * With nothing given, `data` is "default".
 *
 * @example
 * const spec: DatasetSpec = { gt: "visdrone/annotations", images: "visdrone/images", format: "visdrone" };
 */
export interface DatasetSpec {
  data?: string;
  split?: string;
  gt?: string;
  images?: string;
  format?: DatasetFormat | string;
  /** YOLO class list (default: classes.txt beside the labels). */
  classes?: string;
  /** TinySet-mini generator seed and scale for `data: "default"`. Defaults 0 and "default". */
  seed?: number;
  scale?: TinySetScaleName;
}

/** Options of {@link openDataset}. */
export interface OpenDatasetOptions {
  /** The TinySet-mini split when the spec gives none. Default "test". */
  defaultSplit?: TinySetSplit;
  /** Progress of generating TinySet-mini (only called when it is not cached yet). */
  onProgress?: (done: number, total: number) => void;
}

/** What {@link openDataset} opened. */
export interface OpenedDataset {
  dataset: Dataset;
  /** One line on what this is, e.g. "TinySet-mini v2 (seed 0), split test" or "instances.json (coco)". */
  description: string;
  /**
   * The COCO ground-truth file that results on this data belong to (what `dealkit eval --gt` takes), when one
   * exists: a TinySet-mini split's file, or the COCO-style file given. Undefined for txt formats (convert
   * them with `dealkit convert`) and unannotated folders.
   */
  gtFile?: string;
  /** False for a folder of unannotated images. */
  annotated: boolean;
  /** The TinySet-mini folder, when the data is TinySet-mini. */
  tinyset?: TinySetMiniLocation;
}

/**
 * Opens the data a spec names, checked: every error names the file, record and field, or the option and its
 * valid values (unknown format, an annotation file without an image root, a missing image folder or image
 * file, a file that lists no images, a split no image has, a folder that is not TinySet-mini).
 *
 * @example
 * const { dataset, gtFile } = await openDataset({ data: "default", split: "test" });
 * const own = await openDataset({ gt: "instances.json", images: "photos/" });
 */
export async function openDataset(spec: DatasetSpec = {}, options: OpenDatasetOptions = {}): Promise<OpenedDataset> {
  if (spec.gt !== undefined && spec.data !== undefined) {
    throw new DealkitConfigError(`give either --data (default or a TinySet-mini folder) or --gt FILE with --images DIR, not both; got --data "${spec.data}" and --gt "${spec.gt}"`);
  }
  if (spec.gt !== undefined) return openAnnotationFile(spec);
  if (spec.format !== undefined || spec.classes !== undefined) throw new DealkitConfigError("--format and --classes describe an annotation file: they go with --gt FILE --images DIR");
  if (spec.images !== undefined) {
    if (spec.data !== undefined) throw new DealkitConfigError(`--images goes with --gt (or alone, for unannotated images), not with --data "${spec.data}"`);
    const dataset = await datasetFromImageFolder(spec.images);
    return { dataset, description: `${dataset.images.length} unannotated images in ${spec.images}`, annotated: false };
  }
  return openTinySetSplit(spec, options);
}

/**
 * The TinySet-mini folder `data` names: "default" (generated once by seed and scale, then read from the cache)
 * or a folder written by the generator (`dealkit generate`); otherwise a DealkitInputError naming the folder.
 *
 * @example
 * const ts = await openTinySet("default", { seed: 0 });
 */
export async function openTinySet(data: string, options: { seed?: number; scale?: TinySetScaleName; onProgress?: (done: number, total: number) => void } = {}): Promise<TinySetMiniLocation> {
  if (data === "default") return ensureTinySetMini({ seed: options.seed ?? 0, scale: options.scale, onProgress: options.onProgress });
  if (!fs.existsSync(data)) throw new DealkitInputError(`no such folder (give "default", a TinySet-mini folder, or an annotation file with --gt FILE --images DIR)`, { file: data });
  if (!fs.existsSync(path.join(data, "manifest.json"))) {
    throw new DealkitInputError(`not a TinySet-mini folder (no manifest.json); pass a folder written by the generator, or "default", or an annotation file with --gt FILE --images DIR`, { file: data });
  }
  return openTinySetMini(data);
}

async function openTinySetSplit(spec: DatasetSpec, options: OpenDatasetOptions): Promise<OpenedDataset> {
  const data = spec.data ?? "default";
  const split = checkOneOf("--split", spec.split ?? options.defaultSplit ?? "test", TINYSET_SPLITS);
  const tinyset = await openTinySet(data, { seed: spec.seed, scale: spec.scale, onProgress: options.onProgress });
  const dataset = loadTinySetSplit(tinyset, split);
  const where = data === "default" ? `(seed ${tinyset.manifest.seed})` : `in ${data}`;
  return { dataset, description: `TinySet-mini v${TINYSET_MINI_VERSION} ${where}, split ${split}`, gtFile: tinyset.annotationFiles[split], annotated: true, tinyset };
}

async function openAnnotationFile(spec: DatasetSpec): Promise<OpenedDataset> {
  const gt = spec.gt!;
  const format = checkOneOf("--format", spec.format ?? "coco", DATASET_FORMATS);
  if (!fs.existsSync(gt)) throw new DealkitInputError("no such file or folder", { file: gt });
  if (spec.images === undefined) {
    throw new DealkitInputError("needs an image root: give --images DIR, the folder its image file names are relative to", { file: gt });
  }
  if (!fs.existsSync(spec.images) || !fs.statSync(spec.images).isDirectory()) throw new DealkitInputError("image folder not found", { file: spec.images });
  let dataset = await readDataset(format, gt, { images: spec.images, classes: spec.classes });
  if (dataset.images.length === 0) throw new DealkitInputError("lists no images: there is nothing to train on or predict for", { file: gt, field: "images" });
  if (spec.split !== undefined) {
    const splits = [...new Set(dataset.images.map((im) => im.split).filter((s): s is string => s !== undefined))].sort();
    if (!splits.includes(spec.split)) {
      throw new DealkitInputError(`no image has split "${spec.split}"${splits.length ? `; the splits in this file are ${splits.map((s) => `"${s}"`).join(", ")}` : " (the images have no split field)"}`, { file: gt, field: "split" });
    }
    dataset = dataset.filterImages((im) => im.split === spec.split);
  }
  for (const im of dataset.images) {
    const file = dataset.imagePath(im.id);
    if (!fs.existsSync(file)) throw new DealkitInputError(`image file not found: ${file}`, { file: gt, record: `image ${im.id}`, field: "file_name" });
  }
  const coco = format === "coco" || format === "aitod" || format === "tinyperson";
  const description = `${path.basename(gt)} (${format}${spec.split !== undefined ? `, split ${spec.split}` : ""}), images in ${spec.images}`;
  return { dataset, description, ...(coco ? { gtFile: path.resolve(gt) } : {}), annotated: true };
}
