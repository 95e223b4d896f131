import * as path from "node:path";
import type { CocoResult } from "../data/formats/coco-results.js";
import { readClicksFile } from "../recipes/clicks-file.js";
import { openDataset, type DatasetSpec } from "../recipes/dataset.js";
import { loadModel } from "../recipes/model.js";
import type { PredictSpec, PredictSpecResult } from "../recipes/predict.js";
import { contentFingerprint } from "../util/fingerprint.js";
import { DealkitConfigError } from "../util/errors.js";
import { writeFileAtomic } from "../util/fs.js";
import { shardRanges } from "./eval-shard.js";
import type { PredictShardJob, PredictShardSettings } from "./jobs.js";
import { fileSha256, shardKey } from "./keys.js";
import { runQueuedShards, type RunQueuedOptions } from "./submit.js";

/** Options of {@link predictOnQueue}: a {@link PredictSpec}, the queue's options, and the shard count. */
export interface QueuedPredictOptions extends Omit<PredictSpec, "onProgress">, RunQueuedOptions {
  /** Queue URL, `redis://host:port`. */
  url: string;
  /** Image ranges to split the data set into; default 8 (never more than the images). */
  shards?: number;
  /** Keep only these images (by id, in the data set's order), e.g. a balanced subset; default all. */
  imageIds?: readonly number[];
}

/**
 * {@link predictFromSpec} with the images predicted by queue workers: the data set's images are split into
 * `shards` contiguous ranges in their order, each range is predicted on a worker (clicks are sampled per image
 * from the seed, so a shard gives what the whole run gives for its images), and the shards' results are
 * concatenated in range order: the same results, in the same order, as one process writes. Annotated data
 * (TinySet-mini or `--gt`) only; paths travel absolute, so workers must see them at the same path, under their
 * data roots.
 *
 * @example
 * const r = await predictOnQueue({ url: "redis://127.0.0.1:6379", shards: 4, model: "deal-tiny", data: { data: "default" }, out: "dt.json" });
 */
export async function predictOnQueue(o: QueuedPredictOptions): Promise<PredictSpecResult> {
  const shards = o.shards ?? 8;
  if (!Number.isInteger(shards) || shards < 1) throw new DealkitConfigError(`--shards must be an integer >= 1; got ${String(shards)}`);
  if (o.overlap !== undefined && o.slice === undefined) throw new DealkitConfigError("--overlap goes with --slice SIZE");
  const data = absoluteSpec(o.data ?? {});
  const opened = await openDataset(data, { defaultSplit: "test" });
  if (!opened.annotated || !opened.gtFile) {
    throw new DealkitConfigError("--queue predicts annotated data only (TinySet-mini, or --gt FILE --images DIR in COCO form): run unannotated images without --queue");
  }
  let ds = opened.dataset;
  if (o.imageIds !== undefined) {
    const keep = new Set(o.imageIds);
    ds = ds.filterImages((im) => keep.has(im.id));
  }
  const clicksFile = o.clicksFile !== undefined ? path.resolve(o.clicksFile) : undefined;
  if (clicksFile !== undefined) readClicksFile(clicksFile, ds); // a bad clicks file fails here, not on every worker
  const loaded = loadModel(o.model);
  const { name, fingerprint } = loaded;
  loaded.model.dispose();
  const model = loaded.dir !== "" && loaded.dir === o.model ? path.resolve(o.model) : o.model; // a checkpoint folder travels absolute
  const settings: PredictShardSettings = {
    clicks: o.clicks, sampler: o.sampler, seed: o.seed, scoreThreshold: o.scoreThreshold, maxDetections: o.maxDetections,
    classAgnosticMerge: o.classAgnosticMerge, slice: o.slice, overlap: o.overlap,
  };
  // The data's fingerprint: its annotation file, the split, the image list in order, and the clicks file.
  const dataKey = contentFingerprint(fileSha256(opened.gtFile), data.split ?? "", ds.images.map((im) => im.fileName), clicksFile ? fileSha256(clicksFile) : "");
  const ranges = shardRanges(ds.images.length, shards);
  const jobs: PredictShardJob[] = ranges.map((r, i) => ({
    kind: "predict", key: shardKey({ kind: "predict", model: fingerprint, data: dataKey, shard: r, settings: { ...settings } }),
    shard: i, of: ranges.length, model, modelFingerprint: fingerprint, data, ...(clicksFile ? { clicksFile } : {}),
    start: r.start, end: r.end, ...(o.imageIds !== undefined ? { imageIds: ds.images.slice(r.start, r.end).map((im) => im.id) } : {}), settings,
  }));
  const buffers = await runQueuedShards(o.url, jobs, o);
  const results: CocoResult[] = [];
  for (const b of buffers) results.push(...(JSON.parse(b.toString("utf8")) as CocoResult[]));
  if (o.out) writeFileAtomic(o.out, JSON.stringify(results));
  return { results, images: ds.images.length, model: name, fingerprint, data: opened.description, gtFile: opened.gtFile };
}

function absoluteSpec(spec: DatasetSpec): DatasetSpec {
  const out: DatasetSpec = { ...spec };
  if (out.data !== undefined && out.data !== "default") out.data = path.resolve(out.data);
  for (const k of ["gt", "images", "classes"] as const) if (out[k] !== undefined) out[k] = path.resolve(out[k]!);
  return out;
}
