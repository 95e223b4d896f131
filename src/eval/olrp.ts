import { DealkitConfigError } from "../util/errors.js";
import { MATCH_IGNORED, MATCH_TP, type CocoMatchData } from "./match.js";
import { evalPairwiseSum } from "./summarize.js";

/**
 * Optimal LRP (Oksuz et al., "Localization Recall Precision", ECCV 2018) per accumulated category, as the
 * AI-TOD fork of the COCO API computes it beside AP: -1 where a category has no non-ignored GT, NaN where a
 * component is undefined (no true positive).
 */
export interface CocoOlrp {
  olrp: Float64Array;
  loc: Float64Array;
  fp: Float64Array;
  fn: Float64Array;
  /** Score threshold at the optimum. */
  threshold: Float64Array;
}

/**
 * oLRP at the matching's recorded (area range, IoU threshold) and one maxDets value. Detections are taken
 * in accumulate's order; at each rank with cumulative TP, FP, FN = npig - TP and localisation error
 * `loc = TP - sum(IoU of TPs)`: `LRP = (loc/(1-τ) + FP + FN) / (TP + FP + FN)`; oLRP is its first minimum,
 * with `loc/TP`, `FP/(TP+FP)` and `FN/npig` at that rank. No TP at all gives oLRP 1, FN 1, loc and FP NaN.
 * Requires `cocoMatch(..., { record })`.
 *
 * @example
 * const m = cocoMatch(gt, dt, params, { record: { areaIndex: 0, iouIndex: 0 } });
 * cocoOlrp(m, dt.score, params.maxDets.length - 1).olrp;
 */
export function cocoOlrp(match: CocoMatchData, dtScore: Float64Array, maxDetsIndex: number, imgMask?: Uint8Array): CocoOlrp {
  if (!match.recorded || !match.matchedIou) throw new DealkitConfigError("cocoOlrp needs a match made with the `record` option");
  const p = match.params;
  const { areaIndex: a, iouIndex: t } = match.recorded;
  const tau = p.iouThrs[t]!;
  const maxDet = p.maxDets[maxDetsIndex]!;
  const K = match.nCats;
  const T = p.iouThrs.length;
  const nSlots = match.slotDet.length;
  const nGroups = match.groupImg.length;
  const out: CocoOlrp = {
    olrp: new Float64Array(K).fill(-1), loc: new Float64Array(K).fill(-1), fp: new Float64Array(K).fill(-1),
    fn: new Float64Array(K).fill(-1), threshold: new Float64Array(K).fill(-1),
  };
  const base = (a * T + t) * nSlots;
  for (let k = 0; k < K; k++) {
    let npig = 0;
    for (let g = 0; g < nGroups; g++) {
      if (match.groupCat[g] === k && (!imgMask || imgMask[match.groupImg[g]!])) npig += match.groupNpig[a * nGroups + g]!;
    }
    if (npig === 0) continue;
    let nd = 0, tp = 0, fp = 0, cumIou = 0;
    let best = Infinity, bestTp = 0, bestFp = 0, bestLoc = 0, bestSlot = -1;
    for (let s = match.catStart[k]!; s < match.catStart[k + 1]!; s++) {
      if (match.slotRank[s]! >= maxDet || (imgMask && !imgMask[match.slotImg[s]!])) continue;
      const st = match.state[base + s]!;
      if (st === MATCH_TP) {
        tp++;
        cumIou += match.matchedIou[s]!;
      } else if (st !== MATCH_IGNORED) fp++;
      nd++;
      // Ignored detections repeat the previous values, as in the fork's uncompressed arrays.
      const loc = tp - cumIou;
      const fn = npig - tp;
      const lrp = (loc / (1 - tau) + fp + fn) / (tp + fp + fn);
      if (lrp < best) {
        best = lrp; bestTp = tp; bestFp = fp; bestLoc = loc; bestSlot = s;
      }
    }
    if (nd > 0 && tp > 0) {
      out.olrp[k] = best;
      out.loc[k] = bestLoc / bestTp;
      out.fp[k] = bestFp / (bestTp + bestFp);
      out.fn[k] = (npig - bestTp) / npig;
      out.threshold[k] = dtScore[match.slotDet[bestSlot]!]!;
    } else {
      out.olrp[k] = 1; out.loc[k] = NaN; out.fp[k] = NaN; out.fn[k] = 1; out.threshold[k] = NaN;
    }
  }
  return out;
}

/** Mean over categories of the entries that are not NaN and > -1 (the fork's summarize), else -1. */
export function cocoOlrpMean(values: Float64Array): number {
  const keep = values.filter((v) => !Number.isNaN(v) && v > -1);
  return keep.length === 0 ? -1 : evalPairwiseSum(keep) / keep.length;
}
