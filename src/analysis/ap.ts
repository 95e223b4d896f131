/**
 * Average precision from scored true/false positives, the COCO way: precision made monotone from the right,
 * then read at 101 recall points (searchsorted "left" on the recall curve) and averaged. This is the
 * computation pycocotools' accumulate() and TIDE's APDataObject share; it is kept here, tiny and pure,
 * because the error decomposition recomputes AP on many edited copies of one set of matches.
 */

/** One scored detection: whether it was a true positive. `order` breaks score ties (lower first). */
export interface ApPoint {
  score: number;
  tp: boolean;
  order: number;
}

/**
 * AP in [0, 1] of one category at one IoU threshold: `points` are the non-ignored detections, `numGt` the
 * non-ignored ground truth. Returns 0 when there is no ground truth. The input is not modified.
 *
 * @example
 * averagePrecision101([{ score: 0.9, tp: true, order: 0 }, { score: 0.8, tp: false, order: 1 }], 2); // ~0.5
 */
export function averagePrecision101(points: readonly ApPoint[], numGt: number): number {
  if (numGt <= 0) return 0;
  const sorted = points.slice().sort((a, b) => b.score - a.score || a.order - b.order);
  const n = sorted.length;
  const precision = new Float64Array(n);
  const recall = new Float64Array(n);
  let tp = 0;
  for (let i = 0; i < n; i++) {
    if (sorted[i]!.tp) tp++;
    precision[i] = tp / (i + 1);
    recall[i] = tp / numGt;
  }
  for (let i = n - 1; i > 0; i--) if (precision[i]! > precision[i - 1]!) precision[i - 1] = precision[i]!;
  let sum = 0;
  let k = 0;
  for (let r = 0; r <= 100; r++) {
    // numpy.linspace(0, 1, 101) gives r * 0.01 (not r / 100), which matters where a recall lands exactly.
    const target = r === 100 ? 1 : r * 0.01;
    while (k < n && recall[k]! < target) k++;
    if (k < n) sum += precision[k]!;
  }
  return sum / 101;
}
