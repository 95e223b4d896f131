import { cocoBoxIouXywh, cocoLoadDt, cocoLoadGt, type CocoDetectionJson, type CocoGtJson } from "../eval/index.js";
import { DealkitConfigError } from "../util/errors.js";

/**
 * GT-box oracles that separate finding from boxing: give every detection the box (or the score) it would
 * have with perfect localisation (or perfect ranking), then evaluate as usual.
 */

/** Options of {@link oracleBoxes} and {@link oracleScores}. */
export interface OracleBoxOptions {
  /** A detection takes a GT box only if their IoU is at least this; default 0.1 (in [0, 1]). */
  iouFloor?: number;
  /** Any GT of the image is a candidate (p2sod); false: only GT of the detection's category. Default true. */
  classAgnostic?: boolean;
}

/** Per detection (file order): the index of the GT with the highest IoU (-1 if none) and that IoU. */
function bestGt(gtJson: CocoGtJson, dtJson: readonly CocoDetectionJson[], classAgnostic: boolean): { g: Int32Array; iou: Float64Array } {
  const gt = cocoLoadGt(gtJson, "ground truth");
  const dt = cocoLoadDt(dtJson, gt, "detections");
  const nImgs = gt.imgIds.length;
  // GT of each image (non-crowd, listed image and category), in file order.
  const byImg: number[][] = Array.from({ length: nImgs }, () => []);
  for (let a = 0; a < gt.n; a++) if (gt.img[a]! >= 0 && gt.cat[a]! >= 0 && !gt.crowd[a]) byImg[gt.img[a]!]!.push(a);
  const g = new Int32Array(dt.n).fill(-1);
  const iou = new Float64Array(dt.n);
  for (let d = 0; d < dt.n; d++) {
    if (dt.cat[d]! < 0) continue; // an unlisted category: the evaluator drops it, so does the oracle
    let best = -1;
    let bestIou = 0;
    for (const a of byImg[dt.img[d]!]!) {
      if (!classAgnostic && gt.cat[a] !== dt.cat[d]) continue;
      const v = cocoBoxIouXywh(dt.x[d]!, dt.y[d]!, dt.w[d]!, dt.h[d]!, gt.x[a]!, gt.y[a]!, gt.w[a]!, gt.h[a]!, false);
      if (v > bestIou) { bestIou = v; best = a; } // ties: the first GT in file order
    }
    g[d] = best;
    iou[d] = bestIou;
  }
  return { g, iou };
}

/**
 * The GT-box oracle ("finding" ceiling): every detection whose best-overlapping GT (highest IoU; ties: the first
 * in file order; crowd GT are not candidates; class-agnostic by default, else the same category) has IoU >=
 * `iouFloor` (default 0.1) takes that GT's box; the others are unchanged. Scores, order, image and category stay.
 * Evaluating the result gives the AP the detector would reach if it boxed perfectly what it found: two
 * detections on one object stay a true positive and a duplicate. Returns new records; inputs are not modified.
 *
 * @example
 * const oracle = oracleBoxes(gtJson, results);
 * cocoEvaluate(gt, cocoLoadDt(oracle, gt), { protocol: "p2sod" }).results.stats["AP@.75|all|1500"];
 */
export function oracleBoxes(gt: CocoGtJson, dt: readonly CocoDetectionJson[], options: OracleBoxOptions = {}): CocoDetectionJson[] {
  const floor = options.iouFloor ?? 0.1;
  if (!(floor >= 0 && floor <= 1)) throw new DealkitConfigError(`iouFloor must be in [0, 1]; got ${floor}`);
  const { g, iou } = bestGt(gt, dt, options.classAgnostic ?? true);
  const anns = gt.annotations;
  return dt.map((d, i) => {
    const a = g[i]!;
    return a >= 0 && iou[i]! >= floor ? { ...d, bbox: [...anns[a]!.bbox] } : { ...d, bbox: [...d.bbox] };
  });
}

/** Options of {@link oracleScores}. */
export interface OracleScoreOptions extends Pick<OracleBoxOptions, "classAgnostic"> {
  /**
   * Only the best-overlapping detection of each GT keeps its IoU as score; the others (duplicates, and detections
   * that overlap nothing) score 0, so they rank after every kept detection. Default false.
   */
  oneToOne?: boolean;
}

/**
 * The ranking oracle: every detection scored by its IoU with its best-overlapping GT (0 when it overlaps none;
 * same candidates as {@link oracleBoxes}), boxes unchanged, so the ranking puts the best-localised detections
 * first (ties keep file order, as the evaluator does). With `oneToOne`, duplicates also drop to 0: the
 * detections come in the order a perfect rescoring would give them, precision 1 until every GT that some
 * detection covers at the IoU threshold is found (about the most any rescoring of these detections can reach).
 * Returns new records.
 *
 * @example
 * const ranked = oracleScores(gtJson, results, { oneToOne: true });
 */
export function oracleScores(gt: CocoGtJson, dt: readonly CocoDetectionJson[], options: OracleScoreOptions = {}): CocoDetectionJson[] {
  const { g, iou } = bestGt(gt, dt, options.classAgnostic ?? true);
  const score = Float64Array.from(iou);
  if (options.oneToOne) {
    // Per GT, its detection of highest IoU (ties: the first in file order) keeps the score.
    const keep = new Map<number, number>();
    for (let d = 0; d < dt.length; d++) {
      const a = g[d]!;
      if (a < 0) continue;
      const k = keep.get(a);
      if (k === undefined || iou[d]! > iou[k]!) keep.set(a, d);
    }
    const kept = new Set(keep.values());
    for (let d = 0; d < dt.length; d++) if (!kept.has(d)) score[d] = 0;
  }
  return dt.map((d, i) => ({ ...d, bbox: [...d.bbox], score: score[i]! }));
}
