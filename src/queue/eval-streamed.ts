import { cocoAccumulateStreamed, compactCategoryRange, compactHeaderBytes, readCompactHeader, type CompactSource } from "../eval/compact.js";
import type { CocoAccumulated } from "../eval/accumulate.js";
import { cocoEvalPlan, type CocoEvaluateOptions } from "../eval/evaluator.js";
import { cocoSummarize, type EvalStat } from "../eval/summarize.js";
import type { EvalSynthOptions } from "../eval/synth.js";
import { contentFingerprint } from "../util/fingerprint.js";
import { DealkitConfigError } from "../util/errors.js";
import { redisClient } from "./bull.js";
import { shardRanges } from "./eval-shard.js";
import { resultKeyOf, type EvalSynthShardJob } from "./jobs.js";
import { shardKey } from "./keys.js";
import { runQueuedJobs, type RunQueuedOptions } from "./submit.js";
import { parseQueueUrl } from "./url.js";

/** Options of {@link evaluateSynthOnQueue}. */
export interface QueuedSynthEvalOptions extends RunQueuedOptions {
  url: string;
  /** The synthetic case ({@link evalSynthRange}); `images` is its size. */
  synth: EvalSynthOptions;
  /** Protocol name; default "coco". oLRP (aitod) needs per-detection matches and is not computed here. */
  protocol?: Extract<CocoEvaluateOptions["protocol"], string>;
  /** Image ranges; default 64. */
  shards?: number;
}

/** What {@link evaluateSynthOnQueue} returns. */
export interface QueuedSynthEvaluation {
  accumulated: CocoAccumulated;
  summary: EvalStat[];
  stats: Record<string, number>;
  /** Seconds: waiting for the workers (generate + match), then reading and accumulating category by category. */
  timings: { queueS: number; accumulateS: number };
  /** Bytes of compact results stored in Redis for this case. */
  storedBytes: number;
}

/**
 * Evaluates a synthetic case of any size on queue workers with bounded memory everywhere: each worker generates
 * its image range from the seed ({@link evalSynthRange}: no file of the case ever exists), matches it and stores
 * its compact match results ({@link encodeCompactMatch}) in Redis; this process then reads the ranges category
 * by category (Redis GETRANGE) and accumulates ({@link cocoAccumulateStreamed}), so it holds one category's slots
 * at a time. The numbers are those of one {@link cocoEvaluate} over the whole case (without oLRP).
 *
 * @example
 * const ev = await evaluateSynthOnQueue({ url, synth: { images: 268_000, gtPerImage: 33.6, dtPerGt: 3, categories: 10, seed: 9 }, shards: 64 });
 */
export async function evaluateSynthOnQueue(o: QueuedSynthEvalOptions): Promise<QueuedSynthEvaluation> {
  const shards = o.shards ?? 64;
  if (!Number.isInteger(shards) || shards < 1) throw new DealkitConfigError(`--shards must be an integer >= 1; got ${String(shards)}`);
  const plan = cocoEvalPlan({ protocol: o.protocol ?? "coco" });
  const params = plan.protocol.params;
  const nImg = o.synth.images ?? 100;
  const ranges = shardRanges(nImg, shards);
  const data = contentFingerprint("evalSynthRange", o.synth);
  const jobs: EvalSynthShardJob[] = ranges.map((r, i) => ({
    kind: "eval-synth", key: shardKey({ kind: "eval-synth", model: "", data, shard: r, settings: { params } }), shard: i, of: ranges.length,
    synth: o.synth, start: r.start, end: r.end, params,
  }));
  let t = performance.now();
  await runQueuedJobs(o.url, jobs, { ...o, fetch: false });
  const queueS = (performance.now() - t) / 1000;
  t = performance.now();
  const store = await redisClient(parseQueueUrl(o.url));
  try {
    const sources: CompactSource[] = [];
    let storedBytes = 0;
    for (const j of jobs) {
      const key = resultKeyOf(j.key);
      const prefix = await store.getrangeBuffer(key, 0, 7);
      const header = readCompactHeader(await store.getrangeBuffer(key, 0, compactHeaderBytes(prefix) - 1), `eval-synth shard ${j.shard + 1}/${j.of}`);
      storedBytes += header.bytes;
      sources.push({ header, category: (k) => { const r = compactCategoryRange(header, k); return r.end > r.start ? store.getrangeBuffer(key, r.start, r.end - 1) : Buffer.alloc(0); } });
    }
    const accumulated = await cocoAccumulateStreamed(params, sources);
    const summary = cocoSummarize(accumulated, params, plan.protocol.summary);
    const stats: Record<string, number> = {};
    for (const s of summary) stats[s.label] = s.value;
    return { accumulated, summary, stats, timings: { queueS, accumulateS: (performance.now() - t) / 1000 }, storedBytes };
  } finally {
    await store.quit();
  }
}
