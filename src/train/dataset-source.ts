import * as fs from "node:fs";
import * as path from "node:path";
import { ensureTinySetMini, openTinySetMini, loadTinySetSplit } from "../data/synth/tinyset.js";
import { DealkitInputError } from "../util/errors.js";
import type { Dataset } from "../data/dataset.js";
import { loadImageRgb } from "../data/images.js";
import { arraySource, type TrainExample, type TrainSource } from "./source.js";

/**
 * Decodes every image of a {@link Dataset} into memory and serves it, with `ds.groundTruth(id)`, as a
 * {@link TrainSource}. Crowd and ignore regions stay in the ground truth but are never targets.
 *
 * @example
 * const source = await datasetSource((await openDataset({ data: "default", split: "train" })).dataset);
 */
export async function datasetSource(ds: Dataset): Promise<TrainSource> {
  const examples: TrainExample[] = [];
  for (const img of ds.images) examples.push({ image: await loadImageRgb(ds.imagePath(img.id)), groundTruth: ds.groundTruth(img.id) });
  return arraySource(examples);
}

/**
 * A split of a TinySet-mini folder as a Dataset: `data` is a folder holding TinySet-mini's manifest.json,
 * or "default" for the cached TinySet-mini (seed 0, generated on first use).
 */
export async function openTrainingSplit(data: string, split: string): Promise<Dataset> {
  if (data === "default") return loadTinySetSplit(await ensureTinySetMini({ seed: 0 }), split as never);
  if (!fs.existsSync(path.join(data, "manifest.json"))) {
    throw new DealkitInputError(`not a TinySet-mini folder (no manifest.json); pass a folder written by the generator, or "default"`, { file: data });
  }
  return loadTinySetSplit(openTinySetMini(data), split as never);
}
