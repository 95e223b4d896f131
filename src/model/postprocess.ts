import { createDetections, type Detections } from "../structures/detections.js";
import { DETECT_DEFAULTS, type DetectOptions } from "../structures/detector.js";
import { iouXyxy } from "../structures/iou.js";

/** One candidate: a box in image pixels (xyxy), a score, a category and the click that asked for it. */
export interface Candidate {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
  categoryId: number;
  clickIndex: number;
}

const corners = (c: Candidate): [number, number, number, number] => [c.x1, c.y1, c.x2, c.y2];

/**
 * Filters one group's candidates: score >= threshold, greedy NMS at `nmsIou` (set it >= 1 to switch it off;
 * a one-to-one DETR head rarely needs it, but a briefly trained one still emits near-duplicates), highest
 * scores first, at most maxDetections.
 */
export function selectCandidates(cands: readonly Candidate[], options: DetectOptions = {}): Candidate[] {
  const thr = options.scoreThreshold ?? DETECT_DEFAULTS.scoreThreshold;
  const maxDet = options.maxDetections ?? DETECT_DEFAULTS.maxDetections;
  const nmsIou = options.nmsIou ?? DETECT_DEFAULTS.nmsIou;
  const sorted = cands.filter((c) => c.score >= thr && c.x2 > c.x1 && c.y2 > c.y1).sort((a, b) => b.score - a.score);
  const kept: Candidate[] = [];
  for (const c of sorted) {
    if (kept.length >= maxDet) break;
    if (nmsIou < 1 && kept.some((k) => iouXyxy(corners(k), 0, corners(c), 0) > nmsIou)) continue;
    kept.push(c);
  }
  return kept;
}

/**
 * Columnar {@link Detections} from candidates.
 *
 * @example
 * candidatesToDetections(selectCandidates(cands, { scoreThreshold: 0.3 }));
 */
export function candidatesToDetections(cands: readonly Candidate[]): Detections {
  return createDetections(
    Float32Array.from(cands.flatMap(corners)),
    Float32Array.from(cands, (c) => c.score),
    Int32Array.from(cands, (c) => c.categoryId),
    Int32Array.from(cands, (c) => c.clickIndex),
  );
}

/** Normalised cxcywh (flat, 4 per box) -> candidate in pixels of a width x height image, clipped to it. */
export function candidateFromNorm(b: ArrayLike<number>, o: number, width: number, height: number, score: number, categoryId: number, clickIndex: number): Candidate {
  const cx = b[o]! * width;
  const cy = b[o + 1]! * height;
  const w = b[o + 2]! * width;
  const h = b[o + 3]! * height;
  return {
    x1: Math.max(0, cx - w / 2),
    y1: Math.max(0, cy - h / 2),
    x2: Math.min(width, cx + w / 2),
    y2: Math.min(height, cy + h / 2),
    score,
    categoryId,
    clickIndex,
  };
}
