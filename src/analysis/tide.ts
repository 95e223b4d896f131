import { Boxes } from "../structures/boxes.js";
import { boxIoa, boxIou } from "../structures/iou.js";
import { checkOneOf, DealkitConfigError } from "../util/errors.js";
import { averagePrecision101, type ApPoint } from "./ap.js";
import type { AnalysisImage } from "./types.js";

/**
 * TIDE error decomposition (Bolya et al., ECCV 2020), following the reference implementation's tests and
 * fixes: each false positive gets exactly one type, tested in the order localisation, classification,
 * duplicate, background, and "both" as the remainder; a ground truth no error could have fixed is "missed".
 * The dAP of a type is the AP after fixing only that type (the oracle) minus the original AP, floored at 0.
 *
 * Matching and AP follow pycocotools (greedy by score, per category, top `maxDetections` per image and
 * category, ties kept in image-id order, 101 recall points), so the original AP equals the COCO AP at the
 * foreground IoU. Where TIDE and pycocotools differ, pycocotools wins: crowd regions hide a detection when
 * IoA >= the foreground IoU, and categories without ground truth are left out of the mean.
 */

/** The six TIDE error types, in TIDE's order. */
export type TideErrorType = "classification" | "localisation" | "both" | "duplicate" | "background" | "missed";

/** The TIDE error types in the reference order (Cls, Loc, Both, Dupe, Bkg, Miss). */
export const TIDE_ERROR_TYPES: readonly TideErrorType[] = ["classification", "localisation", "both", "duplicate", "background", "missed"];

/** Options of {@link runTide}. Defaults: foregroundIou 0.5, backgroundIou 0.1, classAgnostic false, maxDetections 100. */
export interface TideOptions {
  /** A detection is a true positive at IoU >= this with an unmatched ground truth of its category. Default 0.5. */
  foregroundIou?: number;
  /** At or below this IoU with every ground truth a detection is a background error. Default 0.1. */
  backgroundIou?: number;
  /** Treat every category as one (the P2SOD protocol): no classification or "both" errors then. Default false. */
  classAgnostic?: boolean;
  /** Detections kept per image and category, best first (pycocotools maxDets). Default 100. */
  maxDetections?: number;
  /**
   * Restrict to ground truth with area in [min, max] px^2 (COCO areaRng; both ends inclusive as in pycocotools):
   * other ground truth becomes an ignore region, and unmatched detections outside the range are ignored.
   * Default: no restriction.
   */
  areaRangePx2?: readonly [number, number];
}

/** One error found by {@link runTide}. Boxes are xyxy px; indices point into the image's arrays. */
export interface TideErrorRecord {
  type: TideErrorType;
  imageId: number;
  domain: string;
  /** Index into the image's detections; -1 for "missed". */
  detIndex: number;
  /** The ground truth the error refers to (best-overlapping one); -1 when none (background, or no ground truth). */
  gtIndex: number;
  /** The detection's score; NaN for "missed". */
  score: number;
  /** The detection's category (the ground truth's for "missed"). */
  categoryId: number;
  /** The referenced ground truth's category; -1 when none. */
  gtCategoryId: number;
  /** The IoU that decided the type (0 for "missed"). */
  iou: number;
  detBoxXyxy: [number, number, number, number] | null;
  gtBoxXyxy: [number, number, number, number] | null;
  /** Area of the referenced ground truth (px^2), else of the detection. */
  areaPx2: number;
}

/** The outcome of {@link runTide}. AP values are in [0, 1]. */
export interface TideRun {
  /** AP at the foreground IoU (NaN when there is no ground truth). */
  ap: number;
  /** AP gained by fixing only that type (>= 0). */
  dAP: Record<TideErrorType, number>;
  /** TIDE's special errors: AP with perfect precision (all false positives ranked last) and with perfect recall. */
  specialDAP: { falsePositive: number; falseNegative: number };
  counts: Record<TideErrorType, number>;
  errors: TideErrorRecord[];
  numGt: number;
  numDetections: number;
}

interface GtState {
  used: boolean;
  usable: boolean;
  bestScore: number;
  bestId: number;
}

interface FixableError {
  record: TideErrorRecord;
  cls: number;
  point: ApPoint;
  /** The ground truth a localisation / classification fix would match; null when suppressed. */
  target: GtState | null;
  targetCls: number;
  id: number;
}

interface RunState {
  tp: Map<number, ApPoint[]>;
  numGt: Map<number, number>;
  errors: FixableError[];
  missedByCls: Map<number, number>;
  falseNegByCls: Map<number, number>;
  numDetections: number;
}

function bump(m: Map<number, number>, k: number, by = 1): void {
  m.set(k, (m.get(k) ?? 0) + by);
}

function boxAt(a: ArrayLike<number>, i: number): [number, number, number, number] {
  return [a[4 * i]!, a[4 * i + 1]!, a[4 * i + 2]!, a[4 * i + 3]!];
}

function areaAt(a: ArrayLike<number>, i: number): number {
  return (a[4 * i + 2]! - a[4 * i]!) * (a[4 * i + 3]! - a[4 * i + 1]!);
}

function select(a: ArrayLike<number>, idx: readonly number[]): Float64Array {
  const out = new Float64Array(idx.length * 4);
  idx.forEach((k, j) => {
    for (let c = 0; c < 4; c++) out[4 * j + c] = a[4 * k + c]!;
  });
  return out;
}

/** Pairwise matrix as rows, NaN (empty boxes) read as 0. */
function matrix(a: Float64Array, b: Float64Array, kind: "iou" | "ioa"): Float64Array[] {
  const A = new Boxes(a, "xyxy");
  const B = new Boxes(b, "xyxy");
  const m = kind === "iou" ? boxIou(A, B) : boxIoa(A, B);
  const rows: Float64Array[] = [];
  for (let i = 0; i < m.rows; i++) {
    const r = m.data.slice(i * m.cols, (i + 1) * m.cols);
    for (let j = 0; j < r.length; j++) if (!(r[j]! > 0)) r[j] = 0;
    rows.push(r);
  }
  return rows;
}

/** Index of the maximum of row[j] over j where keep(j) (the first one, or the last with `lastWins`); -1 when none. */
function argmax(row: Float64Array, keep: (j: number) => boolean, lastWins = false): number {
  let best = -1;
  for (let j = 0; j < row.length; j++) {
    if (!keep(j)) continue;
    if (best < 0 || row[j]! > row[best]! || (lastWins && row[j]! === row[best]!)) best = j;
  }
  return best;
}

function evalImage(img: AnalysisImage, o: Required<Omit<TideOptions, "areaRangePx2">> & { areaRangePx2?: readonly [number, number] }, st: RunState, orderBase: { next: number }): void {
  const cls = (c: number): number => (o.classAgnostic ? 0 : c);
  const domain = img.domain ?? "all";
  const nGt = img.gtCategoryIds.length;
  const inRange = (area: number): boolean => !o.areaRangePx2 || (area >= o.areaRangePx2[0] && area <= o.areaRangePx2[1]);
  const gtIdx: number[] = [];
  const ignIdx: number[] = [];
  for (let g = 0; g < nGt; g++) {
    if (img.gtIgnore?.[g] || !inRange(img.gtAreaPx2?.[g] ?? areaAt(img.gtBoxesXyxy, g))) ignIdx.push(g);
    else gtIdx.push(g);
  }
  for (const g of gtIdx) bump(st.numGt, cls(img.gtCategoryIds[g]!));

  // Top maxDetections per category, best first (stable: pycocotools sorts with mergesort).
  const det = img.detections;
  const byCls = new Map<number, number[]>();
  for (let d = 0; d < det.length; d++) {
    const c = cls(det.categoryIds[d]!);
    if (!byCls.has(c)) byCls.set(c, []);
    byCls.get(c)!.push(d);
  }
  const preds: number[] = [];
  for (const list of byCls.values()) {
    list.sort((p, q) => det.scores[q]! - det.scores[p]! || p - q);
    preds.push(...list.slice(0, o.maxDetections));
  }
  preds.sort((p, q) => det.scores[q]! - det.scores[p]! || p - q);
  st.numDetections += preds.length;

  const gts: GtState[] = gtIdx.map(() => ({ used: false, usable: false, bestScore: -1, bestId: -1 }));
  const predBoxes = select(det.boxesXyxy, preds);
  const iou = matrix(predBoxes, select(img.gtBoxesXyxy, gtIdx), "iou");
  const gtCls = gtIdx.map((g) => cls(img.gtCategoryIds[g]!));
  const predCls = preds.map((d) => cls(det.categoryIds[d]!));
  const used: (boolean | null)[] = preds.map(() => false);
  const matchedWith = new Int32Array(gtIdx.length).fill(-1);

  // Greedy matching by score, within the category, to the best still-unmatched ground truth (among equal
  // IoUs the later ground truth wins, as in pycocotools).
  for (let p = 0; p < preds.length; p++) {
    const j = argmax(iou[p]!, (k) => gtCls[k] === predCls[p] && !gts[k]!.used, true);
    if (j >= 0 && iou[p]![j]! >= o.foregroundIou) {
      used[p] = true;
      gts[j]!.used = true;
      matchedWith[j] = p;
    }
  }
  // Ignore regions: crowd by IoA, out-of-range ground truth by IoU; out-of-range detections are ignored too.
  if (ignIdx.length > 0 || o.areaRangePx2) {
    const ign = ignIdx.length ? matrix(predBoxes, select(img.gtBoxesXyxy, ignIdx), "iou") : [];
    const ioa = ignIdx.length ? matrix(predBoxes, select(img.gtBoxesXyxy, ignIdx), "ioa") : [];
    for (let p = 0; p < preds.length; p++) {
      if (used[p]) continue;
      if (!inRange(areaAt(det.boxesXyxy, preds[p]!))) used[p] = null;
      for (let k = 0; k < ignIdx.length && used[p] === false; k++) {
        const g = ignIdx[k]!;
        if (cls(img.gtCategoryIds[g]!) !== predCls[p]) continue;
        const v = img.gtIgnore?.[g] ? ioa[p]![k]! : ign[p]![k]!;
        if (v >= o.foregroundIou) used[p] = null;
      }
    }
  }

  const gtId = (k: number): number => gtIdx[k]!;
  for (let p = 0; p < preds.length; p++) {
    const d = preds[p]!;
    const point: ApPoint = { score: det.scores[d]!, tp: used[p] === true, order: orderBase.next++ };
    if (used[p] === null) continue;
    if (used[p]) {
      if (!st.tp.has(predCls[p]!)) st.tp.set(predCls[p]!, []);
      st.tp.get(predCls[p]!)!.push(point);
      continue;
    }
    const row = iou[p]!;
    const rec = (type: TideErrorType, k: number, v: number): TideErrorRecord => ({
      type,
      imageId: img.imageId,
      domain,
      detIndex: d,
      gtIndex: k >= 0 ? gtId(k) : -1,
      score: det.scores[d]!,
      categoryId: det.categoryIds[d]!,
      gtCategoryId: k >= 0 ? img.gtCategoryIds[gtId(k)]! : -1,
      iou: v,
      detBoxXyxy: boxAt(det.boxesXyxy, d),
      gtBoxXyxy: k >= 0 ? boxAt(img.gtBoxesXyxy, gtId(k)) : null,
      areaPx2: k >= 0 ? areaAt(img.gtBoxesXyxy, gtId(k)) : areaAt(det.boxesXyxy, d),
    });
    const add = (type: TideErrorType, k: number, v: number, fixable: boolean): void => {
      let target: GtState | null = null;
      if (fixable) {
        const g = gts[k]!;
        // TIDE's BestGTMatch: only the highest-scoring fixable error per ground truth becomes a true positive.
        if (!g.used) {
          target = g;
          g.usable = true;
          if (g.bestScore < point.score) {
            g.bestScore = point.score;
            g.bestId = point.order;
          }
        }
      }
      st.errors.push({ record: rec(type, k, v), cls: predCls[p]!, point, target, targetCls: k >= 0 ? gtCls[k]! : -1, id: point.order });
    };
    if (gtIdx.length === 0) {
      add("background", -1, 0, false);
      continue;
    }
    const kCls = argmax(row, (k) => gtCls[k] === predCls[p]);
    const vCls = kCls >= 0 ? row[kCls]! : 0;
    if (kCls >= 0 && o.backgroundIou <= vCls && vCls <= o.foregroundIou) {
      add("localisation", kCls, vCls, true);
      continue;
    }
    const kOther = argmax(row, (k) => gtCls[k] !== predCls[p]);
    if (kOther >= 0 && row[kOther]! >= o.foregroundIou) {
      add("classification", kOther, row[kOther]!, true);
      continue;
    }
    const kUsed = argmax(row, (k) => gtCls[k] === predCls[p] && gts[k]!.used);
    if (kUsed >= 0 && row[kUsed]! >= o.foregroundIou) {
      add("duplicate", kUsed, row[kUsed]!, false);
      continue;
    }
    const kAll = argmax(row, () => true);
    if (row[kAll]! <= o.backgroundIou) {
      add("background", -1, row[kAll]!, false);
      continue;
    }
    add("both", kAll, row[kAll]!, false);
  }

  gts.forEach((g, k) => {
    if (g.used) return;
    const c = gtCls[k]!;
    bump(st.falseNegByCls, c);
    if (g.usable) return;
    bump(st.missedByCls, c);
    const gi = gtId(k);
    st.errors.push({
      record: {
        type: "missed", imageId: img.imageId, domain, detIndex: -1, gtIndex: gi, score: NaN,
        categoryId: img.gtCategoryIds[gi]!, gtCategoryId: img.gtCategoryIds[gi]!, iou: 0,
        detBoxXyxy: null, gtBoxXyxy: boxAt(img.gtBoxesXyxy, gi), areaPx2: areaAt(img.gtBoxesXyxy, gi),
      },
      cls: c, point: { score: NaN, tp: false, order: -1 }, target: null, targetCls: c, id: -1,
    });
  });
}

type Fix = TideErrorType | "none" | "falsePositive" | "falseNegative";

function mapWith(st: RunState, fix: Fix): number {
  const points = new Map<number, ApPoint[]>();
  const push = (c: number, p: ApPoint): void => {
    if (!points.has(c)) points.set(c, []);
    points.get(c)!.push(p);
  };
  for (const [c, list] of st.tp) for (const p of list) push(c, fix === "falsePositive" ? { ...p, score: 1 } : p);
  const numGt = new Map(st.numGt);
  for (const e of st.errors) {
    const t = e.record.type;
    if (t === "missed") {
      if (fix === "missed") bump(numGt, e.cls, -1);
      continue;
    }
    if (t !== fix) {
      push(e.cls, fix === "falsePositive" ? { ...e.point, score: 0 } : e.point);
      continue;
    }
    if ((t === "localisation" || t === "classification") && e.target && e.target.bestId === e.id) {
      push(t === "classification" ? e.targetCls : e.cls, { ...e.point, tp: true });
    }
  }
  if (fix === "falseNegative") for (const [c, n] of st.falseNegByCls) bump(numGt, c, -n);
  const classes = [...st.numGt].filter(([, n]) => n > 0).map(([c]) => c);
  if (classes.length === 0) return NaN;
  let sum = 0;
  for (const c of classes) sum += averagePrecision101(points.get(c) ?? [], numGt.get(c) ?? 0);
  return sum / classes.length;
}

/**
 * Runs the TIDE decomposition over images: the AP at the foreground IoU, each error type's dAP and count,
 * and one record per error (for galleries). Images are visited in ascending imageId, as pycocotools does.
 *
 * @example
 * const run = runTide(images, { classAgnostic: true });
 * run.ap; run.dAP.localisation; run.counts.missed;
 */
export function runTide(images: readonly AnalysisImage[], options: TideOptions = {}): TideRun {
  const o = {
    foregroundIou: options.foregroundIou ?? 0.5,
    backgroundIou: options.backgroundIou ?? 0.1,
    classAgnostic: options.classAgnostic ?? false,
    maxDetections: options.maxDetections ?? 100,
    areaRangePx2: options.areaRangePx2,
  };
  if (!(o.backgroundIou >= 0 && o.backgroundIou < o.foregroundIou && o.foregroundIou <= 1)) {
    throw new DealkitConfigError(`runTide: need 0 <= backgroundIou < foregroundIou <= 1; got backgroundIou ${o.backgroundIou}, foregroundIou ${o.foregroundIou}`);
  }
  const st: RunState = { tp: new Map(), numGt: new Map(), errors: [], missedByCls: new Map(), falseNegByCls: new Map(), numDetections: 0 };
  const order = { next: 0 };
  const sorted = images.slice().sort((a, b) => a.imageId - b.imageId);
  for (const img of sorted) evalImage(img, o, st, order);
  const ap = mapWith(st, "none");
  const dAP = {} as Record<TideErrorType, number>;
  const counts = {} as Record<TideErrorType, number>;
  for (const t of TIDE_ERROR_TYPES) {
    dAP[t] = Number.isNaN(ap) ? NaN : Math.max(mapWith(st, t) - ap, 0);
    counts[t] = 0;
  }
  for (const e of st.errors) counts[e.record.type]++;
  let numGt = 0;
  for (const n of st.numGt.values()) numGt += n;
  return {
    ap,
    dAP,
    specialDAP: { falsePositive: mapWith(st, "falsePositive") - ap, falseNegative: mapWith(st, "falseNegative") - ap },
    counts,
    errors: st.errors.map((e) => e.record),
    numGt,
    numDetections: st.numDetections,
  };
}

/** Checks a TIDE error type name (for CLI and notebook input). */
export function checkTideErrorType(name: string): TideErrorType {
  return checkOneOf("TIDE error type", name, TIDE_ERROR_TYPES);
}
