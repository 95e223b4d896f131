// The public surface of src/eval/. Re-exported by src/index.ts; export names must be unique project-wide.
export {
  cocoLinspace, COCO_IOU_THRS, COCO_REC_THRS, COCO_AREA_RANGES, AITOD_AREA_RANGES, evalParams, evalIouLabel,
  evalParseAreaRanges, evalParseIouThrs, evalParseMaxDets, evalFindThreshold,
  type EvalAreaRange, type EvalParams, type EvalParamsInput,
} from "./params.js";
export {
  cocoReadJsonFile, cocoLoadGt, cocoLoadDt, cocoLoadFiles, checkResultsPairing, RESULTS_PAIRING_FIELD,
  type CocoGtJson, type CocoDtData, type CocoGtData, type CocoImageJson, type CocoAnnotationJson, type CocoDetectionJson,
} from "./load.js";
export { cocoBoxIouXywh, evalNwdXywh, NWD_DEFAULT_C, type EvalSimilarity } from "./similarity.js";
export { cocoMatch, MATCH_IGNORED, MATCH_TP, MATCH_FP, type CocoMatchData, type CocoMatchOptions } from "./match.js";
export { cocoAccumulate, accumulateCategory, type CocoAccumulated, type CocoAccumulateOptions } from "./accumulate.js";
export {
  evalPairwiseSum, cocoReduce, evalIouSetLabel, evalStatSpec, cocoStandardSummarySpecs, cocoStockSummarySpecs, cocoSummarize,
  type EvalStatSpec, type EvalStat, type CocoReduceSelection,
} from "./summarize.js";
export {
  EVAL_PROTOCOLS, evalProtocol, aitodSummarySpecs, p2sodSummarySpecs,
  type EvalProtocolName, type EvalProtocol, type EvalProtocolOptions,
} from "./protocols.js";
export {
  cocoEvaluate, cocoEvalPlan, cocoEvaluationOf, cocoPerCategoryAp, cocoFingerprintGt, cocoFingerprintDt, evalResultsComparable,
  type CocoEvaluateOptions, type CocoEvalPlan, type EvalResults, type CocoEvaluation,
} from "./evaluator.js";
export { evalSynthCase, evalSynthRange, type EvalSynthOptions } from "./synth.js";
export {
  evalPerCategoryTable, evalPerSizeTable, evalPerDomainTable, evalDomains, evalDomainMask, evalPrCurves,
  type EvalPrCurveOptions,
} from "./breakdowns.js";
export { evalCentreOffsets, evalNwdStats, type EvalCentreOffsetOptions, type EvalNwdOptions } from "./extras.js";
export { cocoOlrp, cocoOlrpMean, type CocoOlrp } from "./olrp.js";
export {
  encodeCompactMatch, readCompactHeader, compactHeaderBytes, compactCategoryRange, decodeCompactCategory, mergeCompactCategory,
  cocoAccumulateStreamed, compactSourceOf, type CompactCategory, type CompactHeader, type CompactSource,
} from "./compact.js";
