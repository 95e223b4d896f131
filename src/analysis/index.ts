// The public surface of src/analysis/. Re-exported by src/index.ts; export names must be unique project-wide.
export { AITOD_SIZE_BINS, aitodSizeBin, type AitodSizeBin, type AnalysisImage } from "./types.js";
export { averagePrecision101, type ApPoint } from "./ap.js";
export {
  runTide,
  checkTideErrorType,
  TIDE_ERROR_TYPES,
  type TideErrorType,
  type TideOptions,
  type TideRun,
  type TideErrorRecord,
} from "./tide.js";
export {
  decomposeErrors,
  errorBreakdown,
  apByDomainAndSize,
  worstErrors,
  errorRecordsTable,
  BREAKDOWN_ALL,
  type BreakdownAxis,
  type BreakdownOptions,
  type ErrorDecomposition,
  type WorstErrorsOptions,
} from "./decompose.js";
export { confusionMatrix, CONFUSION_BACKGROUND, type ConfusionOptions } from "./confusion.js";
export { meanInterval, studentTQuantile, studentTCdf, type MeanInterval } from "./stats.js";
export {
  ablationGrid,
  cellId,
  checkCell,
  ABLATION_GRIDS,
  ABLATION_CLICK_POSITIONS,
  ABLATION_PROMPT_SOURCES,
  ABLATION_SPLITS,
  ABLATION_JITTER_SCALES,
  ABLATION_CLICK_COUNTS,
  ABLATION_BASE_CELL,
  type AblationCell,
  type AblationGridName,
  type AblationClickPosition,
  type AblationPromptSource,
  type AblationSplit,
} from "./ablate-grid.js";
export { ABLATION_CACHE_VERSION, type CachedAblationRun } from "./ablate-cache.js";
export {
  runAblation,
  ablationDataFingerprint,
  ablationDetections,
  ablationMetrics,
  ablationRunKey,
  ablationResultOf,
  type AblationRun,
  type AblationImageDetections,
  type AblationDetectionsOutput,
  type AblationImage,
  type AblationData,
  type AblationEvaluator,
  type AblationClickSampler,
  type AblationProgress,
  type AblationOptions,
  type AblationResult,
} from "./ablate.js";
export { evaluateGeneralisation, type GeneralisationOptions, type GeneralisationSetting } from "./generalisation.js";
export { promptsClickSampler, PROMPTS_SAMPLER_ID } from "./ablate-prompts.js";
export { analysisToCoco, p2sodMetrics, p2sodByDomain, P2SOD_METRIC_ALIASES, type AnalysisToCocoOptions } from "./evaluate.js";
export { ablationDataFromDataset, analysisImagesFrom, type AblationDataOptions } from "./ablate-data.js";
export { createOracleDetector, type OracleDetectorOptions } from "./simulate.js";
export { runTideCompat } from "./tide-compat/run.js";
export { tideCompatInputFromCoco, analysisImagesFromCoco } from "./tide-compat/coco.js";
export { TideCompatApData, tideCompatClassAp, type TideCompatPoint, type TideCompatClassData } from "./tide-compat/ap.js";
export {
  TIDE_COMPAT_ERRORS,
  TIDE_COMPAT_SPECIAL,
  type TideCompatErrorName,
  type TideCompatSpecialName,
  type TideCompatGt,
  type TideCompatDetection,
  type TideCompatInput,
  type TideCompatOptions,
  type TideCompatRun,
} from "./tide-compat/types.js";
export { imageWeightedEvaluator, type ImageWeightedEvaluator } from "./bootstrap-eval.js";
export { type ImageWeightedOptions, type BootstrapGt, type BootstrapDt } from "./bootstrap-input.js";
export {
  pairedBootstrap, bootstrapInterval, bootstrapQuantile,
  type BootstrapOptions, type PairedBootstrapRow, type PairedBootstrapResult, type BootstrapIntervalRow,
} from "./bootstrap.js";
export { pooledPairedBootstrap, type PooledRun } from "./bootstrap-pooled.js";
export { aggregateRuns, type AggregateRunsOptions } from "./aggregate.js";
export { oracleBoxes, oracleScores, type OracleBoxOptions, type OracleScoreOptions } from "./oracle.js";
export { bootstrapTable, bootstrapSummaryText, type BootstrapSummaryOptions } from "./bootstrap-table.js";
