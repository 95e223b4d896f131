import * as aq from "arquero";
import { cocoAccumulate, type CocoAccumulated } from "./accumulate.js";
import type { CocoEvaluation } from "./evaluator.js";
import { cocoMatch } from "./match.js";
import { evalFindThreshold } from "./params.js";
import { cocoReduce, cocoSummarize } from "./summarize.js";

/** Index of the `all` area range (else the first), the last maxDets, and IoU rows for AP / AP50 / AP75. */
function defaults(ev: CocoEvaluation) {
  const p = ev.protocol.params;
  const a = Math.max(0, p.areaRanges.findIndex((r) => r.label === "all"));
  const m = p.maxDets.length - 1;
  const coco = p.iouThrs.map((t, i) => [t, i] as const).filter(([t]) => t >= 0.5 - 1e-12).map(([, i]) => i);
  const tAll = coco.length ? coco : p.iouThrs.map((_, i) => i);
  return { p, a, m, tAll, t25: evalFindThreshold(p.iouThrs, 0.25), t50: evalFindThreshold(p.iouThrs, 0.5), t75: evalFindThreshold(p.iouThrs, 0.75) };
}

/** AP/AR columns for one accumulated result: AP over the .50:.95 rows, AP25/AP50/AP75 when evaluated, AR. */
function metricRow(ev: CocoEvaluation, acc: CocoAccumulated, a: number, k?: number[]): Record<string, number> {
  const d = defaults(ev);
  const ap = (t: number[]) => (t.length && t[0]! >= 0 ? cocoReduce(acc, { metric: "AP", t, a, m: d.m, k }) : -1);
  const row: Record<string, number> = { AP: ap(d.tAll) };
  if (d.t25 >= 0) row.AP25 = ap([d.t25]);
  row.AP50 = ap([d.t50]);
  row.AP75 = ap([d.t75]);
  row.AR = cocoReduce(acc, { metric: "AR", t: d.tAll, a, m: d.m, k });
  return row;
}

/** Non-ignored GT per (category, area range) over the masked images, from the match's group counts. */
function gtCounts(ev: CocoEvaluation, match = ev.match, mask?: Uint8Array): (k: number, a: number) => number {
  const nG = match.groupImg.length;
  return (k, a) => {
    let n = 0;
    for (let g = 0; g < nG; g++) if (match.groupCat[g] === k && (!mask || mask[match.groupImg[g]!])) n += match.groupNpig[a * nG + g]!;
    return n;
  };
}

/**
 * AP per category as an arquero table: `categoryId, name, gt, AP, AP50, AP75, AR` (plus `AP25` when .25 is
 * evaluated), at the `all` range and the largest maxDets; -1 where a category has no non-ignored GT.
 * A class-agnostic evaluation is matched again per category (useCats = 1) for this table.
 *
 * @example
 * evalPerCategoryTable(ev).print();
 */
export function evalPerCategoryTable(ev: CocoEvaluation): aq.ColumnTable {
  let match = ev.match;
  let acc = ev.accumulated;
  if (!ev.protocol.params.useCats) {
    match = cocoMatch(ev.gt, ev.dt, { ...ev.protocol.params, useCats: true }, { similarity: ev.match.similarity });
    acc = cocoAccumulate(match);
  }
  const d = defaults(ev);
  const count = gtCounts(ev, match);
  const view: CocoEvaluation = { ...ev, match, accumulated: acc };
  const rows = [...ev.gt.catIds].map((id, k) => ({
    categoryId: id, name: ev.gt.catNames[k]!, gt: count(k, d.a), ...metricRow(view, acc, d.a, [k]),
  }));
  return aq.from(rows);
}

/**
 * AP per area range (size bin) as an arquero table: `area, lo, hi, gt, AP, AP50, AP75, AR` (plus `AP25`),
 * at the largest maxDets, averaged over categories as pycocotools does.
 *
 * @example
 * evalPerSizeTable(cocoEvaluate(gt, dt, { protocol: "aitod" })).print();
 */
export function evalPerSizeTable(ev: CocoEvaluation): aq.ColumnTable {
  const count = gtCounts(ev);
  const rows = ev.protocol.params.areaRanges.map((r, a) => {
    let gt = 0;
    for (let k = 0; k < ev.match.nCats; k++) gt += count(k, a);
    return { area: r.label, lo: r.lo, hi: r.hi, gt, ...metricRow(ev, ev.accumulated, a) };
  });
  return aq.from(rows);
}

/** The domains of the GT images, sorted; images without one fall under `(none)`. */
export function evalDomains(ev: CocoEvaluation): string[] {
  return [...new Set(ev.gt.imgDomains.map((d) => d ?? "(none)"))].sort();
}

/** Image mask of one domain (`(none)`: images without a domain). */
export function evalDomainMask(ev: CocoEvaluation, domain: string): Uint8Array {
  return Uint8Array.from(ev.gt.imgDomains, (d) => ((d ?? "(none)") === domain ? 1 : 0));
}

/**
 * Metrics per image domain as an arquero table: `domain, images, gt, AP, AP50, AP75, AR` (plus `AP25`), then
 * one column per protocol summary label. Each domain is accumulated over its images only (pycocotools'
 * `params.imgIds` subset); matching is per image, so it is not redone.
 *
 * @example
 * evalPerDomainTable(cocoEvaluate(gt, dt, { protocol: "p2sod" })).print();
 */
export function evalPerDomainTable(ev: CocoEvaluation): aq.ColumnTable {
  const d = defaults(ev);
  const rows = evalDomains(ev).map((domain) => {
    const mask = evalDomainMask(ev, domain);
    const acc = cocoAccumulate(ev.match, { imgMask: mask });
    const count = gtCounts(ev, ev.match, mask);
    let gt = 0;
    for (let k = 0; k < ev.match.nCats; k++) gt += count(k, d.a);
    const images = mask.reduce((s, v) => s + v, 0);
    const stats: Record<string, number> = {};
    for (const s of cocoSummarize(acc, d.p, ev.protocol.summary)) stats[s.label] = s.value;
    return { domain, images, gt, ...metricRow(ev, acc, d.a), ...stats };
  });
  return aq.from(rows);
}

/** Options of {@link evalPrCurves}. */
export interface EvalPrCurveOptions {
  /** One curve per area range, per domain, or per category; default `area`. */
  by?: "area" | "domain" | "category";
  /** IoU threshold of the curves; default 0.5. */
  iouThr?: number;
}

/**
 * Precision-recall curves as data (an arquero table `group, iouThr, recall, precision`): pycocotools'
 * interpolated precision at its 101 recall thresholds, at the largest maxDets, averaged over categories
 * (entries > -1) for `area` and `domain` curves (the `all` range for domains). Groups without GT are left out.
 *
 * @example
 * evalPrCurves(ev, { by: "domain", iouThr: 0.5 }).print();
 */
export function evalPrCurves(ev: CocoEvaluation, options: EvalPrCurveOptions = {}): aq.ColumnTable {
  const by = options.by ?? "area";
  const iouThr = options.iouThr ?? 0.5;
  const d = defaults(ev);
  const t = evalFindThreshold(d.p.iouThrs, iouThr);
  const rows: { group: string; iouThr: number; recall: number; precision: number }[] = [];
  if (t < 0) return aq.from(rows);
  const curve = (group: string, acc: CocoAccumulated, a: number, ks: number[]) => {
    const [, R, K, A, M] = acc.shape;
    const pts: { group: string; iouThr: number; recall: number; precision: number }[] = [];
    for (let r = 0; r < R; r++) {
      let s = 0;
      let n = 0;
      for (const k of ks) {
        const v = acc.precision[(((t * R + r) * K + k) * A + a) * M + d.m]!;
        if (v > -1) { s += v; n++; }
      }
      if (n === 0) return;
      pts.push({ group, iouThr, recall: d.p.recThrs[r]!, precision: s / n });
    }
    rows.push(...pts);
  };
  const allK = Array.from({ length: ev.match.nCats }, (_, k) => k);
  if (by === "area") d.p.areaRanges.forEach((r, a) => curve(r.label, ev.accumulated, a, allK));
  else if (by === "domain") for (const dom of evalDomains(ev)) curve(dom, cocoAccumulate(ev.match, { imgMask: evalDomainMask(ev, dom) }), d.a, allK);
  else if (ev.protocol.params.useCats) ev.gt.catIds.forEach((id, k) => curve(String(id), ev.accumulated, d.a, [k]));
  else {
    const match = cocoMatch(ev.gt, ev.dt, { ...d.p, useCats: true }, { similarity: ev.match.similarity });
    const acc = cocoAccumulate(match);
    ev.gt.catIds.forEach((id, k) => curve(String(id), acc, d.a, [k]));
  }
  return aq.from(rows);
}
