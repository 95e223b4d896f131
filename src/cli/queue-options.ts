import {
  ablateOnQueue, cocoEvaluateOnQueue, predictOnQueue, type AblationResult, type QueuedAblationOptions, type CocoEvaluateOptions, type CocoEvaluation, type PredictSpec, type PredictSpecResult,
  formatQueueProgress,
} from "../index.js";
import { numberOption } from "./data-options.js";

/** The queue options `predict` and `eval` share, as commander parses them. */
export interface QueueCommandOptions {
  queue?: string;
  shards?: string;
}

export { formatQueueProgress };

export function shardsOf(o: QueueCommandOptions): number | undefined {
  return o.shards !== undefined ? numberOption("--shards", o.shards, { integer: true, min: 1 }) : undefined;
}

/**
 * `dealkit eval --queue URL [--shards N]`: the evaluation `options` describe, matched on workers and merged
 * ({@link cocoEvaluateOnQueue}); progress lines go to `log` (stderr).
 */
export async function evaluateOnQueueCommand(
  o: QueueCommandOptions & { gt: string; dt: string }, options: CocoEvaluateOptions,
  log: (line: string) => void = (l) => process.stderr.write(l + "\n"),
): Promise<CocoEvaluation> {
  const shards = shardsOf(o);
  return cocoEvaluateOnQueue(o.gt, o.dt, {
    ...options, protocol: options.protocol as never, url: o.queue!, ...(shards !== undefined ? { shards } : {}),
    onProgress: (p) => log(formatQueueProgress("eval", p)),
  });
}

/**
 * `dealkit predict --queue URL [--shards N]`: the prediction `spec` describes, run on workers shard by shard and
 * concatenated in image order ({@link predictOnQueue}); progress lines go to `log`.
 */
export async function predictOnQueueCommand(o: QueueCommandOptions, spec: PredictSpec, log: (line: string) => void): Promise<PredictSpecResult> {
  const shards = shardsOf(o);
  const { onProgress: _perImage, ...rest } = spec;
  return predictOnQueue({ ...rest, url: o.queue!, ...(shards !== undefined ? { shards } : {}), onProgress: (p) => log(formatQueueProgress("predict", p)) });
}

/**
 * `dealkit ablate --queue URL [--shards N]`: the ablation `spec` describes, one job per cell x seed (x image range
 * with N > 1) on workers, evaluated and tabulated here ({@link ablateOnQueue}); progress lines go to `log`:
 * `ablate on queue: 5/24 cell runs done (2 stored), 0 failed, 1 retried`.
 */
export async function ablateOnQueueCommand(
  o: QueueCommandOptions, spec: Omit<QueuedAblationOptions, "url" | "shards" | "onProgress">, log: (line: string) => void,
): Promise<AblationResult & { images: number }> {
  const shards = shardsOf(o);
  const unit = shards !== undefined && shards > 1 ? "cell runs x image ranges" : "cell runs";
  return ablateOnQueue({ ...spec, url: o.queue!, ...(shards !== undefined ? { shards } : {}), onProgress: (p) => log(formatQueueProgress("ablate", p, unit)) });
}
