// The public surface of src/structures/. Re-exported by src/index.ts; export names must be unique project-wide.
export type { RgbImage } from "./image.js";
export { Boxes, convertBoxArray, BOX_FORMATS, BOX_UNITS, type BoxFormat, type BoxUnit } from "./boxes.js";
export { boxIou, boxIoa, generalizedBoxIou, matrixAt, type PairwiseMatrix } from "./iou.js";
export { Points } from "./points.js";
export { Detections } from "./detections.js";
