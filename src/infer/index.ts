// The public surface of src/infer/: prompted detection, sliced inference and box merging.
// Re-exported by src/index.ts; export names must be unique project-wide.
export { detect, checkClicksInImage, type PromptDetectOptions } from "./detect.js";
export {
  detectSliced,
  type SlicedDetectOptions,
  type SlicedResult,
  type SlicedStats,
} from "./sliced.js";
export { mergeBoxes, boxMatch, type MergeOptions, type MergeResult, type MatchMetric, type MergeMethod } from "./merge.js";
export { resolveSeams, type SeamStats } from "./seams.js";
