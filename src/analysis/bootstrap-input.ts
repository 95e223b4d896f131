import {
  cocoLoadDt, cocoLoadGt, evalProtocol,
  type CocoDetectionJson, type CocoDtData, type CocoGtData, type CocoGtJson, type EvalProtocol, type EvalProtocolName, type EvalStatSpec,
} from "../eval/index.js";
import { DealkitConfigError, DealkitInputError } from "../util/errors.js";

/** What the bootstrap functions take: GT and detections as JSON or loaded, a protocol, the metrics. */

/** Options of {@link imageWeightedEvaluator} (and of the bootstraps built on it). */
export interface ImageWeightedOptions {
  /** Protocol name or a ready protocol (then used as is); default `p2sod`. */
  protocol?: EvalProtocolName | EvalProtocol;
  /** Class-agnostic matching (pycocotools useCats = 0); default true. Ignored when `protocol` is an object. */
  classAgnostic?: boolean;
  /** Summary labels to compute, e.g. `AP@.50|all|1500`; default every AP/AR number of the protocol's summary. */
  metrics?: readonly string[];
}

/** A GT as loaded by cocoLoadGt, or COCO JSON to load. */
export type BootstrapGt = CocoGtData | CocoGtJson;
/** Detections as loaded by cocoLoadDt (against the same GT), or a COCO results array to load. */
export type BootstrapDt = CocoDtData | readonly CocoDetectionJson[];

/** The GT, loaded when given as JSON (`bootstrapGtData(gtJson).imgIds`). */
export function bootstrapGtData(gt: BootstrapGt): CocoGtData {
  return (gt as CocoGtData).imgIds instanceof Float64Array ? (gt as CocoGtData) : cocoLoadGt(gt, "ground truth");
}

/** The detections, loaded against `gt` when given as JSON; `name` names them in messages (`bootstrapDtData(results, gt, "deal")`). */
export function bootstrapDtData(dt: BootstrapDt, gt: CocoGtData, name: string): CocoDtData {
  if (Array.isArray(dt)) return cocoLoadDt(dt, gt, name);
  const d = dt as CocoDtData;
  if (!(d.img instanceof Int32Array)) throw new DealkitInputError("must be a COCO results array or detections loaded by cocoLoadDt", { file: name });
  for (let i = 0; i < d.n; i++) {
    if (d.img[i]! >= gt.imgIds.length) throw new DealkitInputError("was loaded against another ground truth (image index out of range)", { file: name, record: `detection #${i}` });
  }
  return d;
}

/** The protocol of the options (default p2sod, class-agnostic): `bootstrapProtocol({}).name === "p2sod"`. */
export function bootstrapProtocol(options: ImageWeightedOptions): EvalProtocol {
  if (typeof options.protocol === "object") return options.protocol;
  return evalProtocol(options.protocol ?? "p2sod", { params: { useCats: !(options.classAgnostic ?? true) } });
}

/**
 * The summary specs named by `metrics` (default: the protocol's AP/AR numbers); an unknown label is a
 * configuration error listing the valid ones: `bootstrapSpecs(evalProtocol("p2sod"), ["AP@.50|all|1500"])`.
 */
export function bootstrapSpecs(protocol: EvalProtocol, metrics: readonly string[] | undefined): EvalStatSpec[] {
  const usable = protocol.summary.filter((s) => s.metric !== "LRP");
  if (metrics === undefined) return usable;
  if (metrics.length === 0) throw new DealkitConfigError("metrics must name at least one summary label");
  return metrics.map((label) => {
    const spec = usable.find((s) => s.label === label);
    if (!spec) throw new DealkitConfigError(`metric "${label}" is not a summary number of the ${protocol.name} protocol; valid: ${usable.map((s) => s.label).join(", ")}`);
    return spec;
  });
}
