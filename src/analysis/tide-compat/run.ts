import { DealkitConfigError, DealkitInputError } from "../../util/errors.js";
import { TideCompatApData } from "./ap.js";
import { evalCompatImage, type CompatError, type CompatGt, type CompatPred, type CompatState } from "./image.js";
import {
  TIDE_COMPAT_ERRORS, type TideCompatErrorName, type TideCompatInput, type TideCompatOptions, type TideCompatRun,
} from "./types.js";

/** A data point an error contributes: to a class, or (Miss) a change of that class's ground-truth count. */
type Contribution = { cls: number; id: number; score: number; tp: boolean } | { cls: number; gtDelta: number } | null;

/** `error.unfix()`: the false positive as it stands, none for a detection hidden by a crowd region or for Miss. */
function original(e: CompatError): Contribution {
  if (!e.pred || e.ignored) return null;
  return { cls: e.pred.cls, id: e.pred.id, score: e.pred.score, tp: false };
}

/** `error.fix()`, read after the whole run (as TIDE stores it), when the best-match choice is final. */
function fixed(e: CompatError): Contribution {
  if (e.type === "Miss") return { cls: e.gt!.cls, gtDelta: -1 };
  if ((e.type !== "Loc" && e.type !== "Cls") || !e.target || e.target.bestId !== e.pred!.id) return null;
  return { cls: e.type === "Cls" ? e.target.cls : e.pred!.cls, id: e.pred!.id, score: e.pred!.score, tp: true };
}

interface FixSpec {
  fix?: (e: CompatError) => boolean;
  transform?: (p: { score: number; tp: boolean }) => { score: number; tp: boolean };
  falseNegatives?: ReadonlyMap<number, number>;
}

/**
 * `TIDERun.fix_errors`: a new AP data object built from the errors first (fixed where `fix` says so, in error
 * order) and then the original true positives, class by class. Returns its mAP in percent.
 */
function fixErrors(st: CompatState, spec: FixSpec): number {
  const gtPos = new Map([...st.ap.classes].map(([c, d]) => [c, d.numGt]));
  const out = new TideCompatApData();
  const t = spec.transform ?? ((p) => p);
  for (const e of st.errors) {
    let c = original(e);
    if (spec.fix?.(e)) {
      c = fixed(e);
      if (c && "gtDelta" in c) {
        gtPos.set(c.cls, gtPos.get(c.cls)! + c.gtDelta);
        c = null;
      }
    }
    if (c && "id" in c) {
      const p = t(c);
      out.push(c.cls, c.id, p.score, p.tp);
    }
  }
  for (const cls of gtPos.keys()) {
    for (const [id, p] of st.ap.classes.get(cls)!.points) {
      if (!p.tp) continue;
      const q = t(p);
      out.push(cls, id, q.score, q.tp);
    }
  }
  for (const [cls, n] of gtPos) out.addGt(cls, n - (spec.falseNegatives?.get(cls) ?? 0));
  return out.mAP();
}

function check(o: Required<TideCompatOptions>): void {
  if (!(o.backgroundIou >= 0 && o.backgroundIou <= o.foregroundIou && o.foregroundIou <= 1)) {
    throw new DealkitConfigError(`runTideCompat: need 0 <= backgroundIou <= foregroundIou <= 1; got backgroundIou ${o.backgroundIou}, foregroundIou ${o.foregroundIou}`);
  }
  if (!(Number.isInteger(o.maxDetections) && o.maxDetections >= 1)) {
    throw new DealkitConfigError(`runTideCompat: maxDetections must be an integer >= 1; got ${o.maxDetections}`);
  }
}

/** Groups annotations and detections by image, in file order; an unknown image id is an input error. */
function byImage(input: TideCompatInput): { preds: Map<number, CompatPred[]>; gts: Map<number, CompatGt[]> } {
  const preds = new Map<number, CompatPred[]>(input.imageIds.map((id) => [id, []]));
  const gts = new Map<number, CompatGt[]>(input.imageIds.map((id) => [id, []]));
  input.gt.forEach((a, i) => {
    const list = gts.get(a.imageId);
    if (!list) throw new DealkitInputError(`image_id ${a.imageId} is not one of the images`, { record: `annotation #${i}`, field: "image_id" });
    list.push({ id: i, cls: a.categoryId, box: a.bboxXywh, crowd: !!a.crowd, used: false, usable: false, bestScore: -1, bestId: -1 });
  });
  input.detections.forEach((d, i) => {
    const list = preds.get(d.imageId);
    if (!list) throw new DealkitInputError(`image_id ${d.imageId} is not one of the images`, { record: `detection #${i}`, field: "image_id" });
    list.push({ id: i, cls: d.categoryId, score: d.score, box: d.bboxXywh });
  });
  return { preds, gts };
}

/**
 * The TIDE error analysis of tidecv 1.0.1, number for number: `TIDE().evaluate(gt, dets, mode=TIDE.BOX)` then
 * the numbers of `tide.summarize()` (AP, the six main dAPs, the two special dAPs), all in percent. Every
 * quirk reproduced is listed in src/analysis/tide-compat/README.md. Where TIDE would raise
 * ZeroDivisionError (no class left to average), the value is NaN. Inputs are not modified.
 *
 * @example
 * const run = runTideCompat(tideCompatInputFromCoco(gtJson, dtJson));
 * run.ap; run.dAP.Loc; run.special.FalseNeg;
 */
export function runTideCompat(input: TideCompatInput, options: TideCompatOptions = {}): TideCompatRun {
  const o = {
    foregroundIou: options.foregroundIou ?? 0.5,
    backgroundIou: options.backgroundIou ?? 0.1,
    maxDetections: options.maxDetections ?? 100,
  };
  check(o);
  const { preds, gts } = byImage(input);
  const st: CompatState = { ap: new TideCompatApData(), errors: [], falseNegatives: new Map(), numDetections: 0 };
  for (const id of preds.keys()) evalCompatImage(preds.get(id)!, gts.get(id)!, st, o);

  const ap = st.ap.mAP();
  const dAP = {} as Record<TideCompatErrorName, number>;
  const counts = {} as Record<TideCompatErrorName, number>;
  for (const type of TIDE_COMPAT_ERRORS) {
    dAP[type] = Math.max(fixErrors(st, { fix: (e) => e.type === type }) - ap, 0);
    counts[type] = st.errors.filter((e) => e.type === type).length;
  }
  const special = {
    FalsePos: fixErrors(st, { transform: (p) => (p.tp ? { score: 1, tp: true } : { score: 0, tp: false }) }) - ap,
    FalseNeg: fixErrors(st, { falseNegatives: st.falseNegatives }) - ap,
  };
  let numGt = 0;
  for (const c of st.ap.classes.values()) numGt += c.numGt;
  return { ap, dAP, special, counts, numGt, numDetections: st.numDetections };
}
