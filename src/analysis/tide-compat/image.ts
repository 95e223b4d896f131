import { cocoBoxIouXywh } from "../../eval/index.js";
import type { TideCompatApData } from "./ap.js";
import type { TideCompatErrorName } from "./types.js";

/**
 * One image of a TIDE run: tidecv 1.0.1's `TIDEExample._run` (matching, ignore regions) and
 * `TIDERun._eval_image` (AP data points and error types), step for step. Internal to the compat mode.
 */

/** A detection as TIDE holds it: `id` is its index in the results file. */
export interface CompatPred {
  id: number;
  cls: number;
  score: number;
  box: readonly [number, number, number, number];
}

/** A ground truth as TIDE holds it, with the temporary fields a run sets on it. */
export interface CompatGt {
  id: number;
  cls: number;
  box: readonly [number, number, number, number];
  crowd: boolean;
  used: boolean;
  /** Some Loc / Cls error could fix it (so it is not a MissedError). */
  usable: boolean;
  /** BestGTMatch: the score and id of the best error that would fix it (-1 / -1 before any). */
  bestScore: number;
  bestId: number;
}

/** One error: what it contributes to the AP data unfixed and fixed (computed after the run). */
export interface CompatError {
  type: TideCompatErrorName;
  /** The detection (or, for Miss, the ground truth) the error is about. */
  pred: CompatPred | null;
  gt: CompatGt | null;
  /** The detection was inside a crowd region: it is not in the AP data (its unfixed point is none). */
  ignored: boolean;
  /** Loc / Cls: the ground truth a fix would match; null when that ground truth was already matched. */
  target: CompatGt | null;
}

/** What a run collects over images. */
export interface CompatState {
  ap: TideCompatApData;
  errors: CompatError[];
  /** Unmatched non-crowd ground truth per class (`TIDERun.false_negatives`). */
  falseNegatives: Map<number, number>;
  numDetections: number;
}

/** numpy's argmax of `row[j] * keep(j)`: the first index of the maximum, 0 when the row is empty of values. */
function maskedArgmax(row: Float64Array, keep: (j: number) => boolean): { idx: number; value: number } {
  let idx = 0;
  let value = -Infinity;
  for (let j = 0; j < row.length; j++) {
    const v = keep(j) ? row[j]! : 0;
    if (v > value) {
      value = v;
      idx = j;
    }
  }
  return { idx, value };
}

function bumpFalseNegative(st: CompatState, cls: number): void {
  st.falseNegatives.set(cls, (st.falseNegatives.get(cls) ?? 0) + 1);
}

/** BestGTMatch: the highest-scoring error wins a ground truth; ties keep the first one seen. */
function bestGtMatch(pred: CompatPred, gt: CompatGt): CompatGt | null {
  if (gt.used) return null;
  gt.usable = true;
  if (gt.bestScore < pred.score) {
    gt.bestScore = pred.score;
    gt.bestId = pred.id;
  }
  return gt;
}

/**
 * Evaluates one image into `st`. `preds` and `gts` are the image's detections and annotations in file order;
 * the ground-truth objects are mutated (used / usable / best match), as TIDE does.
 */
export function evalCompatImage(
  preds: readonly CompatPred[], gts: readonly CompatGt[], st: CompatState,
  o: { foregroundIou: number; backgroundIou: number; maxDetections: number },
): void {
  const gt = gts.filter((g) => !g.crowd);
  const ignore = gts.filter((g) => g.crowd);
  for (const g of gt) st.ap.addGt(g.cls, 1);
  if (preds.length === 0) {
    for (const g of gt) {
      bumpFalseNegative(st, g.cls);
      st.errors.push({ type: "Miss", pred: null, gt: g, ignored: false, target: null });
    }
    return;
  }
  // Stable sort by descending score, then the per-image cap over all classes.
  const sorted = preds.slice().sort((a, b) => (a.score > b.score ? -1 : a.score < b.score ? 1 : 0)).slice(0, o.maxDetections);
  st.numDetections += sorted.length;
  const iou = sorted.map((p) => Float64Array.from(gt, (g) => cocoBoxIouXywh(...p.box, ...g.box, false)));
  const used: (boolean | null)[] = sorted.map(() => false);

  if (gt.length > 0) {
    const buffer = sorted.map((p, i) => Float64Array.from(gt, (g, j) => (g.cls === p.cls ? iou[i]![j]! : 0)));
    sorted.forEach((_, i) => {
      const { idx, value } = maskedArgmax(buffer[i]!, () => true);
      if (value >= o.foregroundIou) {
        used[i] = true;
        gt[idx]!.used = true;
        for (const row of buffer) row[idx] = 0;
      }
    });
  }
  // Ignore regions: crowd IoA strictly above the foreground IoU, same class (or class -1).
  for (const r of ignore) {
    sorted.forEach((p, i) => {
      if (used[i] === true) return;
      if (cocoBoxIouXywh(...p.box, ...r.box, true) > o.foregroundIou && (r.cls === p.cls || r.cls === -1)) used[i] = null;
    });
  }

  sorted.forEach((p, i) => {
    if (used[i] !== null) st.ap.push(p.cls, p.id, p.score, used[i] === true);
    if (used[i] === true) return;
    const ignored = used[i] === null;
    const add = (type: TideCompatErrorName, g: CompatGt | null = null, target: CompatGt | null = null): void => {
      st.errors.push({ type, pred: p, gt: g, ignored, target });
    };
    if (gt.length === 0) return add("Bkg");
    const row = iou[i]!;
    const sameCls = maskedArgmax(row, (j) => gt[j]!.cls === p.cls);
    if (o.backgroundIou <= sameCls.value && sameCls.value <= o.foregroundIou) {
      const g = gt[sameCls.idx]!;
      return add("Loc", g, bestGtMatch(p, g));
    }
    const otherCls = maskedArgmax(row, (j) => gt[j]!.cls !== p.cls);
    if (otherCls.value >= o.foregroundIou) {
      const g = gt[otherCls.idx]!;
      return add("Cls", g, bestGtMatch(p, g));
    }
    if (maskedArgmax(row, (j) => gt[j]!.used && gt[j]!.cls === p.cls).value >= o.foregroundIou) return add("Dupe");
    if (maskedArgmax(row, () => true).value <= o.backgroundIou) return add("Bkg");
    add("Both");
  });

  for (const g of gt) {
    if (g.used) continue;
    bumpFalseNegative(st, g.cls);
    if (!g.usable) st.errors.push({ type: "Miss", pred: null, gt: g, ignored: false, target: null });
  }
}
