import type { DetectionList, DetectOptions } from "./types.js";

/** Default detect options. */
export const DETECT_DEFAULTS = { scoreThreshold: 0.05, maxDetections: 300, nmsIou: 0.7 } as const;

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

function iou(a: Candidate, b: Candidate): number {
  const iw = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const ih = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  return inter / ((a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter);
}

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
    if (nmsIou < 1 && kept.some((k) => iou(k, c) > nmsIou)) continue;
    kept.push(c);
  }
  return kept;
}

/** Columnar {@link DetectionList} from candidates. */
export function toDetectionList(cands: readonly Candidate[]): DetectionList {
  const n = cands.length;
  const out: DetectionList = {
    length: n,
    boxesXyxy: new Float32Array(n * 4),
    scores: new Float32Array(n),
    categoryIds: new Int32Array(n),
    clickIndex: new Int32Array(n),
  };
  cands.forEach((c, i) => {
    out.boxesXyxy.set([c.x1, c.y1, c.x2, c.y2], i * 4);
    out.scores[i] = c.score;
    out.categoryIds[i] = c.categoryId;
    out.clickIndex[i] = c.clickIndex;
  });
  return out;
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
