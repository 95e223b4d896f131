import * as path from "node:path";
import { ablationDataFingerprint, ablationMetrics, ablationResultOf, type AblationImageDetections, type AblationResult, type AblationRun } from "../analysis/ablate.js";
import { ablationGrid, cellId, checkCell } from "../analysis/ablate-grid.js";
import { INFERENCE_REVISION } from "../model/config.js";
import { ablationDataOf, ABLATION_GRID_NAMES, P2SOD_ABLATION, type PromptAblationSpec } from "../recipes/ablate.js";
import type { DatasetSpec } from "../recipes/dataset.js";
import { loadModel, REFERENCE_MODELS, SHIPPED_MODELS } from "../recipes/model.js";
import { createDetections } from "../structures/detections.js";
import { checkOneOf, DealkitConfigError, DealkitInputError } from "../util/errors.js";
import { shardRanges } from "./eval-shard.js";
import type { AblateShardJob } from "./jobs.js";
import { shardKey } from "./keys.js";
import { runQueuedJobs, type RunQueuedOptions } from "./submit.js";

const MAGIC = "dealkit.ablate.v1";

/** What an ablate job returns: the detections of the prompted images of its range, its counts and its seconds. */
export interface AblationShardResult {
  images: AblationImageDetections[];
  stats: Record<string, number>;
  seconds: number;
}

/**
 * An ablate job's result as bytes (JSON; float32 boxes and scores survive the round trip exactly, since every
 * float32 is a double that JSON prints and reads back unchanged). {@link decodeAblationShard} reads it back.
 *
 * @example
 * const back = decodeAblationShard(encodeAblationShard(r));
 */
export function encodeAblationShard(r: AblationShardResult): Buffer {
  return Buffer.from(JSON.stringify({
    magic: MAGIC, stats: r.stats, seconds: r.seconds,
    images: r.images.map((d) => ({
      i: d.imageIndex, b: Array.from(d.detections.boxesXyxy), s: Array.from(d.detections.scores), c: Array.from(d.detections.categoryIds), k: Array.from(d.detections.clickIndex),
    })),
  }), "utf8");
}

/** Reads {@link encodeAblationShard}'s bytes back; `what` names the stored entry in errors. */
export function decodeAblationShard(buf: Buffer, what = "stored ablate result"): AblationShardResult {
  let v: { magic?: string; stats: Record<string, number>; seconds: number; images: { i: number; b: number[]; s: number[]; c: number[]; k: number[] }[] };
  try {
    v = JSON.parse(buf.toString("utf8"));
  } catch {
    throw new DealkitInputError("not a dealkit ablate result (bad JSON)", { file: what });
  }
  if (v.magic !== MAGIC) throw new DealkitInputError(`not a dealkit ablate result (magic ${String(v.magic)})`, { file: what });
  return {
    stats: v.stats, seconds: v.seconds,
    images: v.images.map((d) => ({
      imageIndex: d.i,
      detections: createDetections(Float32Array.from(d.b), Float32Array.from(d.s), Int32Array.from(d.c), Int32Array.from(d.k)),
    })),
  };
}

/** Options of {@link ablateOnQueue}: the ablation (a data spec, not built data), the queue's, and the shard count. */
export interface QueuedAblationOptions extends Omit<PromptAblationSpec, "model" | "data" | "cache" | "onProgress">, RunQueuedOptions {
  /** A shipped model name, the reference "template", or a checkpoint folder (it travels as an absolute path). */
  model: string;
  data?: DatasetSpec;
  /** Queue URL, `redis://host:port`. */
  url: string;
  /** Image ranges per (cell, seed) run; default 1 (one job per run). */
  shards?: number;
}

/** The content key of an ablate job: model and data fingerprints, cell, seed, range, and what makes the clicks and metrics. */
export function ablateJobKey(modelFingerprint: string, dataFingerprint: string, cell: AblateShardJob["cell"], seed: number, range: { start: number; end: number }): string {
  return shardKey({
    kind: "ablate", model: modelFingerprint, data: dataFingerprint, shard: { cell: cellId(cell), seed, ...range },
    settings: { inferenceRevision: INFERENCE_REVISION, samplerId: P2SOD_ABLATION.samplerId, evaluatorId: P2SOD_ABLATION.evaluatorId },
  });
}

/**
 * {@link ablatePrompts} with the (cell, seed) runs done by queue workers: one job per cell x seed (x image range
 * with `shards` > 1); each job samples the clicks and detects on a worker, and this process evaluates each run's
 * images together, so the tables are the in-process ones number for number (only the `cached` and `seconds`
 * columns of `runs` say how this run went). Results are stored in Redis under content keys (model fingerprint,
 * data fingerprint, cell, seed, range, INFERENCE_REVISION, sampler, evaluator): a re-run does no work. Paths
 * travel absolute; workers must see them under their data roots.
 *
 * @example
 * const r = await ablateOnQueue({ url: "redis://127.0.0.1:6379", model: "deal-tiny", data: { data: "default" }, grid: "small" });
 */
export async function ablateOnQueue(o: QueuedAblationOptions): Promise<AblationResult & { images: number }> {
  const shards = o.shards ?? 1;
  if (!Number.isInteger(shards) || shards < 1) throw new DealkitConfigError(`--shards must be an integer >= 1; got ${String(shards)}`);
  const grid = ablationGrid(checkOneOf("--grid", o.grid ?? "small", ABLATION_GRID_NAMES));
  grid.forEach(checkCell);
  const seeds = o.seeds ?? [0, 1, 2];
  const data = absoluteSpec(o.data ?? {});
  const sel = { ...(o.imagesPerDomain !== undefined ? { imagesPerDomain: o.imagesPerDomain } : {}), ...(o.maxImages !== undefined ? { maxImages: o.maxImages } : {}) };
  const abl = await ablationDataOf({ data, ...sel });
  const dataFingerprint = ablationDataFingerprint(abl);
  const loaded = loadModel(o.model);
  const fingerprint = loaded.fingerprint;
  loaded.model.dispose();
  const named = (SHIPPED_MODELS as readonly string[]).includes(o.model) || (REFERENCE_MODELS as readonly string[]).includes(o.model);
  const model = named ? o.model : path.resolve(loaded.dir !== "" ? loaded.dir : o.model); // a checkpoint folder travels absolute
  const ranges = shardRanges(abl.images.length, shards);
  const jobs: AblateShardJob[] = [];
  for (const cell of grid) {
    for (const seed of seeds) {
      for (const r of ranges) {
        jobs.push({
          kind: "ablate", key: ablateJobKey(fingerprint, dataFingerprint, cell, seed, r), shard: jobs.length, of: grid.length * seeds.length * ranges.length,
          model, modelFingerprint: fingerprint, data, ...sel, dataFingerprint, cell, seed, start: r.start, end: r.end,
        });
      }
    }
  }
  const { results: buffers, stored } = await runQueuedJobs(o.url, abl.images.length ? jobs : [], o);
  const runs: AblationRun[] = [];
  let j = 0;
  for (const cell of grid) {
    for (const seed of seeds) {
      const parts: AblationShardResult[] = [];
      let allStored = true;
      for (let r = 0; r < ranges.length && abl.images.length; r++, j++) {
        parts.push(decodeAblationShard(buffers[j]!, `ablate ${cellId(cell)} seed ${seed} (${jobs[j]!.key})`));
        allStored &&= stored[j]!;
      }
      const metrics = await ablationMetrics({ data: abl, evaluate: P2SOD_ABLATION.evaluate }, cell, parts.flatMap((p) => p.images));
      runs.push({ cell, seed, cached: allStored && parts.length > 0, seconds: parts.reduce((s, p) => s + p.seconds, 0), metrics });
    }
  }
  const cached = runs.filter((r) => r.cached).length;
  return { ...ablationResultOf(grid, runs), computed: runs.length - cached, cached, dataFingerprint, images: abl.images.length };
}

function absoluteSpec(spec: DatasetSpec): DatasetSpec {
  const out: DatasetSpec = { ...spec };
  if (out.data !== undefined && out.data !== "default") out.data = path.resolve(out.data);
  for (const k of ["gt", "images", "classes"] as const) if (out[k] !== undefined) out[k] = path.resolve(out[k]!);
  return out;
}
