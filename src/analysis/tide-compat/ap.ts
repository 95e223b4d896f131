/**
 * tidecv 1.0.1's `APDataObject` / `ClassedAPDataObject` (tidecv/ap.py), kept as close to the original as
 * TypeScript allows, because its details decide TIDE's numbers:
 * - data points live in a map keyed by detection id, in push order; AP sorts them by descending score with a
 *   stable sort, so push order breaks score ties;
 * - AP reads precision at the 101 recall points `r / 100` (Python's true division, not numpy's
 *   `linspace`, which gives `r * 0.01`: they differ at 0.35, 0.41, 0.47, 0.57, 0.69, 0.70, 0.82, 0.83, 0.94
 *   and 0.95), with `searchsorted(side="left")` after making precision monotone, and returns percent;
 * - the mean runs over every class that is not empty: a class with detections but no ground truth counts
 *   with AP 0, a class with neither drops out.
 */

/** One scored detection of one class: whether it is a true positive. */
export interface TideCompatPoint {
  score: number;
  tp: boolean;
}

/** The data of one class: points by detection id (insertion order kept) and the ground-truth count. */
export interface TideCompatClassData {
  points: Map<number, TideCompatPoint>;
  numGt: number;
}

/**
 * The per-class AP data of one TIDE run (`ClassedAPDataObject`): classes keep the order they were first
 * touched in, which is the order TIDE sums class APs in.
 *
 * @example
 * const ap = new TideCompatApData();
 * ap.addGt(1, 1);
 * ap.push(1, 0, 0.9, true);
 * ap.mAP(); // 100
 */
export class TideCompatApData {
  readonly classes = new Map<number, TideCompatClassData>();

  /** The data of a class, created empty on first use (Python's defaultdict). */
  of(cls: number): TideCompatClassData {
    let c = this.classes.get(cls);
    if (!c) {
      c = { points: new Map(), numGt: 0 };
      this.classes.set(cls, c);
    }
    return c;
  }

  /** Adds (or replaces, keeping its place) the point of detection `id` in class `cls`. */
  push(cls: number, id: number, score: number, tp: boolean): void {
    this.of(cls).points.set(id, { score, tp });
  }

  /** Adds `n` ground-truth positives to class `cls`. */
  addGt(cls: number, n: number): void {
    this.of(cls).numGt += n;
  }

  /** The mean AP (percent) over non-empty classes; NaN when every class is empty (TIDE: ZeroDivisionError). */
  mAP(): number {
    let sum = 0;
    let n = 0;
    for (const c of this.classes.values()) {
      if (c.points.size === 0 && c.numGt === 0) continue;
      sum += tideCompatClassAp(c);
      n++;
    }
    return n === 0 ? NaN : sum / n;
  }
}

/**
 * AP of one class in percent, exactly as `APDataObject.get_ap` computes it (0 without ground truth).
 *
 * @example
 * tideCompatClassAp({ points: new Map([[0, { score: 0.9, tp: false }], [1, { score: 0.8, tp: true }]]), numGt: 2 });
 * // 25.5 / 101 * 100
 */
export function tideCompatClassAp(c: TideCompatClassData): number {
  if (c.numGt === 0) return 0;
  // Array.prototype.sort is stable, like Python's list.sort: equal scores keep push order.
  const pts = [...c.points.values()].sort((a, b) => (a.score > b.score ? -1 : a.score < b.score ? 1 : 0));
  const n = pts.length;
  const precision = new Float64Array(n);
  const recall = new Float64Array(n);
  let numTrue = 0;
  for (let i = 0; i < n; i++) {
    if (pts[i]!.tp) numTrue++;
    precision[i] = numTrue / (i + 1);
    recall[i] = numTrue / c.numGt;
  }
  for (let i = n - 1; i > 0; i--) if (precision[i]! > precision[i - 1]!) precision[i - 1] = precision[i]!;
  let sum = 0;
  let k = 0;
  for (let r = 0; r <= 100; r++) {
    const x = r / 100;
    while (k < n && recall[k]! < x) k++;
    if (k < n) sum += precision[k]!;
  }
  return (sum / 101) * 100;
}
