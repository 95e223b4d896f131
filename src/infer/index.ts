// The public surface of src/infer/: prompted detection, sliced inference, box merging and dataset-level
// prediction. Re-exported by src/index.ts; export names must be unique project-wide.
export { detect, clickGroups } from "./detect.js";
export {
  detectSliced,
  type SlicedDetectOptions,
  type SlicedResult,
  type SlicedStats,
} from "./sliced.js";
export { mergeBoxes, type MergeOptions, type MergeResult, type MergeMethod } from "./merge.js";
export { resolveSeams, type SeamStats } from "./seams.js";
export { predictDataset, mergeClassAgnostic, type PredictDatasetOptions } from "./predict-dataset.js";
export { DetectorWorkers, concurrencyOf, type ReplicableDetector } from "./parallel/workers.js";
