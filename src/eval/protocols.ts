import { checkOneOf } from "../util/errors.js";
import { AITOD_AREA_RANGES, COCO_IOU_THRS, evalParams, type EvalParams, type EvalParamsInput } from "./params.js";
import { cocoStandardSummarySpecs, cocoStockSummarySpecs, evalStatSpec, type EvalStatSpec } from "./summarize.js";

/** Names of the built-in evaluation protocols. */
export const EVAL_PROTOCOLS = ["coco", "aitod", "p2sod", "custom"] as const;
/** One of {@link EVAL_PROTOCOLS}: `coco`, `aitod`, `p2sod` or `custom`. */
export type EvalProtocolName = (typeof EVAL_PROTOCOLS)[number];

/** A protocol: the evaluation parameters plus the summary numbers it reports. */
export interface EvalProtocol {
  name: EvalProtocolName;
  params: EvalParams;
  summary: EvalStatSpec[];
  /**
   * Also report the AI-TOD fork's optimal LRP numbers (`oLRP@.50|all|<maxDets>`, `oLRP_loc@...`,
   * `oLRP_FP@...`, `oLRP_FN@...`) at IoU .50, range `all`, the largest maxDets. Set by `aitod`.
   */
  olrp?: boolean;
}

/** Options of {@link evalProtocol}. */
export interface EvalProtocolOptions {
  /** Parameter overrides (any protocol); `useCats: false` is class-agnostic. */
  params?: EvalParamsInput;
  /** Report unmodified pycocotools `summarize()` numbers instead (its maxDets-100 quirk included). */
  stockSummarize?: boolean;
}

/**
 * Builds a protocol's parameters and summary.
 *
 * - `coco`: pycocotools bbox defaults (IoU .50:.05:.95, maxDets 1/10/100, ranges all/small/medium/large);
 *   the 12 standard stats.
 * - `aitod`: the AI-TOD fork's defaults (jwwangchn/cocoapi-aitod): maxDets 1/100/1500, ranges all,
 *   verytiny [0,64], tiny [64,256], small [256,1024], medium [1024,1e10]; its 19 stats in its order:
 *   15 AP/AR numbers, including `AP@.25|all|1500`, which the fork reports as -1 because .25 is not an IoU
 *   threshold, then optimal LRP and its localisation, FP and FN components at IoU .50 (see {@link cocoOlrp}).
 * - `p2sod`: the P2SOD benchmark table, class-agnostic (useCats 0), AI-TOD ranges, maxDets 1/100/1500 per
 *   image. IoU thresholds are .25 plus the COCO ten; each threshold is matched independently, so every
 *   number equals what pycocotools gives for the same settings:
 *   `AP@.25|all|1500`, `AP@.50|all|1500`, `AP@.75|all|1500` (one IoU row each, 101-point interpolated,
 *   as pycocotools); `AP@[.50:.95]|all|1500` (the ten COCO rows, .25 excluded); per size bin (verytiny,
 *   tiny, small, medium) `AP@[.50:.95]|<bin>|1500` (the AI-TOD convention) and `AP@.50|<bin>|1500`;
 *   then `AR@[.50:.95]|all|1500` and `AR@.50|all|1500`.
 * - `custom`: the given parameters (pycocotools defaults for the rest) with a summary that is correct for
 *   them (see {@link cocoStandardSummarySpecs}).
 *
 * @example
 * const proto = evalProtocol("aitod");
 * const custom = evalProtocol("custom", { params: { maxDets: [1, 100, 1500] } });
 */
export function evalProtocol(name: EvalProtocolName | string, options: EvalProtocolOptions = {}): EvalProtocol {
  const n = checkOneOf("evaluation protocol", name, EVAL_PROTOCOLS);
  const o = options.params ?? {};
  let params: EvalParams;
  let summary: EvalStatSpec[];
  if (n === "coco" || n === "custom") {
    params = evalParams(o);
    summary = cocoStandardSummarySpecs(params);
  } else if (n === "aitod") {
    params = evalParams({ areaRanges: [...AITOD_AREA_RANGES], maxDets: [1, 100, 1500], ...o });
    summary = aitodSummarySpecs(params);
  } else {
    params = evalParams({ iouThrs: [0.25, ...COCO_IOU_THRS], areaRanges: [...AITOD_AREA_RANGES], maxDets: [1, 100, 1500], useCats: false, ...o });
    summary = p2sodSummarySpecs(params);
  }
  if (options.stockSummarize) summary = cocoStockSummarySpecs(params);
  return { name: n, params, summary, ...(n === "aitod" && !options.stockSummarize ? { olrp: true } : {}) };
}

/**
 * The AI-TOD fork's AP/AR stats for the given parameters (its summarize order, oLRP left out).
 *
 * @example
 * aitodSummarySpecs(evalProtocol("aitod").params).length; // 15
 */
export function aitodSummarySpecs(params: EvalParams): EvalStatSpec[] {
  const mLast = params.maxDets[params.maxDets.length - 1]!;
  const bins = params.areaRanges.map((r) => r.label).filter((l) => l !== "all");
  const specs = [
    evalStatSpec(params, "AP", undefined, "all", mLast),
    evalStatSpec(params, "AP", 0.25, "all", mLast),
    evalStatSpec(params, "AP", 0.5, "all", mLast),
    evalStatSpec(params, "AP", 0.75, "all", mLast),
  ];
  for (const b of bins) specs.push(evalStatSpec(params, "AP", undefined, b, mLast));
  for (const m of params.maxDets) specs.push(evalStatSpec(params, "AR", undefined, "all", m));
  for (const b of bins) specs.push(evalStatSpec(params, "AR", undefined, b, mLast));
  return specs;
}

/**
 * The P2SOD table's numbers (see {@link evalProtocol}).
 *
 * @example
 * p2sodSummarySpecs(evalProtocol("p2sod").params)[0].label; // "AP@.25|all|1500"
 */
export function p2sodSummarySpecs(params: EvalParams): EvalStatSpec[] {
  const mLast = params.maxDets[params.maxDets.length - 1]!;
  const coco = params.iouThrs.filter((t) => t >= 0.5 - 1e-12);
  const bins = params.areaRanges.map((r) => r.label).filter((l) => l !== "all");
  const specs = [
    evalStatSpec(params, "AP", 0.25, "all", mLast),
    evalStatSpec(params, "AP", 0.5, "all", mLast),
    evalStatSpec(params, "AP", 0.75, "all", mLast),
    evalStatSpec(params, "AP", coco, "all", mLast),
  ];
  for (const b of bins) specs.push(evalStatSpec(params, "AP", coco, b, mLast));
  for (const b of bins) specs.push(evalStatSpec(params, "AP", 0.5, b, mLast));
  specs.push(evalStatSpec(params, "AR", coco, "all", mLast));
  specs.push(evalStatSpec(params, "AR", 0.5, "all", mLast));
  return specs;
}
