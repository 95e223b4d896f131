import type { DetectionList } from "../model/types.js";

/**
 * One image as the analysis tools see it: its ground truth (xyxy px, columnar) and the detections a model
 * returned for it. Build these with {@link analysisImagesFrom} or by hand in tests.
 *
 * @example
 * const img: AnalysisImage = {
 *   imageId: 1, domain: "uav",
 *   gtBoxesXyxy: new Float32Array([10, 10, 20, 20]), gtCategoryIds: new Int32Array([3]),
 *   detections: { length: 0, boxesXyxy: new Float32Array(0), scores: new Float32Array(0),
 *     categoryIds: new Int32Array(0), clickIndex: new Int32Array(0) },
 * };
 */
export interface AnalysisImage {
  imageId: number;
  /** The image's domain (TinySet's six domains); "all" when absent. */
  domain?: string;
  /** Ground-truth boxes, xyxy px, 4 numbers per box. */
  gtBoxesXyxy: Float32Array | Float64Array;
  gtCategoryIds: Int32Array;
  /** 1 marks a crowd / ignore region (COCO iscrowd): it is never matched and hides detections inside it. */
  gtIgnore?: Uint8Array;
  /** Annotation ids (default: the index within the image). */
  gtIds?: Int32Array;
  /** The annotation `area` field (px^2) that size ranges use, as in pycocotools; default: box width * height. */
  gtAreaPx2?: Float64Array | Float32Array;
  detections: DetectionList;
}

/** The AI-TOD size bins (area in px^2): very tiny [0, 8^2), tiny [8^2, 16^2), small [16^2, 32^2), medium [32^2, inf). */
export type AitodSizeBin = "veryTiny" | "tiny" | "small" | "medium";

/**
 * The AI-TOD size bins in order, with their area ranges in px^2 as the AI-TOD COCO API uses them (both ends
 * inclusive, so an area of exactly 64 counts in "veryTiny" and "tiny"; medium ends at 1e10).
 */
export const AITOD_SIZE_BINS: readonly { bin: AitodSizeBin; minAreaPx2: number; maxAreaPx2: number }[] = [
  { bin: "veryTiny", minAreaPx2: 0, maxAreaPx2: 8 * 8 },
  { bin: "tiny", minAreaPx2: 8 * 8, maxAreaPx2: 16 * 16 },
  { bin: "small", minAreaPx2: 16 * 16, maxAreaPx2: 32 * 32 },
  { bin: "medium", minAreaPx2: 32 * 32, maxAreaPx2: 1e10 },
];

/**
 * The one AI-TOD size bin of a box area in px^2, half-open as the paper writes the bins (an 8 x 8 box is "tiny"),
 * for labelling single objects.
 *
 * @example
 * aitodSizeBin(10 * 10); // "tiny"
 */
export function aitodSizeBin(areaPx2: number): AitodSizeBin {
  for (const b of AITOD_SIZE_BINS) if (areaPx2 < b.maxAreaPx2) return b.bin;
  return "medium";
}
