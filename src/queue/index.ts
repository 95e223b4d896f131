// The public surface of src/queue/ (scale-out on BullMQ workers over Redis). Re-exported by src/index.ts.
export { parseQueueUrl, redactQueueUrl, type QueueConnection } from "./url.js";
export { checkUnderRoots } from "./roots.js";
export { shardKey, fileSha256, type ShardKeyParts } from "./keys.js";
export { encodeMatch, decodeMatch } from "./codec.js";
export { matchImageRange, mergeShardMatches, shardRanges } from "./eval-shard.js";
export {
  DEALKIT_QUEUE_NAME, resultKeyOf, type QueueJob, type QueueJobBase, type EvalShardJob, type PredictShardJob, type PredictShardSettings, type AblateShardJob, type EvalSynthShardJob,
} from "./jobs.js";
export { runQueueJob, type JobContext } from "./run-job.js";
export { startQueueWorker, type QueueWorker, type QueueWorkerOptions } from "./worker.js";
export { runQueuedShards, runQueuedJobs, formatQueueProgress, DealkitQueueError, type QueueProgress, type RunQueuedOptions } from "./submit.js";
export { cocoEvaluateOnQueue, type QueuedEvalOptions } from "./eval-queued.js";
export { predictOnQueue, type QueuedPredictOptions } from "./predict-queued.js";
export { ablateOnQueue, ablateJobKey, encodeAblationShard, decodeAblationShard, type QueuedAblationOptions, type AblationShardResult } from "./ablate-queued.js";
export { evaluateSynthOnQueue, type QueuedSynthEvalOptions, type QueuedSynthEvaluation } from "./eval-streamed.js";
