// The public surface of src/train/. Re-exported by src/index.ts; export names must be unique project-wide.
export { arraySource, type TrainExample, type TrainSource } from "./source.js";
export { drawBatch, clickTensors, denseTargets, type BatchSample, type TrainBatch } from "./batch.js";
export { splatHeatmap, splatDensity, iouGiouCxcywh, type SampleTarget } from "./targets.js";
export { hungarianMatch, MATCH_COST, type MatchPair } from "./matching.js";
export { setLoss, giouPairs, heatmapFocalLoss, densityLosses, DEFAULT_LOSS_WEIGHTS, type LossWeights } from "./losses.js";
export { AdamW, clipByGlobalNorm, type AdamWOptions, type AdamWState } from "./optimizer.js";
export { warmupCosine } from "./schedule.js";
export { dealLoss, baselineLoss, addTrainingClicks, optimizeStep, DealkitTrainingError, PROMPTING_STRATEGIES, type PromptingStrategy, type LossTerms, type StepReport } from "./step.js";
export { saveCheckpoint, loadCheckpoint, loadWeightsInto, loadOptimizerState, readManifest, type CheckpointManifest, type CheckpointContent, type CheckpointTensor } from "./checkpoint.js";
export { trainDetector, type TrainOptions, type TrainProgress, type TrainLogRow, type TrainResult } from "./loop.js";
export { datasetSource, openTrainingSplit } from "./dataset-source.js";
