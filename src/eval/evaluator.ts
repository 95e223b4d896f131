import { createHash } from "node:crypto";
import { VERSION } from "../version.js";
import { cocoAccumulate, type CocoAccumulated } from "./accumulate.js";
import type { CocoDtData, CocoGtData } from "./load.js";
import { cocoMatch, type CocoMatchData } from "./match.js";
import { cocoOlrp, cocoOlrpMean } from "./olrp.js";
import { evalFindThreshold, type EvalParams } from "./params.js";
import { evalProtocol, type EvalProtocol, type EvalProtocolName, type EvalProtocolOptions } from "./protocols.js";
import type { EvalSimilarity } from "./similarity.js";
import { cocoReduce, cocoSummarize, type EvalStat } from "./summarize.js";

/** Options of {@link cocoEvaluate}. */
export interface CocoEvaluateOptions extends EvalProtocolOptions {
  /** Protocol name or a ready {@link EvalProtocol}; default `coco`. */
  protocol?: EvalProtocolName | EvalProtocol;
  /** Class-agnostic matching (pycocotools useCats = 0); overrides the protocol's choice when given. */
  classAgnostic?: boolean;
  /** Matching similarity; default IoU. NWD results are extras, never COCO numbers. */
  similarity?: EvalSimilarity;
  /** Keep the matched GT of each TP at this (area range, IoU threshold) pair (for localisation extras). */
  record?: { areaIndex: number; iouIndex: number };
}

/**
 * What a saved evaluation holds so that two results can be compared safely later: the protocol and its
 * exact parameters, fingerprints of the GT and the detections, dealkit's version, and the numbers.
 */
export interface EvalResults {
  kind: "dealkit.eval";
  version: string;
  protocol: EvalProtocolName;
  similarity: EvalSimilarity;
  params: EvalParams;
  /** sha256 of the normalised GT and detections (independent of JSON formatting). */
  fingerprint: { gt: string; dt: string };
  /** Summary numbers by label. */
  stats: Record<string, number>;
  /** AP@[all IoU]|all|maxDets[-1] per category id (empty when class-agnostic). */
  perCategory: Record<string, number>;
  counts: { images: number; categories: number; gt: number; dt: number };
  warnings: string[];
}

/** A full evaluation: the inputs, the matching, the accumulated arrays, the summary and the results. */
export interface CocoEvaluation {
  gt: CocoGtData;
  dt: CocoDtData;
  protocol: EvalProtocol;
  match: CocoMatchData;
  accumulated: CocoAccumulated;
  summary: EvalStat[];
  results: EvalResults;
  /** Wall-clock milliseconds of matching (evaluate) and of accumulation with the summary (and oLRP). */
  timings: { matchMs: number; accumulateMs: number };
}

/**
 * Evaluates detections against ground truth exactly as pycocotools COCOeval (bbox) does:
 * match -> accumulate -> summarize, under a protocol (`coco` by default).
 *
 * @example
 * const { gt, dt } = cocoLoadFiles("gt.json", "dt.json");
 * const ev = cocoEvaluate(gt, dt, { protocol: "aitod" });
 * ev.results.stats["AP@[.50:.95]|all|1500"];
 */
export function cocoEvaluate(gt: CocoGtData, dt: CocoDtData, options: CocoEvaluateOptions = {}): CocoEvaluation {
  const plan = cocoEvalPlan(options);
  const t0 = performance.now();
  const match = cocoMatch(gt, dt, plan.protocol.params, { similarity: plan.similarity, record: plan.record });
  return cocoEvaluationOf(gt, dt, plan, match, performance.now() - t0);
}

/** What {@link cocoEvaluate} matches with: the protocol, the similarity and the (area, IoU) pair it records. */
export interface CocoEvalPlan {
  protocol: EvalProtocol;
  similarity: EvalSimilarity;
  /** Passed to {@link cocoMatch}: oLRP (aitod) records the IoU of each TP at IoU .50 in range "all". */
  record?: { areaIndex: number; iouIndex: number };
}

/**
 * The protocol, similarity and recorded pair that {@link cocoEvaluate} would use with these options: match with
 * them (in one process or shard by shard, merged) and finish with {@link cocoEvaluationOf}.
 *
 * @example
 * const plan = cocoEvalPlan({ protocol: "aitod" });
 * const ev = cocoEvaluationOf(gt, dt, plan, cocoMatch(gt, dt, plan.protocol.params, plan));
 */
export function cocoEvalPlan(options: CocoEvaluateOptions = {}): CocoEvalPlan {
  let protocol: EvalProtocol;
  if (typeof options.protocol === "object") protocol = options.protocol;
  else {
    const params = { ...(options.params ?? {}) };
    if (options.classAgnostic !== undefined) params.useCats = !options.classAgnostic;
    protocol = evalProtocol(options.protocol ?? "coco", { params, stockSummarize: options.stockSummarize });
  }
  const params = protocol.params;
  const similarity = options.similarity ?? { kind: "iou" };
  const olrpAt = olrpPair(protocol);
  return { protocol, similarity, record: options.record ?? olrpAt };
}

/** The (area "all", IoU .50) pair oLRP reads, when the protocol reports oLRP and has an IoU .50 threshold. */
function olrpPair(protocol: EvalProtocol): { areaIndex: number; iouIndex: number } | undefined {
  if (!protocol.olrp) return undefined;
  const params = protocol.params;
  const at = { areaIndex: Math.max(0, params.areaRanges.findIndex((r) => r.label === "all")), iouIndex: evalFindThreshold(params.iouThrs, 0.5) };
  return at.iouIndex >= 0 ? at : undefined;
}

/**
 * The rest of {@link cocoEvaluate} after matching: accumulate, summarise (with oLRP under aitod) and the results
 * object. `match` must come from {@link cocoMatch} with `plan`'s parameters, similarity and record (or be the
 * exact merge of such matches over disjoint image ranges); `matchMs` is reported as the matching time.
 *
 * @example
 * const plan = cocoEvalPlan();
 * const ev = cocoEvaluationOf(gt, dt, plan, cocoMatch(gt, dt, plan.protocol.params, plan));
 */
export function cocoEvaluationOf(gt: CocoGtData, dt: CocoDtData, plan: CocoEvalPlan, match: CocoMatchData, matchMs = 0): CocoEvaluation {
  const { protocol, similarity, record } = plan;
  const params = protocol.params;
  const olrpAt = olrpPair(protocol);
  const t1 = performance.now();
  const accumulated = cocoAccumulate(match);
  const summary = cocoSummarize(accumulated, params, protocol.summary);
  if (olrpAt) {
    const same = record !== undefined && record.areaIndex === olrpAt.areaIndex && record.iouIndex === olrpAt.iouIndex;
    const o = cocoOlrp(same ? match : cocoMatch(gt, dt, params, { similarity, record: olrpAt }), dt.score, params.maxDets.length - 1);
    const mLast = params.maxDets[params.maxDets.length - 1]!;
    const area = params.areaRanges[olrpAt.areaIndex]!.label;
    for (const [name, v] of [["oLRP", o.olrp], ["oLRP_loc", o.loc], ["oLRP_FP", o.fp], ["oLRP_FN", o.fn]] as const) {
      summary.push({ label: `${name}@.50|${area}|${mLast}`, metric: "LRP", iouThrs: [0.5], area, maxDets: mLast, value: cocoOlrpMean(v) });
    }
  }
  const t2 = performance.now();
  const stats: Record<string, number> = {};
  for (const s of summary) stats[s.label] = s.value;
  const perCategory = params.useCats ? cocoPerCategoryAp(accumulated, gt, params) : {};
  const results: EvalResults = {
    kind: "dealkit.eval",
    version: VERSION,
    protocol: protocol.name,
    similarity,
    params,
    fingerprint: { gt: cocoFingerprintGt(gt), dt: cocoFingerprintDt(dt) },
    stats,
    perCategory,
    counts: { images: gt.imgIds.length, categories: gt.catIds.length, gt: gt.n, dt: dt.n },
    warnings: [...gt.warnings, ...dt.warnings],
  };
  return { gt, dt, protocol, match, accumulated, summary, results, timings: { matchMs, accumulateMs: t2 - t1 } };
}

/**
 * AP per category id: `precision[:, :, k, area, maxDets]` averaged over the entries > -1 (-1 when the
 * category has no non-ignored GT). Defaults: all IoU thresholds, the first area range, the last maxDets.
 *
 * @example
 * cocoPerCategoryAp(ev.accumulated, ev.gt, ev.protocol.params, { iouIndex: [0] }); // AP50 per category
 */
export function cocoPerCategoryAp(
  acc: CocoAccumulated, gt: CocoGtData, params: EvalParams,
  sel: { iouIndex?: number[]; areaIndex?: number; maxDetsIndex?: number } = {},
): Record<string, number> {
  const out: Record<string, number> = {};
  if (!params.useCats) return out;
  const t = sel.iouIndex ?? params.iouThrs.map((_, i) => i);
  const a = sel.areaIndex ?? 0;
  const m = sel.maxDetsIndex ?? params.maxDets.length - 1;
  gt.catIds.forEach((id, k) => {
    out[String(id)] = cocoReduce(acc, { metric: "AP", t, a, m, k: [k] });
  });
  return out;
}

function hashArrays(parts: ArrayBufferView[]): string {
  const h = createHash("sha256");
  for (const p of parts) {
    h.update(new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
    h.update(String(p.byteLength));
  }
  return "sha256:" + h.digest("hex");
}

/** Content fingerprint of normalised GT (ids, boxes, areas, crowd flags, categories, images, domains). */
export function cocoFingerprintGt(gt: CocoGtData): string {
  const enc = new TextEncoder();
  return hashArrays([
    gt.imgIds, gt.catIds, enc.encode(JSON.stringify(gt.imgDomains)), gt.img, gt.cat,
    gt.x, gt.y, gt.w, gt.h, gt.area, gt.crowd, gt.annId,
  ]);
}

/** Content fingerprint of normalised detections (file order, images, categories, boxes, scores). */
export function cocoFingerprintDt(dt: CocoDtData): string {
  return hashArrays([dt.img, dt.cat, dt.x, dt.y, dt.w, dt.h, dt.score]);
}

/**
 * Whether two saved results can be compared: same protocol, parameters, similarity and GT fingerprint
 * (detections may differ: that is the point of comparing). Returns the reasons they cannot, empty if they can.
 *
 * @example
 * const problems = evalResultsComparable(saved, ev.results);
 */
export function evalResultsComparable(a: EvalResults, b: EvalResults): string[] {
  const why: string[] = [];
  if (a.protocol !== b.protocol) why.push(`protocol differs: ${a.protocol} vs ${b.protocol}`);
  if (JSON.stringify(a.params) !== JSON.stringify(b.params)) why.push("evaluation parameters differ");
  if (JSON.stringify(a.similarity) !== JSON.stringify(b.similarity)) why.push("matching similarity differs");
  if (a.fingerprint.gt !== b.fingerprint.gt) why.push("ground truth differs (fingerprint)");
  if (a.version !== b.version) why.push(`dealkit version differs: ${a.version} vs ${b.version} (numbers may still agree)`);
  return why;
}
