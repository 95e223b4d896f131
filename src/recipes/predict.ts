import type { Dataset } from "../data/dataset.js";
import type { CocoResult } from "../data/formats/coco-results.js";
import { predictDataset, type PredictDatasetOptions } from "../infer/predict-dataset.js";
import { DealkitConfigError } from "../util/errors.js";
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
    const results = await predictDataset(loaded.model, ds, {
      ...options,
      ...(clicksByImage ? { clicksByImage } : {}),
      ...(slice !== undefined ? { slice: { sliceSize: slice, overlap, ...(sliceBatch !== undefined ? { sliceBatch } : {}) } } : {}),
    });
    let gtFile = opened.gtFile;
    if (out) {
      writeFileAtomic(out, JSON.stringify(results));
      if (!opened.annotated) {
        gtFile = out.replace(/\.json$/i, "") + ".images.json";
        writeFileAtomic(gtFile, JSON.stringify(imageList(ds, clicksByImage)));
      }
    }
    return { results, images: ds.images.length, model: loaded.name, fingerprint: loaded.fingerprint, data: opened.description, ...(gtFile ? { gtFile } : {}) };
  } finally {
    loaded.model.dispose();
  }
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
