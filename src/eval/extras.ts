import * as aq from "arquero";
import { cocoAccumulate } from "./accumulate.js";
import type { CocoDtData, CocoGtData } from "./load.js";
import { cocoMatch } from "./match.js";
import { AITOD_AREA_RANGES, evalParams, type EvalAreaRange, type EvalParams } from "./params.js";
import { cocoStandardSummarySpecs, cocoSummarize } from "./summarize.js";
import { NWD_DEFAULT_C } from "./similarity.js";

/** Options of {@link evalCentreOffsets}. */
export interface EvalCentreOffsetOptions {
  /** Parameters of the matching (maxDets, class-agnostic, ...); default AI-TOD maxDets 1/100/1500, useCats. */
  params?: EvalParams;
  /** IoU threshold at which pairs are matched; default 0.5. */
  iouThr?: number;
  /** Size bins of the GT `area` (px²); default the AI-TOD bins without `all`. A GT goes to the first bin holding it. */
  bins?: EvalAreaRange[];
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * Localisation of tiny boxes, reported beside (never inside) the COCO numbers: the distance in px between
 * the centres of each matched pair (pycocotools' greedy matching, `all` range, given IoU threshold, largest
 * maxDets), per GT size bin. Table columns: `bin, pairs, meanPx, medianPx, p90Px, meanRel` where `meanRel`
 * is the mean offset divided by the GT's side `sqrt(w*h)`.
 *
 * @example
 * evalCentreOffsets(gt, dt).print();
 */
export function evalCentreOffsets(gt: CocoGtData, dt: CocoDtData, options: EvalCentreOffsetOptions = {}): aq.ColumnTable {
  const params = options.params ?? evalParams({ areaRanges: [...AITOD_AREA_RANGES], maxDets: [1, 100, 1500] });
  const bins = options.bins ?? AITOD_AREA_RANGES.filter((r) => r.label !== "all");
  // Each threshold is matched independently, so matching at this one alone gives the same pairs.
  const onlyAll = { ...params, iouThrs: [options.iouThr ?? 0.5], areaRanges: [{ label: "all", lo: 0, hi: 1e10 }] };
  const match = cocoMatch(gt, dt, onlyAll, { record: { areaIndex: 0, iouIndex: 0 } });
  const per: number[][] = bins.map(() => []);
  const rel: number[][] = bins.map(() => []);
  const mg = match.matchedGt!;
  for (let s = 0; s < mg.length; s++) {
    const g = mg[s]!;
    if (g < 0) continue;
    const d = match.slotDet[s]!;
    const off = Math.hypot(dt.x[d]! + dt.w[d]! / 2 - (gt.x[g]! + gt.w[g]! / 2), dt.y[d]! + dt.h[d]! / 2 - (gt.y[g]! + gt.h[g]! / 2));
    const area = gt.area[g]!;
    const b = bins.findIndex((r) => area >= r.lo && area <= r.hi);
    if (b < 0) continue;
    per[b]!.push(off);
    rel[b]!.push(off / Math.max(1e-12, Math.sqrt(gt.w[g]! * gt.h[g]!)));
  }
  return aq.from(bins.map((r, b) => {
    const v = Float64Array.from(per[b]!).sort();
    const mean = v.length ? v.reduce((s, x) => s + x, 0) / v.length : NaN;
    const meanRel = rel[b]!.length ? rel[b]!.reduce((s, x) => s + x, 0) / rel[b]!.length : NaN;
    return { bin: r.label, pairs: v.length, meanPx: mean, medianPx: quantile(v, 0.5), p90Px: quantile(v, 0.9), meanRel };
  }));
}

/** Options of {@link evalNwdStats}. */
export interface EvalNwdOptions {
  /** Evaluation parameters (thresholds now apply to NWD); default AI-TOD ranges and maxDets, useCats. */
  params?: EvalParams;
  /** The NWD constant C in px; default 12.8 (the NWD paper's value for AI-TOD). */
  c?: number;
}

/**
 * COCO-style numbers with the NWD matcher in place of IoU (Wang et al., 2021): the same greedy matching,
 * accumulation and summary, with `NWD = exp(-W2/C)` compared to the thresholds. Labels are prefixed `NWD-`
 * so they can never be mistaken for COCO numbers.
 *
 * @example
 * evalNwdStats(gt, dt)["NWD-AP@.50|all|1500"];
 */
export function evalNwdStats(gt: CocoGtData, dt: CocoDtData, options: EvalNwdOptions = {}): Record<string, number> {
  const params = options.params ?? evalParams({ areaRanges: [...AITOD_AREA_RANGES], maxDets: [1, 100, 1500] });
  const match = cocoMatch(gt, dt, params, { similarity: { kind: "nwd", c: options.c ?? NWD_DEFAULT_C } });
  const stats: Record<string, number> = {};
  for (const s of cocoSummarize(cocoAccumulate(match), params, cocoStandardSummarySpecs(params))) stats[`NWD-${s.label}`] = s.value;
  return stats;
}
