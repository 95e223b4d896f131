import * as path from "node:path";
import { cocoEvalPlan, cocoEvaluationOf, type CocoEvaluateOptions, type CocoEvaluation } from "../eval/evaluator.js";
import { cocoLoadFiles } from "../eval/load.js";
import { DealkitConfigError } from "../util/errors.js";
import { decodeMatch } from "./codec.js";
import { mergeShardMatches, shardRanges } from "./eval-shard.js";
import type { EvalShardJob } from "./jobs.js";
import { fileSha256, shardKey } from "./keys.js";
import { runQueuedShards, type RunQueuedOptions } from "./submit.js";

/** Options of {@link cocoEvaluateOnQueue}: the evaluation's, the queue's, and the shard count. */
export interface QueuedEvalOptions extends Omit<CocoEvaluateOptions, "protocol">, RunQueuedOptions {
  /** Protocol name (a ready protocol object cannot travel to the workers). Default "coco". */
  protocol?: Extract<CocoEvaluateOptions["protocol"], string>;
  /** Queue URL, `redis://host:port`. */
  url: string;
  /** Image ranges to split the evaluation into; default 8 (never more than the images). */
  shards?: number;
}

/**
 * {@link cocoEvaluate} with the per-image evaluation done by queue workers: the images are split into `shards`
 * contiguous ranges, each range's per-image matching ({@link matchImageRange}) runs on a worker, and the shards'
 * matches are merged ({@link mergeShardMatches}) before the one accumulation, so the result is the single-process
 * one number for number (shard APs are never averaged). The files travel as absolute paths: workers must see
 * them at the same path, under their data roots.
 *
 * @example
 * const ev = await cocoEvaluateOnQueue("gt.json", "dt.json", { url: "redis://127.0.0.1:6379", shards: 16, protocol: "aitod" });
 * ev.results.stats;
 */
export async function cocoEvaluateOnQueue(gtFile: string, dtFile: string, o: QueuedEvalOptions): Promise<CocoEvaluation> {
  const shards = o.shards ?? 8;
  if (!Number.isInteger(shards) || shards < 1) throw new DealkitConfigError(`--shards must be an integer >= 1; got ${String(shards)}`);
  const { gt, dt } = cocoLoadFiles(gtFile, dtFile);
  const plan = cocoEvalPlan(o);
  const gtAbs = path.resolve(gtFile);
  const dtAbs = path.resolve(dtFile);
  const gtSha256 = fileSha256(gtAbs);
  const dtSha256 = fileSha256(dtAbs);
  const ranges = shardRanges(gt.imgIds.length, shards);
  const settings = { params: plan.protocol.params, similarity: plan.similarity, record: plan.record ?? null };
  const jobs: EvalShardJob[] = ranges.map((r, i) => ({
    kind: "eval", key: shardKey({ kind: "eval", model: "", data: `${gtSha256}:${dtSha256}`, shard: r, settings }),
    shard: i, of: ranges.length, gtFile: gtAbs, dtFile: dtAbs, gtSha256, dtSha256, start: r.start, end: r.end,
    params: plan.protocol.params, similarity: plan.similarity, ...(plan.record ? { record: plan.record } : {}),
  }));
  const t0 = performance.now();
  const buffers = await runQueuedShards(o.url, jobs, o);
  const merged = mergeShardMatches(buffers.map((b, i) => decodeMatch(b, `eval shard ${i + 1}/${jobs.length} (${jobs[i]!.key})`)), dt.score);
  return cocoEvaluationOf(gt, dt, plan, merged, performance.now() - t0);
}
