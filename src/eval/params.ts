import { DealkitConfigError } from "../util/errors.js";

/** A named object-area range in px² (the GT `area` field; `w*h` for detections), both ends inclusive. */
export interface EvalAreaRange {
  /** Label used in summaries and tables: `all`, `small`, `verytiny`, ... */
  label: string;
  /** Lower bound in px² (inclusive). */
  lo: number;
  /** Upper bound in px² (inclusive). */
  hi: number;
}

/**
 * The parameters of one COCO-style bbox evaluation, the same knobs as pycocotools' `Params`.
 * Build them with {@link evalParams} or a protocol preset ({@link evalProtocol}); the evaluator sorts
 * `maxDets` ascending, as pycocotools does.
 */
export interface EvalParams {
  /** IoU thresholds (pycocotools: `np.linspace(.5, .95, 10)`). */
  iouThrs: number[];
  /** Recall thresholds (pycocotools: `np.linspace(0, 1, 101)`). */
  recThrs: number[];
  /** Area ranges; the first is usually `all`. */
  areaRanges: EvalAreaRange[];
  /** Detections kept per image and category (per image when class-agnostic), ascending. */
  maxDets: number[];
  /** `true`: match within each category (useCats = 1); `false`: class-agnostic (useCats = 0). */
  useCats: boolean;
}

/**
 * `numpy.linspace(start, stop, num)` bit for bit: `i*step + start` with `step = (stop-start)/(num-1)` and
 * the last value set to `stop`. pycocotools' thresholds are these doubles, not decimal literals
 * (`cocoLinspace(.5, .95, 10)[8]` is 0.8999999999999999).
 *
 * @example
 * cocoLinspace(0, 1, 101); // pycocotools' recThrs
 */
export function cocoLinspace(start: number, stop: number, num: number): number[] {
  if (!Number.isInteger(num) || num < 1) throw new DealkitConfigError(`linspace count must be a positive integer; got ${num}`);
  if (num === 1) return [start];
  const delta = stop - start;
  const step = delta / (num - 1);
  const out = new Array<number>(num);
  for (let i = 0; i < num; i++) out[i] = step === 0 ? (i / (num - 1)) * delta + start : i * step + start;
  out[num - 1] = stop;
  return out;
}

/** pycocotools' IoU thresholds: `np.linspace(.5, .95, 10)`. */
export const COCO_IOU_THRS: readonly number[] = Object.freeze(cocoLinspace(0.5, 0.95, 10));
/** pycocotools' recall thresholds: `np.linspace(0, 1, 101)`. */
export const COCO_REC_THRS: readonly number[] = Object.freeze(cocoLinspace(0, 1, 101));

/** pycocotools' bbox area ranges: all, small [0, 32²], medium [32², 96²], large [96², 1e10]. */
export const COCO_AREA_RANGES: readonly EvalAreaRange[] = Object.freeze([
  { label: "all", lo: 0, hi: 1e10 },
  { label: "small", lo: 0, hi: 32 ** 2 },
  { label: "medium", lo: 32 ** 2, hi: 96 ** 2 },
  { label: "large", lo: 96 ** 2, hi: 1e10 },
]);

/**
 * The AI-TOD fork's area ranges (jwwangchn/cocoapi-aitod): all, verytiny [0, 8²], tiny [8², 16²],
 * small [16², 32²], medium [32², 1e10]. There is no "large" range: "medium" is everything of 32 px and up.
 */
export const AITOD_AREA_RANGES: readonly EvalAreaRange[] = Object.freeze([
  { label: "all", lo: 0, hi: 1e10 },
  { label: "verytiny", lo: 0, hi: 8 ** 2 },
  { label: "tiny", lo: 8 ** 2, hi: 16 ** 2 },
  { label: "small", lo: 16 ** 2, hi: 32 ** 2 },
  { label: "medium", lo: 32 ** 2, hi: 1e10 },
]);

/** Partial parameters; what is left out takes the pycocotools bbox default. */
export type EvalParamsInput = Partial<EvalParams>;

/**
 * Complete, validated evaluation parameters: pycocotools bbox defaults for whatever is not given
 * (iouThrs .50:.05:.95, recThrs 0:.01:1, COCO area ranges, maxDets [1, 10, 100], useCats true).
 * maxDets are sorted ascending, as pycocotools' `evaluate()` does.
 *
 * @example
 * const p = evalParams({ maxDets: [1, 100, 1500], useCats: false });
 */
export function evalParams(input: EvalParamsInput = {}): EvalParams {
  const iouThrs = [...(input.iouThrs ?? COCO_IOU_THRS)];
  const recThrs = [...(input.recThrs ?? COCO_REC_THRS)];
  const areaRanges = (input.areaRanges ?? COCO_AREA_RANGES).map((r) => ({ label: r.label, lo: r.lo, hi: r.hi }));
  const maxDets = [...(input.maxDets ?? [1, 10, 100])].sort((a, b) => a - b);
  const useCats = input.useCats ?? true;
  if (iouThrs.length === 0) throw new DealkitConfigError("iouThrs must list at least one IoU threshold");
  for (const t of iouThrs) {
    if (!Number.isFinite(t) || t < 0 || t > 1) throw new DealkitConfigError(`IoU thresholds must be numbers in [0, 1]; got ${t}`);
  }
  if (recThrs.length === 0) throw new DealkitConfigError("recThrs must list at least one recall threshold");
  for (let i = 0; i < recThrs.length; i++) {
    const r = recThrs[i]!;
    if (!Number.isFinite(r) || r < 0 || r > 1 || (i > 0 && r < recThrs[i - 1]!)) {
      throw new DealkitConfigError(`recall thresholds must be ascending numbers in [0, 1]; got ${r} at position ${i}`);
    }
  }
  if (areaRanges.length === 0) throw new DealkitConfigError("areaRanges must list at least one range, e.g. all:0:1e10");
  for (const r of areaRanges) {
    if (!r.label || !Number.isFinite(r.lo) || !(r.hi >= r.lo)) {
      throw new DealkitConfigError(`an area range needs a label and numbers lo <= hi; got ${JSON.stringify(r)}`);
    }
  }
  if (maxDets.length === 0) throw new DealkitConfigError("maxDets must list at least one value, e.g. 1,10,100");
  for (const m of maxDets) {
    if (!Number.isInteger(m) || m < 1) throw new DealkitConfigError(`maxDets must be positive integers; got ${m}`);
  }
  return { iouThrs, recThrs, areaRanges, maxDets, useCats };
}

/**
 * Formats an IoU threshold as in the summary labels: `.50`, `.75`, `.25`, `1.00`.
 *
 * @example
 * evalIouLabel(0.5); // ".50"
 */
export function evalIouLabel(t: number): string {
  const s = t.toFixed(2);
  return s.startsWith("0") ? s.slice(1) : s;
}

/**
 * Parses area ranges written as `label:lo:hi` items separated by commas (numbers may use `e`), or a
 * preset name (`coco`, `aitod`).
 *
 * @example
 * evalParseAreaRanges("all:0:1e10,verytiny:0:64,tiny:64:256");
 */
export function evalParseAreaRanges(text: string): EvalAreaRange[] {
  const t = text.trim();
  if (t === "coco") return COCO_AREA_RANGES.map((r) => ({ ...r }));
  if (t === "aitod") return AITOD_AREA_RANGES.map((r) => ({ ...r }));
  if (t.startsWith("[") || t.startsWith("{")) return areaRangesFromJson(t);
  return t.split(/[,\s]+/).filter((x) => x).map((item) => {
    const parts = item.trim().split(":");
    const lo = strictNumber(parts[1] ?? "");
    const hi = strictNumber(parts[2] ?? "");
    if (parts.length !== 3 || !parts[0] || parts[1] === "" || parts[2] === "" || !Number.isFinite(lo) || !Number.isFinite(hi)) {
      throw new DealkitConfigError(`area ranges are written label:lo:hi[,label:lo:hi...] or one of "coco", "aitod"; got "${item}"`);
    }
    return { label: parts[0], lo, hi };
  });
}

/** JSON forms: `{"all": [0, 1e10], ...}`, `[["all", 0, 1e10], ...]` or `[{"label", "lo", "hi"}, ...]`. */
function areaRangesFromJson(text: string): EvalAreaRange[] {
  const bad = () => new DealkitConfigError(`area ranges in JSON are {"label": [lo, hi], ...}, [["label", lo, hi], ...] or [{"label", "lo", "hi"}, ...]; got ${text}`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw bad();
  }
  let out: EvalAreaRange[];
  if (Array.isArray(v)) {
    out = v.map((r) => {
      if (Array.isArray(r) && r.length === 3) return { label: String(r[0]), lo: Number(r[1]), hi: Number(r[2]) };
      if (r && typeof r === "object" && "label" in r) return { label: String(r.label), lo: Number(r.lo), hi: Number(r.hi) };
      throw bad();
    });
  } else if (v && typeof v === "object") {
    out = Object.entries(v).map(([label, r]) => {
      if (!Array.isArray(r) || r.length !== 2) throw bad();
      return { label, lo: Number(r[0]), hi: Number(r[1]) };
    });
  } else throw bad();
  if (out.some((r) => !Number.isFinite(r.lo) || !Number.isFinite(r.hi))) throw bad();
  return out;
}

/**
 * Parses IoU thresholds: a comma list (`0.25,0.5,0.75`) or `start:stop:step` (numpy linspace with
 * `round((stop-start)/step)+1` points, as pycocotools builds its defaults).
 *
 * @example
 * evalParseIouThrs("0.5:0.95:0.05"); // identical to COCO_IOU_THRS
 */
export function evalParseIouThrs(text: string): number[] {
  const t = text.trim();
  if (t.includes(":")) {
    const [a, b, c] = t.split(":").map(strictNumber);
    if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c) || !(c! > 0) || b! < a! || a! < 0 || b! > 1) {
      throw new DealkitConfigError(`IoU thresholds are written start:stop:step (0 <= start <= stop <= 1, step > 0) or as a comma list; got "${text.slice(0, 60)}"`);
    }
    return cocoLinspace(a!, b!, Math.round((b! - a!) / c!) + 1);
  }
  return splitList(t).map((s) => {
    const v = strictNumber(s);
    if (!(v >= 0 && v <= 1)) throw new DealkitConfigError(`IoU thresholds must be numbers in [0, 1]; got "${s.slice(0, 40)}"`);
    return v;
  });
}

/**
 * Parses a comma list of maxDets values (`1,100,1500`).
 *
 * @example
 * evalParseMaxDets("1,10,100"); // [1, 10, 100]
 */
export function evalParseMaxDets(text: string): number[] {
  return splitList(text).map((s) => {
    const v = strictNumber(s);
    if (!Number.isInteger(v) || v < 1 || v > 1e9) throw new DealkitConfigError(`maxDets must be integers in [1, 1000000000]; got "${s.slice(0, 40)}"`);
    return v;
  });
}

/** A number in plain decimal syntax (no hex, blanks or "Infinity"); NaN otherwise. */
function strictNumber(s: string): number {
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s) ? Number(s) : Number.NaN;
}

/** Items of `1,2,3`, `1 2 3` or `[1, 2, 3]`. */
function splitList(text: string): string[] {
  return text.trim().replace(/^\[|\]$/g, "").split(/[,\s]+/).filter((x) => x !== "");
}

/** Index of `value` in `thrs`, comparing to 1e-12 (so 0.9 finds linspace's 0.8999999999999999), or -1. */
export function evalFindThreshold(thrs: readonly number[], value: number): number {
  for (let i = 0; i < thrs.length; i++) if (Math.abs(thrs[i]! - value) < 1e-12) return i;
  return -1;
}
