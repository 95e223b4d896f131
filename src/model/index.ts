// The public surface of src/model/: the networks (DEAL v2, its baseline) and, in loss/, how each is trained.
// The shared vocabulary (Click, Detections, PromptableDetector, DetectOptions) lives in src/structures/.
// Re-exported by src/index.ts; export names must be unique project-wide.
export { MODEL_PRESETS, MODEL_KINDS, MODEL_VERSION, DEAL_ONLY_SWITCHES, INFERENCE_REVISION, FINE_STRIDE, SIZE_REF_PX, coarsestStride, resolveModelConfig, estimateModelMemory, checkModelMemory, modelMemoryLimit, type MemoryEstimateInput, type MemoryTerm, type ModelConfig, type ModelConfigInput, type ModelPreset, type ModelKind } from "./config.js";
export { ParamStore, type ParamInit } from "./params.js";
export { DealModel, createDeal, poolExemplarVectors } from "./deal.js";
export { BaselineModel, createBaseline } from "./baseline.js";
export { DetectorNetwork, type Encoded } from "./network.js";
export type { BackboneMaps } from "./backbone.js";
export type { EnhancedFeatures } from "./hybrid-feature-enhancement.js";
export type { DenseOutputs } from "./dense-heads.js";
export { embedExemplars, exemplarLength, type Exemplar } from "./point-embedding.js";
export { DENSITY_FEATURES, densityFeatures } from "./density-activation.js";
export { allocateQueries, heatPeaks, inferenceQueryBudget, queriesForCount, strongestClassHeat, type QuerySet } from "./query-allocation.js";
export { ROI_GRID, ROI_SPAN, decodeBoxXyxy, type DecoderOutput, type DecoderInput } from "./decoder.js";
export { createDetector, type Detector } from "./factory.js";
export { DECODER_ROUNDS, DEFAULT_DECODER_ROUND, DEFAULT_TRAINING_SETTINGS, PROMPTING_STRATEGIES, type DecoderRound, type PromptingStrategy, type TrainableDetector, type TrainingLoss, type TrainingSettings } from "./loss/training.js";
export type { BatchSample, TrainBatch, TrainObject, TrainPrompt } from "./loss/batch.js";
export { classTargets, denseTargets, promptTargets, splatGaussian, gaussianSigma, type DenseTargets } from "./loss/targets.js";
export { focalLoss, weightedL1, varifocalLoss, DEFAULT_LOSS_WEIGHTS, type LossWeights } from "./loss/losses.js";
export { assignQueries, decoderLayerLoss } from "./loss/assignment.js";
export { dealLoss, addCycleClicks } from "./loss/deal-loss.js";
export { baselineLoss } from "./loss/baseline-loss.js";
export * from "./template/index.js";
