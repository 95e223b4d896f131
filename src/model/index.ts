// The public surface of src/model/: the networks (DEAL, its baseline) and, in loss/, how each is trained.
// The shared vocabulary (Click, Detections, PromptableDetector, DetectOptions) lives in src/structures/.
// Re-exported by src/index.ts; export names must be unique project-wide.
export { MODEL_PRESETS, MODEL_KINDS, FINE_STRIDE, resolveModelConfig, type ModelConfig, type ModelConfigInput, type ModelPreset, type ModelKind } from "./config.js";
export { ParamStore, type ParamInit } from "./params.js";
export { DealModel, createDeal, type DealOutputs } from "./deal.js";
export { BaselineModel, createBaseline, type BaselineOutputs } from "./baseline.js";
export { queriesForCount, type QueryAllocation } from "./query-allocation.js";
export type { StageOutput } from "./decoder.js";
export type { EnhancedFeatures } from "./hybrid-feature-enhancement.js";
export { createDetector, type Detector } from "./factory.js";
export { PROMPTING_STRATEGIES, type PromptingStrategy, type TrainableDetector, type TrainingLoss, type TrainingSettings } from "./loss/training.js";
export { clickTensors, denseTargets, type BatchSample, type TrainBatch } from "./loss/batch.js";
export { splatHeatmap, splatDensity, type SampleTarget } from "./loss/targets.js";
export { hungarianMatch, MATCH_COST, type MatchPair } from "./loss/matching.js";
export { setLoss, giouPairs, heatmapFocalLoss, densityLosses, DEFAULT_LOSS_WEIGHTS, type LossWeights } from "./loss/losses.js";
export { dealLoss, addTrainingClicks } from "./loss/deal-loss.js";
export { baselineLoss } from "./loss/baseline-loss.js";
export * from "./template/index.js";
