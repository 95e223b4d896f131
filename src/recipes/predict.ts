import { createHash } from "node:crypto";
import * as path from "node:path";
import type { Dataset } from "../data/dataset.js";
import type { CocoResult } from "../data/formats/coco-results.js";
import { predictDataset, type PredictDatasetOptions } from "../infer/predict-dataset.js";
import { DealkitConfigError } from "../util/errors.js";
import { RESULTS_PAIRING_FIELD } from "../eval/load.js";
import { checkModelMemory, type ModelConfig } from "../model/config.js";
import { removeStaleTemps } from "../util/dir-atomic.js";
import { writeFileAtomic } from "../util/fs.js";
import { readClicksFile } from "./clicks-file.js";
import { openDataset, type DatasetSpec } from "./dataset.js";
import { loadModel, resolveModelDir } from "./model.js";

/**
 * A prediction job: a model (shipped name or checkpoint folder) over a data set, every
 * {@link PredictDatasetOptions} field passing through. Defaults: TinySet-mini's test split, clicks sampled from
 * the ground truth (one centre click per category, seed 0), whole images.
 *
 * @example
 * const spec: PredictSpec = { model: "deal-tiny", data: { images: "photos/" }, clicksFile: "clicks.json", out: "dt.json" };
 */
export interface PredictSpec extends Omit<PredictDatasetOptions, "clicksByImage" | "slice"> {
  model: string;
  data?: DatasetSpec;
  /** Clicks per image ({@link readClicksFile}) instead of clicks sampled from the ground truth. */
  clicksFile?: string;
  /** Sliced inference: slice side in px (and the overlap, default 0.2). Default off. */
  slice?: number;
  overlap?: number;
  /** With `slice`: slices per model call (default the model's memory bound); speed and memory only, same results. */
  sliceBatch?: number;
  /** COCO results to write (atomically). With unannotated images, `<out minus .json>.images.json` lists the images too. */
  out?: string;
}

/** What {@link predictFromSpec} did. */
export interface PredictSpecResult {
  results: CocoResult[];
  images: number;
  /** The model's name and fingerprint. */
  model: string;
  fingerprint: string;
  /** One line on the data. */
  data: string;
  /**
   * The file the results belong to: the COCO ground truth to evaluate them against (`dealkit eval --gt`), or
   * for unannotated images the image list written beside `out`. Undefined when neither exists (txt formats:
   * convert the labels with `dealkit convert`).
   */
  gtFile?: string;
}

/**
 * Runs a model over a data set ({@link predictDataset}) from a {@link PredictSpec}: opens the data and the model,
 * reads the clicks file, predicts, and writes the results. Unannotated images need a clicks file (for DEAL; the
 * baseline takes no clicks).
 *
 * @example
 * const r = await predictFromSpec({ model: "deal-tiny", data: { gt: "instances.json", images: "photos/" }, out: "dt.json" });
 * r.gtFile; // ".../instances.json"
 */
export async function predictFromSpec(spec: PredictSpec): Promise<PredictSpecResult> {
  resolveModelDir(spec.model); // a bad name fails before any data is read
  const opened = await openDataset(spec.data ?? {}, { defaultSplit: "test" });
  const ds = opened.dataset;
  if (spec.overlap !== undefined && spec.slice === undefined) throw new DealkitConfigError("--overlap goes with --slice SIZE");
  if (spec.sliceBatch !== undefined && spec.slice === undefined) throw new DealkitConfigError("--slice-batch goes with --slice SIZE");
  const clicksByImage = spec.clicksFile !== undefined ? readClicksFile(spec.clicksFile, ds) : undefined;
  const loaded = loadModel(spec.model);
  try {
    if (!opened.annotated && !clicksByImage && loaded.model.kind === "deal") {
      throw new DealkitConfigError(`${loaded.name} takes clicks, and unannotated images have none to sample: give --clicks-file FILE (image file name -> clicks; see the README)`);
    }
    const { model: _name, data: _data, clicksFile: _clicks, slice, overlap, sliceBatch, out, ...options } = spec;
    checkPredictMemory(loaded.model, ds, slice, clicksByImage, sliceBatch);
    const results = await predictDataset(loaded.model, ds, {
      ...options,
      ...(clicksByImage ? { clicksByImage } : {}),
      ...(slice !== undefined ? { slice: { sliceSize: slice, overlap, ...(sliceBatch !== undefined ? { sliceBatch } : {}) } } : {}),
    });
    let gtFile = opened.gtFile;
    if (out) {
      // Unannotated images: the results, then the image list recording the results' SHA-256, each atomic; a
      // crash between the two leaves a pair that readers refuse (checkResultsPairing), never a silent mismatch.
      const body = JSON.stringify(results);
      writeFileAtomic(out, body);
      if (!opened.annotated) {
        gtFile = out.replace(/\.json$/i, "") + ".images.json";
        removeStaleTemps(gtFile);
        const sha256 = createHash("sha256").update(body).digest("hex");
        writeFileAtomic(gtFile, JSON.stringify({ ...imageList(ds, clicksByImage), [RESULTS_PAIRING_FIELD]: { file: path.basename(out), sha256 } }));
      }
    }
    return { results, images: ds.images.length, model: loaded.name, fingerprint: loaded.fingerprint, data: opened.description, ...(gtFile ? { gtFile } : {}) };
  } finally {
    loaded.model.dispose();
  }
}

/**
 * Refuses, before the first image is decoded, a run whose largest image (or `--slice` tile) with the most prompts
 * one image gets would need more memory than allowed ({@link checkModelMemory}).
 */
function checkPredictMemory(model: unknown, ds: Dataset, slice: number | undefined, clicks?: ReadonlyMap<number, readonly { categoryId?: number }[]>, sliceBatch?: number): void {
  const cfg = (model as { config?: ModelConfig }).config;
  if (!cfg || ds.images.length === 0) return;
  let w = 0;
  let h = 0;
  for (const im of ds.images) if (im.width * im.height > w * h) (w = im.width), (h = im.height);
  let prompts = 1;
  if (clicks) {
    for (const list of clicks.values()) prompts = Math.max(prompts, new Set(list.map((c) => c.categoryId ?? -1)).size);
  } else {
    const cats = new Map<number, Set<number>>();
    const a = ds.annotations;
    for (let i = 0; i < a.imageIds.length; i++) {
      let s = cats.get(a.imageIds[i]!);
      if (!s) cats.set(a.imageIds[i]!, (s = new Set()));
      s.add(a.categoryIds[i]!);
    }
    for (const s of cats.values()) prompts = Math.max(prompts, s.size);
  }
  // An asked --slice-batch encodes that many slices at once (the default batch stays under its own memory bound).
  const batch = slice !== undefined && sliceBatch !== undefined ? sliceBatch : 1;
  const input = slice !== undefined ? { side: slice, prompts, batch, sideField: "--slice" } : { side: w, height: h, prompts, sideField: "image size" };
  const what = slice !== undefined ? `--slice ${slice}${batch > 1 ? ` --slice-batch ${batch}` : ""} with model ${cfg.preset}` : `the largest image (${w}x${h} px) with model ${cfg.preset}`;
  checkModelMemory(cfg, input, what);
}

/** A COCO instances object without annotations: the images (ids as in the results) and the clicked categories. */
function imageList(ds: Dataset, clicks?: ReadonlyMap<number, readonly { categoryId?: number }[]>): Record<string, unknown> {
  const cats = new Set<number>();
  for (const list of clicks?.values() ?? []) for (const c of list) if (c.categoryId !== undefined && c.categoryId >= 0) cats.add(c.categoryId);
  return {
    images: ds.images.map((im) => ({ id: im.id, file_name: im.fileName, width: im.width, height: im.height })),
    categories: [...cats].sort((a, b) => a - b).map((id) => ({ id, name: String(id) })),
    annotations: [],
  };
}
