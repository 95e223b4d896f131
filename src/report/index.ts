// The public surface of src/report/: the main job, its paper reproduction and its HTML report.
export {
  reproduce,
  defaultReproduceNotebooks,
  REPRODUCE_NOTEBOOK,
  reportIndexHtml,
  isReportFolder,
  type ReproduceOptions,
  type ReproduceResult,
} from "./reproduce.js";
export {
  runPaperReproduction,
  paperOptionsFromEnv,
  PAPER_OPTIONS_ENV,
  type PaperReproductionOptions,
  type PaperReproduction,
  type PaperDomainRow,
} from "./paper.js";
export {
  PAPER_METRIC_COLUMNS,
  paperMetricsFrom,
  relativeChangePct,
  paperHeadline,
  paperTable,
  paperTableText,
  formatAp,
  formatPct,
  type PaperMetrics,
  type PaperRow,
  type PaperComparison,
  type PaperHeadline,
} from "./paper-table.js";
export { PAPER_CACHE_VERSION, paperCacheKey, type PaperCacheKeyParts } from "./paper-cache.js";
export {
  paperDataStage,
  paperModelsStage,
  paperPredictStage,
  paperEvalStage,
  paperTideStage,
  paperAblationStage,
  PAPER_PREDICT,
  PAPER_MERGE_IOU,
  type PaperContext,
  type PaperModel,
  type PaperPredictions,
} from "./paper-stages.js";
export { restrictToCategories } from "./paper-eval.js";
export {
  PAPER_MODELS,
  PAPER_TRAIN_SETTINGS,
  resolvePaperModel,
  type PaperModelRole,
  type PaperModelSpec,
  type ResolvedPaperModel,
  type PaperTrainProgress,
} from "./paper-models.js";
