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

