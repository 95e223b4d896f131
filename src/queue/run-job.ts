import * as fs from "node:fs";
import { encodeCompactMatch } from "../eval/compact.js";
import { cocoLoadDt, cocoLoadFiles, cocoLoadGt, type CocoDtData, type CocoGtData } from "../eval/load.js";
import { cocoMatch } from "../eval/match.js";
import { evalSynthRange } from "../eval/synth.js";
import { predictDataset } from "../infer/predict-dataset.js";
import type { PromptSetting } from "../prompts/prompt-sets.js";
import type { ClickSamplerName } from "../prompts/samplers.js";
import { readClicksFile } from "../recipes/clicks-file.js";
import { openDataset, type DatasetSpec, type OpenedDataset } from "../recipes/dataset.js";
import { loadModel, resolveModelDir, SHIPPED_MODELS, REFERENCE_MODELS, type LoadedModel } from "../recipes/model.js";
import { ablationDataFingerprint, ablationDetections, type AblationData, type AblationImage } from "../analysis/ablate.js";
import { ablationDataOf, P2SOD_ABLATION } from "../recipes/ablate.js";
import type { RgbImage } from "../structures/image.js";
import { DealkitInputError } from "../util/errors.js";
import { encodeAblationShard } from "./ablate-queued.js";
import { encodeMatch } from "./codec.js";
import { matchImageRange } from "./eval-shard.js";
import type { AblateShardJob, EvalShardJob, EvalSynthShardJob, PredictShardJob, QueueJob } from "./jobs.js";
import { fileSha256 } from "./keys.js";
import { checkUnderRoots } from "./roots.js";

/** What a worker keeps between jobs: the last files, data set and model it opened (reused by the next shards). */
export interface JobContext {
  /** Folders a job may read from; anything else is refused with its path named. */
  dataRoots: readonly string[];
  evalFiles?: { gt: string; dt: string; gtSha: string; dtSha: string; data: { gt: CocoGtData; dt: CocoDtData } };
  dataset?: { spec: string; opened: OpenedDataset };
  model?: { name: string; loaded: LoadedModel };
  /** The last ablation data built, and the pixels of its images read so far (at most {@link ABLATION_PIXEL_CACHE}). */
  ablation?: { spec: string; data: AblationData; fingerprint: string; pixels: Map<number, Promise<RgbImage>> };
}

/** Images whose pixels a worker keeps between ablate jobs (the runs of one range share them). */
const ABLATION_PIXEL_CACHE = 512;

/**
 * Runs one queue job in this process and returns its result bytes: an eval shard's encoded per-image evaluation,
 * or a predict shard's COCO results as JSON. Every path the job names must lie under `ctx.dataRoots`; files are
 * checked against the fingerprints taken at submission.
 *
 * @example
 * const bytes = await runQueueJob(job.data, { dataRoots: ["/data"] });
 */
export async function runQueueJob(job: QueueJob, ctx: JobContext): Promise<Buffer> {
  if (job.kind === "eval") return runEvalShard(job, ctx);
  if (job.kind === "predict") return runPredictShard(job, ctx);
  if (job.kind === "ablate") return runAblateShard(job, ctx);
  if (job.kind === "eval-synth") return runEvalSynthShard(job);
  throw new DealkitInputError(`unknown job kind "${String((job as { kind?: unknown }).kind)}" (this worker runs eval, eval-synth, predict and ablate)`, { field: "kind" });
}

function checkedSha(file: string, expected: string, ctx: JobContext): string {
  const real = checkUnderRoots(file, ctx.dataRoots);
  if (!fs.existsSync(real)) throw new DealkitInputError("no such file on this worker", { file });
  const sha = fileSha256(real);
  if (sha !== expected) throw new DealkitInputError(`file differs from the one submitted (sha256 ${sha.slice(0, 12)}, submitted ${expected.slice(0, 12)})`, { file });
  return real;
}

function runEvalShard(job: EvalShardJob, ctx: JobContext): Buffer {
  const c = ctx.evalFiles;
  if (!c || c.gt !== job.gtFile || c.dt !== job.dtFile || c.gtSha !== job.gtSha256 || c.dtSha !== job.dtSha256) {
    const gt = checkedSha(job.gtFile, job.gtSha256, ctx);
    const dt = checkedSha(job.dtFile, job.dtSha256, ctx);
    ctx.evalFiles = undefined; // drop the old files before loading new ones
    ctx.evalFiles = { gt: job.gtFile, dt: job.dtFile, gtSha: job.gtSha256, dtSha: job.dtSha256, data: cocoLoadFiles(gt, dt) };
  }
  const { gt, dt } = ctx.evalFiles!.data;
  const m = matchImageRange(gt, dt, job.params, job.start, job.end, { similarity: job.similarity, record: job.record });
  return encodeMatch(m);
}

/** A synthetic range: generated here from its seed (no path is read), matched, compacted. */
function runEvalSynthShard(job: EvalSynthShardJob): Buffer {
  const part = evalSynthRange(job.synth, job.start, job.end);
  const gt = cocoLoadGt(part.gt);
  const dt = cocoLoadDt(part.dt, gt);
  part.gt.annotations.length = 0;
  part.dt.length = 0;
  return encodeCompactMatch(cocoMatch(gt, dt, job.params), dt.score);
}

/** The paths a data spec reads ("default" TinySet-mini is the worker's own cache, not a path). */
function dataPaths(spec: DatasetSpec): string[] {
  const out: string[] = [];
  if (spec.data !== undefined && spec.data !== "default") out.push(spec.data);
  for (const p of [spec.gt, spec.images, spec.classes]) if (p !== undefined) out.push(p);
  return out;
}

/** The job's model, checked: under a data root unless a shipped or reference name, and with the submitted fingerprint. */
function modelOf(job: { model: string; modelFingerprint: string }, ctx: JobContext): LoadedModel {
  const named = (SHIPPED_MODELS as readonly string[]).includes(job.model) || (REFERENCE_MODELS as readonly string[]).includes(job.model);
  if (!named) checkUnderRoots(resolveModelDir(job.model), ctx.dataRoots);
  if (ctx.model?.name !== job.model) {
    ctx.model?.loaded.model.dispose();
    ctx.model = undefined;
    ctx.model = { name: job.model, loaded: loadModel(job.model) };
  }
  const loaded = ctx.model.loaded;
  if (loaded.fingerprint !== job.modelFingerprint) {
    throw new DealkitInputError(`model differs from the one submitted (fingerprint ${loaded.fingerprint}, submitted ${job.modelFingerprint})`, { file: job.model });
  }
  return loaded;
}

async function runAblateShard(job: AblateShardJob, ctx: JobContext): Promise<Buffer> {
  for (const p of dataPaths(job.data)) checkUnderRoots(p, ctx.dataRoots);
  const sel = { data: job.data, imagesPerDomain: job.imagesPerDomain, maxImages: job.maxImages };
  const specKey = JSON.stringify(sel);
  if (ctx.ablation?.spec !== specKey) {
    ctx.ablation = undefined;
    const data = await ablationDataOf(sel);
    ctx.ablation = { spec: specKey, data, fingerprint: ablationDataFingerprint(data), pixels: new Map() };
  }
  const a = ctx.ablation;
  if (a.fingerprint !== job.dataFingerprint) {
    throw new DealkitInputError(`ablation data differs from the one submitted (fingerprint ${a.fingerprint}, submitted ${job.dataFingerprint})`, { field: "data" });
  }
  if (job.start < 0 || job.start > job.end || job.end > a.data.images.length) {
    throw new DealkitInputError(`image range [${job.start}, ${job.end}) is outside the ${a.data.images.length} images of this ablation on the worker`, { field: "shard" });
  }
  const loaded = modelOf(job, ctx);
  const pixels = (im: AblationImage): Promise<RgbImage> => {
    if (!a.pixels.has(im.imageId)) {
      if (a.pixels.size >= ABLATION_PIXEL_CACHE) a.pixels.clear();
      a.pixels.set(im.imageId, Promise.resolve(im.loadImage()));
    }
    return a.pixels.get(im.imageId)!;
  };
  const t0 = performance.now();
  const out = await ablationDetections({ detector: loaded.model, data: a.data, sampleClick: P2SOD_ABLATION.sampleClick }, job.cell, job.seed, pixels, job.start, job.end);
  return encodeAblationShard({ images: out.images, stats: out.stats, seconds: (performance.now() - t0) / 1000 });
}

async function runPredictShard(job: PredictShardJob, ctx: JobContext): Promise<Buffer> {
  for (const p of dataPaths(job.data)) checkUnderRoots(p, ctx.dataRoots);
  if (job.clicksFile !== undefined) checkUnderRoots(job.clicksFile, ctx.dataRoots);
  const specKey = JSON.stringify(job.data);
  if (ctx.dataset?.spec !== specKey) ctx.dataset = { spec: specKey, opened: await openDataset(job.data, { defaultSplit: "test" }) };
  const ds = ctx.dataset.opened.dataset;
  if (job.end > ds.images.length || job.start < 0 || job.start > job.end) {
    throw new DealkitInputError(`image range [${job.start}, ${job.end}) is outside the ${ds.images.length} images of this data on the worker`, { field: "shard" });
  }
  const loaded = modelOf(job, ctx);
  let part = ds.images.slice(job.start, job.end);
  if (job.imageIds !== undefined) {
    const want = new Set(job.imageIds);
    part = ds.images.filter((im) => want.has(im.id));
    if (part.length !== want.size) throw new DealkitInputError(`${want.size - part.length} of the shard's ${want.size} image ids are not in this data on the worker`, { field: "imageIds" });
  }
  const ids = new Set(part.map((im) => im.id));
  const shardDs = ds.filterImages((im) => ids.has(im.id));
  const s = job.settings;
  // The clicks file names images of the whole data set: read it against all of them (looked up by id).
  const clicksByImage = job.clicksFile !== undefined ? readClicksFile(job.clicksFile, ds) : undefined;
  const results = await predictDataset(loaded.model, shardDs, {
    ...(s.clicks !== undefined ? { clicks: s.clicks as PromptSetting } : {}),
    ...(s.sampler !== undefined ? { sampler: s.sampler as ClickSamplerName } : {}),
    ...(s.seed !== undefined ? { seed: s.seed } : {}),
    ...(s.scoreThreshold !== undefined ? { scoreThreshold: s.scoreThreshold } : {}),
    ...(s.maxDetections !== undefined ? { maxDetections: s.maxDetections } : {}),
    ...(s.classAgnosticMerge !== undefined ? { classAgnosticMerge: s.classAgnosticMerge } : {}),
    ...(s.slice !== undefined ? { slice: { sliceSize: s.slice, overlap: s.overlap } } : {}),
    ...(clicksByImage ? { clicksByImage } : {}),
  });
  return Buffer.from(JSON.stringify(results), "utf8");
}
