import type { CocoAccumulated } from "./accumulate.js";
import type { cocoOlrp } from "./olrp.js";
import { evalFindThreshold, evalIouLabel, type EvalParams } from "./params.js";

/**
 * One summary number: AP (mean precision over recall thresholds) or AR (mean recall), over a set of IoU
 * thresholds, one area range and one maxDets value, averaged like pycocotools (`mean(s[s > -1])`, -1 if empty).
 */
export interface EvalStatSpec {
  /** Label as in the fixtures: `AP@[.50:.95]|all|100`, `AP@.50|all|100`, `AR@[.50:.95]|small|100`. */
  label: string;
  /** AP or AR; `LRP` marks the aitod protocol's oLRP numbers, computed by {@link cocoOlrp}, not here. */
  metric: "AP" | "AR" | "LRP";
  /** IoU threshold values averaged over; empty means a threshold that is not evaluated (value -1). */
  iouThrs: number[];
  /** Area range label (pycocotools picks ranges by label). */
  area: string;
  maxDets: number;
}

/** One computed summary number. */
export interface EvalStat extends EvalStatSpec {
  value: number;
}

/**
 * numpy's pairwise summation (`np.add.reduce` on a contiguous float64 array): blocks of up to 128 summed
 * with 8 accumulators, larger arrays split in two at a multiple of 8. `np.mean` is this sum divided by n.
 */
export function evalPairwiseSum(a: Float64Array, lo = 0, n = a.length - lo): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[lo + i]!;
    return res;
  }
  if (n <= 128) {
    let r0 = a[lo]!, r1 = a[lo + 1]!, r2 = a[lo + 2]!, r3 = a[lo + 3]!;
    let r4 = a[lo + 4]!, r5 = a[lo + 5]!, r6 = a[lo + 6]!, r7 = a[lo + 7]!;
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      const o = lo + i;
      r0 += a[o]!; r1 += a[o + 1]!; r2 += a[o + 2]!; r3 += a[o + 3]!;
      r4 += a[o + 4]!; r5 += a[o + 5]!; r6 += a[o + 6]!; r7 += a[o + 7]!;
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) res += a[lo + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return evalPairwiseSum(a, lo, n2) + evalPairwiseSum(a, lo + n2, n - n2);
}

/** What to reduce: indices into the accumulated arrays. */
export interface CocoReduceSelection {
  metric: "AP" | "AR";
  /** IoU threshold indices (in order). */
  t: number[];
  /** Category indices; default all. */
  k?: number[];
  a: number;
  m: number;
}

/**
 * pycocotools' reduction: the selected entries of `precision` (order t, r, k) or `recall` (order t, k),
 * then the numpy mean of those > -1; -1 when there are none.
 *
 * @example
 * cocoReduce(acc, { metric: "AP", t: [0], a: 0, m: 2 }); // AP@.50|all|100 for default params
 */
export function cocoReduce(acc: CocoAccumulated, sel: CocoReduceSelection): number {
  const [, R, K, A, M] = acc.shape;
  const ks = sel.k ?? Array.from({ length: K }, (_, i) => i);
  const buf = new Float64Array(sel.t.length * (sel.metric === "AP" ? R : 1) * ks.length);
  let n = 0;
  for (const t of sel.t) {
    if (sel.metric === "AP") {
      for (let r = 0; r < R; r++) {
        for (const k of ks) {
          const v = acc.precision[(((t * R + r) * K + k) * A + sel.a) * M + sel.m]!;
          if (v > -1) buf[n++] = v;
        }
      }
    } else {
      for (const k of ks) {
        const v = acc.recall[((t * K + k) * A + sel.a) * M + sel.m]!;
        if (v > -1) buf[n++] = v;
      }
    }
  }
  return n === 0 ? -1 : evalPairwiseSum(buf, 0, n) / n;
}

/** Label of a set of IoU thresholds: `[.50:.95]` for several, `.50` for one. */
export function evalIouSetLabel(thrs: readonly number[]): string {
  if (thrs.length === 1) return evalIouLabel(thrs[0]!);
  return `[${evalIouLabel(thrs[0]!)}:${evalIouLabel(thrs[thrs.length - 1]!)}]`;
}

/** Builds a stat spec with its label. `iouThrs` undefined means "all of params.iouThrs". */
export function evalStatSpec(
  params: EvalParams, metric: "AP" | "AR", iou: number | number[] | undefined, area: string, maxDets: number,
): EvalStatSpec {
  let thrs: number[];
  let iouLabel: string;
  if (iou === undefined) {
    thrs = [...params.iouThrs];
    iouLabel = evalIouSetLabel(thrs);
  } else if (typeof iou === "number") {
    thrs = evalFindThreshold(params.iouThrs, iou) >= 0 ? [iou] : [];
    iouLabel = evalIouLabel(iou);
  } else {
    thrs = [...iou];
    iouLabel = evalIouSetLabel(iou);
  }
  return { label: `${metric}@${iouLabel}|${area}|${maxDets}`, metric, iouThrs: thrs, area, maxDets };
}

/**
 * The summary that is correct for any parameters (it equals pycocotools' 12 stats for the defaults):
 * AP over all IoU thresholds, AP@.50 and AP@.75 (when evaluated), AP per other area range, all at the
 * largest maxDets; AR over all thresholds at each maxDets; AR per other area range at the largest maxDets.
 * The "all" range is the one labelled `all`, else the first.
 *
 * @example
 * cocoStandardSummarySpecs(evalParams()).map((s) => s.label); // ["AP@[.50:.95]|all|100", ...]
 */
export function cocoStandardSummarySpecs(params: EvalParams): EvalStatSpec[] {
  const allLabel = params.areaRanges.some((r) => r.label === "all") ? "all" : params.areaRanges[0]!.label;
  const others = params.areaRanges.map((r) => r.label).filter((l) => l !== allLabel);
  const mLast = params.maxDets[params.maxDets.length - 1]!;
  const specs: EvalStatSpec[] = [evalStatSpec(params, "AP", undefined, allLabel, mLast)];
  for (const t of [0.5, 0.75]) if (evalFindThreshold(params.iouThrs, t) >= 0 && params.iouThrs.length > 1) specs.push(evalStatSpec(params, "AP", t, allLabel, mLast));
  for (const l of others) specs.push(evalStatSpec(params, "AP", undefined, l, mLast));
  for (const m of params.maxDets) specs.push(evalStatSpec(params, "AR", undefined, allLabel, m));
  for (const l of others) specs.push(evalStatSpec(params, "AR", undefined, l, mLast));
  return specs;
}

/**
 * Unmodified pycocotools `summarize()` (the quirk, on request only): stats[0] is AP at maxDets **100**
 * whatever maxDets are, the others use `maxDets[2]`, and ranges are picked by the labels small, medium,
 * large (-1 where a label or maxDets value is missing). Labels state the maxDets really used.
 *
 * @example
 * cocoStockSummarySpecs(evalParams({ maxDets: [1, 100, 1500] }))[0].label; // "AP@[.50:.95]|all|100"
 */
export function cocoStockSummarySpecs(params: EvalParams): EvalStatSpec[] {
  const md = params.maxDets;
  const m2 = md[Math.min(2, md.length - 1)]!;
  const specs: EvalStatSpec[] = [
    evalStatSpec(params, "AP", undefined, "all", 100),
    evalStatSpec(params, "AP", 0.5, "all", m2),
    evalStatSpec(params, "AP", 0.75, "all", m2),
  ];
  for (const l of ["small", "medium", "large"]) specs.push(evalStatSpec(params, "AP", undefined, l, m2));
  for (const m of [md[0]!, md[Math.min(1, md.length - 1)]!, m2]) specs.push(evalStatSpec(params, "AR", undefined, "all", m));
  for (const l of ["small", "medium", "large"]) specs.push(evalStatSpec(params, "AR", undefined, l, m2));
  return specs;
}

/**
 * Computes summary numbers from accumulated arrays. A spec whose area label, maxDets value or IoU
 * thresholds are not among the parameters gives -1, as pycocotools does.
 *
 * @example
 * const stats = cocoSummarize(acc, params, cocoStandardSummarySpecs(params));
 */
export function cocoSummarize(acc: CocoAccumulated, params: EvalParams, specs: readonly EvalStatSpec[], k?: number[]): EvalStat[] {
  return specs.map((spec) => {
    const a = params.areaRanges.findIndex((r) => r.label === spec.area);
    const m = params.maxDets.indexOf(spec.maxDets);
    const t = spec.iouThrs.map((v) => evalFindThreshold(params.iouThrs, v)).filter((i) => i >= 0);
    const value = a < 0 || m < 0 || t.length === 0 || spec.metric === "LRP" ? -1 : cocoReduce(acc, { metric: spec.metric, t, a, m, k });
    return { ...spec, value };
  });
}
