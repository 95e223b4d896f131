// The public surface of src/train/: the training engine (data stream, optimiser, schedule, loop, checkpoints).
// What a model's loss is lives with the model (src/model/loss/). Re-exported by src/index.ts; export names must
// be unique project-wide.
export { arraySource, trainingTargets, type TrainExample, type TrainSource } from "./source.js";
export { drawBatch } from "./batch.js";
export { AdamW, clipByGlobalNorm, type AdamWOptions, type AdamWState } from "./optimizer.js";
export { warmupCosine } from "./schedule.js";
export { optimizeStep, DealkitTrainingError, type LossTerms, type StepReport } from "./step.js";
export { saveCheckpoint, checkpointFingerprint, loadCheckpoint, loadWeightsInto, loadOptimizerState, readManifest, type CheckpointManifest, type CheckpointContent, type CheckpointTensor } from "./checkpoint.js";
export { trainDetector, type TrainOptions, type TrainProgress, type TrainLogRow, type TrainResult } from "./loop.js";
export { datasetSource } from "./dataset-source.js";
export { defaultWorkerCount, parallelStep, TrainWorkers } from "./parallel/index.js";
