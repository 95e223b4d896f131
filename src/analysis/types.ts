import type { Detections } from "../structures/detections.js";
import type { GroundTruth } from "../structures/ground-truth.js";

/**
 * One image as the analysis tools see it: its {@link GroundTruth} (xyxy px, columnar; crowd / ignore regions
 * flagged in `gtIgnore` are never matched and hide detections inside them; `gtAreaPx2` is the area size ranges
 * use, as in pycocotools) and the detections a model returned for it. Build these with
 * {@link analysisImagesFrom}, or as `{ ...ds.groundTruth(id), detections }`, or by hand in tests.
 *
 * @example
 * const img: AnalysisImage = { ...makeGroundTruth(1, [{ bboxXywh: [10, 10, 10, 10], categoryId: 3 }]), detections: emptyDetections() };
 */
export interface AnalysisImage extends GroundTruth {
  detections: Detections;
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
