// The public surface of src/model/. Re-exported by src/index.ts; export names must be unique project-wide.
export type { Click, DetectOptions, DetectionList, PromptEmbedding, PromptableDetector } from "./types.js";
export { MODEL_PRESETS, MODEL_KINDS, FINE_STRIDE, resolveModelConfig, type ModelConfig, type ModelConfigInput, type ModelPreset, type ModelKind } from "./config.js";
export { ParamStore, type ParamInit } from "./params.js";
export { DealModel, createDeal, type DealOutputs } from "./deal.js";
export { BaselineModel, createBaseline, type BaselineOutputs } from "./baseline.js";
export { queriesForCount, type QueryAllocation } from "./query-allocation.js";
export { groupPrompts, validateClicks, type PromptGroup } from "./prompt-groups.js";
export { DETECT_DEFAULTS } from "./postprocess.js";
export type { StageOutput } from "./decoder.js";
export type { EnhancedFeatures } from "./hybrid-feature-enhancement.js";
export { createDetector, type Detector } from "./factory.js";
export { predictDataset, mergeClassAgnostic, type CocoResult, type PredictDatasetOptions } from "./predict-split.js";
export * from "./template/index.js";
