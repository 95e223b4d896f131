import * as fs from "node:fs";
import * as path from "node:path";
import type { Dataset } from "../data/dataset.js";
import { loadImageRgb } from "../data/images.js";
import { ensureTinySetMini, openTinySetMini, loadTinySetSplit } from "../data/synth/tinyset.js";
import type { BboxXywh } from "../prompts/samplers.js";
import { DealkitInputError } from "../util/errors.js";
import type { TrainExample, TrainSource } from "./source.js";

/**
 * Decodes every image of a {@link Dataset} into memory and serves it as a {@link TrainSource}. Crowd and
 * ignore annotations are left out (they are not instances to detect).
 *
 * @example
 * const source = await datasetSource(loadTinySetSplit(await ensureTinySetMini(), "train"));
 */
export async function datasetSource(ds: Dataset): Promise<TrainSource> {
  const examples: TrainExample[] = [];
  const a = ds.annotations;
  for (const img of ds.images) {
    const rows = ds.annotationsOfImage(img.id);
    const boxes: BboxXywh[] = [];
    const cats: number[] = [];
    for (const r of rows) {
      if (a.iscrowd[r] || a.ignore[r]) continue;
      boxes.push([a.bboxXywh[r * 4]!, a.bboxXywh[r * 4 + 1]!, a.bboxXywh[r * 4 + 2]!, a.bboxXywh[r * 4 + 3]!]);
      cats.push(a.categoryIds[r]!);
    }
    examples.push({ image: await loadImageRgb(ds.imagePath(img.id)), bboxesXywh: boxes, categoryIds: cats });
  }
  const categoryIds = [...new Set(examples.flatMap((e) => [...e.categoryIds]))].sort((x, y) => x - y);
  return { size: examples.length, get: (i) => examples[i]!, categoryIds };
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
