// The public surface of src/structures/: the shared vocabulary every other module speaks (images, boxes,
// clicks, detections, ground truth, the detector contract). It imports nothing but src/util.
// Re-exported by src/index.ts; export names must be unique project-wide.
export type { RgbImage } from "./image.js";
export { Boxes, convertBoxArray, BOX_FORMATS, BOX_UNITS, type BoxFormat, type BoxUnit } from "./boxes.js";
export { xywhToXyxy, xyxyToXywh, type BboxXywh, type BboxXyxy } from "./bbox.js";
export {
  boxIou,
  boxIoa,
  generalizedBoxIou,
  matrixAt,
  intersectionXyxy,
  iouXyxy,
  iosXyxy,
  giouXyxy,
  overlapXyxy,
  type PairwiseMatrix,
  type MatchMetric,
} from "./iou.js";
export { Points } from "./points.js";
export { checkClicks, groupPrompts, type Click, type PromptGroup } from "./click.js";
export {
  createDetections,
  emptyDetections,
  selectDetections,
  concatDetections,
  translateDetections,
  detectionOrder,
  detectionBoxes,
  type Detections,
} from "./detections.js";
export { makeGroundTruth, checkGroundTruth, selectGroundTruth, gtBoxXywh, gtTargets, type GroundTruth, type GroundTruthObject } from "./ground-truth.js";
export { DETECT_DEFAULTS, type DetectOptions, type PromptEmbedding, type PromptableDetector, type DetectorKind } from "./detector.js";
