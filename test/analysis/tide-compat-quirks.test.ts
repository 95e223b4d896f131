import { describe, expect, it } from "vitest";
import { runTideCompat } from "../../src/analysis/tide-compat/run.js";
import { expectRun, input, pct, pycocoRun, type DtRow, type GtRow } from "./tide-compat-helpers.js";

// tidecv 1.0.1 quirks, each on a hand-made scene with its numbers derived by hand (conventions at the top of
// tide-compat.test.ts). Where dealkit's default (pycocotools-consistent) decomposition differs, its hand-derived
// numbers are checked too, in [0, 1] as runTide returns them.
const TOL = 1e-9;
const two = [[1, 1, 0, 0, 10, 10], [1, 1, 20, 0, 10, 10]] as const satisfies readonly GtRow[];

describe("tidecv quirks: categories", () => {
  it("a listed category without GT but with detections counts with AP 0; fixing Bkg drops it", () => {
    // g0 cat 1; d0 cat 1 .9 = g0 TP; d1 cat 2 .8 far away -> Bkg. cat 1 AP 100; cat 2 has no GT but a point:
    // AP 0 and in the mean (tidecv issue #28) -> 50. Bkg fix removes d1: cat 2 empty -> out -> 100; +50.
    // FalsePos: cat 2 keeps its FP -> 50 -> 0. pycocotools averages GT categories only: AP 1, dBkg 0.
    const gt: GtRow[] = [[1, 1, 0, 0, 10, 10]];
    const dt: DtRow[] = [[1, 1, 0, 0, 10, 10, 0.9], [1, 2, 50, 50, 10, 10, 0.8]];
    expectRun(runTideCompat(input([1], gt, dt)), { ap: 50, dAP: { Bkg: 50 }, counts: { Bkg: 1 } });
    const ref = pycocoRun([1], gt, dt);
    expect(ref.ap).toBe(1);
    expect(ref.dAP.background).toBe(0);
  });

  it("a category whose only GT is missed leaves the mean under the Miss and FalseNeg oracles", () => {
    // g0 cat 1 found (d0 .9), g1 cat 2 [20,0,10,10] missed. cat 1 100, cat 2 0 -> 50.
    // Miss fix: cat 2 has 0 GT and no points -> out -> 100; +50. FalseNeg: the same -> +50.
    // pycocotools keeps cat 2 in the mean with AP 0 under both oracles: dMiss 0, FalseNeg 0.
    const gt: GtRow[] = [[1, 1, 0, 0, 10, 10], [1, 2, 20, 0, 10, 10]];
    const dt: DtRow[] = [[1, 1, 0, 0, 10, 10, 0.9]];
    expectRun(runTideCompat(input([1], gt, dt)), { ap: 50, dAP: { Miss: 50 }, special: { FalseNeg: 50 }, counts: { Miss: 1 } });
    const ref = pycocoRun([1], gt, dt);
    expect([ref.ap, ref.dAP.missed, ref.specialDAP.falseNegative]).toEqual([0.5, 0, 0]);
  });

  it("Loc and Cls errors share one best match per GT: the fix of the lower-scored one removes it", () => {
    // g0 [0,0,10,10], g1 [30,0,10,10] (cat 1). d0 cat 1 .9 [5,0,10,10]: IoU 1/3 with g0 -> Loc, best of g0
    // (.9). d1 cat 2 .8 = g0: no cat-2 GT (same-class IoU 0), other-class IoU 1 -> Cls on g0, not its best.
    // d2 cat 1 .7 = g1 TP. cat 1 [FP .9, TP .7], 2 GT -> 25.5/101*100 = A; cat 2 [FP], 0 GT -> 0. AP = A/2.
    // Loc fix: cat 1 [TP, TP] 100, cat 2 0 -> 50. Cls fix: d1 not best -> removed; cat 2 empty -> out -> A.
    // FalsePos: cat 1 [TP, FP] -> 51/101*100, cat 2 0 -> half. FalseNeg: g0 unmatched -> cat 1 has 1 GT:
    // [FP, TP] -> 50; cat 2 0 -> 25.
    const run = runTideCompat(input([1], [[1, 1, 0, 0, 10, 10], [1, 1, 30, 0, 10, 10]],
      [[1, 1, 5, 0, 10, 10, 0.9], [1, 2, 0, 0, 10, 10, 0.8], [1, 1, 30, 0, 10, 10, 0.7]]));
    const a = pct(25.5);
    expectRun(run, {
      ap: a / 2, dAP: { Loc: 50 - a / 2, Cls: a - a / 2 }, special: { FalsePos: pct(51) / 2 - a / 2, FalseNeg: 25 - a / 2 }, counts: { Loc: 1, Cls: 1 },
    });
  });
});

describe("tidecv quirks: detections per image", () => {
  it("keeps the 100 best detections per image over all categories; the rest vanish", () => {
    // Two cat-1 GT; d_hi cat 1 .95 = g0, 99 cat-2 boxes .5 far away (Bkg), d_lo cat 1 .05 = g1: 101 in all.
    // TIDE keeps 100 per image: d_lo is gone (no TP, no error), so g1 is Miss.
    // cat 1 [TP], 2 GT -> 51/101*100 = B; cat 2: 99 FP, no GT -> 0 (in the mean). AP = B/2.
    // Bkg fix: cat 2 empty -> out -> B. Miss fix: cat 1 1 GT -> 100, cat 2 0 -> 50. FalseNeg: same -> 50.
    // FalsePos: cat 1 unchanged, cat 2 still 0 -> 0. pycocotools keeps 100 per image and category: cat 1
    // [TP, TP] -> 1, and cat 2 (no GT) is not averaged: AP 1.
    const bkg: DtRow[] = Array.from({ length: 99 }, () => [1, 2, 150, 150, 5, 5, 0.5] as const);
    const dt: DtRow[] = [[1, 1, 20, 0, 10, 10, 0.05], ...bkg, [1, 1, 0, 0, 10, 10, 0.95]];
    const run = runTideCompat(input([1], two, dt));
    const b = pct(51);
    expectRun(run, { ap: b / 2, dAP: { Bkg: b - b / 2, Miss: 50 - b / 2 }, special: { FalseNeg: 50 - b / 2 }, counts: { Bkg: 99, Miss: 1 } });
    expect(run.numDetections).toBe(100);
    expect(pycocoRun([1], two, dt).ap).toBe(1);
    // With a cap of 101 nothing vanishes: cat 1 [TP .95, TP .05] -> 100, cat 2 0 -> 50.
    expect(runTideCompat(input([1], two, dt), { maxDetections: 101 }).ap).toBeCloseTo(50, 9);
  });
});

describe("tidecv quirks: ties", () => {
  it("an unrelated fix reorders tied scores (errors first): FalseNeg can be negative", () => {
    // d0 .8 = g0 TP, d1 .8 far away (Bkg), file order d0, d1; g1 missed. Original ranking (stable):
    // [TP, FP], 2 GT -> P 1 up to recall .5 -> 51/101*100 = B.
    // Every fix rebuilds the data with the errors first: the ranking becomes [FP, TP].
    // Miss fix: 1 GT, [FP, TP] -> 50 < B -> clamped to 0. Bkg fix: [TP], 2 GT -> B -> 0. FalsePos: B -> 0.
    // FalseNeg: 1 GT, [FP, TP] -> 50: 50 - B < 0, not clamped. pycocotools keeps [TP, FP]: with 1 GT -> 1,
    // so dealkit's default gives dMiss = FalseNeg = 1 - 51/101.
    const dt: DtRow[] = [[1, 1, 0, 0, 10, 10, 0.8], [1, 1, 100, 100, 10, 10, 0.8]];
    const b = pct(51);
    expectRun(runTideCompat(input([1], two, dt)), { ap: b, special: { FalseNeg: 50 - b }, counts: { Bkg: 1, Miss: 1 } });
    const ref = pycocoRun([1], two, dt);
    expect(Math.abs(ref.dAP.missed - 50 / 101)).toBeLessThan(TOL);
    expect(Math.abs(ref.specialDAP.falseNegative - 50 / 101)).toBeLessThan(TOL);
  });

  it("ties across images follow the GT file's image order, not image ids", () => {
    // images listed [2, 1]; image 1: g0 and its exact detection .5 (first in the results file); image 2:
    // no GT, a detection .5 -> Bkg. TIDE pushes image 2 first: [FP, TP], 1 GT -> all points .5 -> 50.
    // Bkg fix: [TP] -> 100. FalsePos: [TP, FP] -> 100. pycocotools sorts image ids: [TP, FP] -> AP 1.
    const gt: GtRow[] = [[1, 1, 0, 0, 10, 10]];
    const dt: DtRow[] = [[1, 1, 0, 0, 10, 10, 0.5], [2, 1, 0, 0, 10, 10, 0.5]];
    expectRun(runTideCompat(input([2, 1], gt, dt)), { ap: 50, dAP: { Bkg: 50 }, special: { FalsePos: 50 }, counts: { Bkg: 1 } });
    expect(pycocoRun([2, 1], gt, dt).ap).toBe(1);
  });

  it("a detection with equal IoU to two GT takes the first one (pycocotools: the last)", () => {
    // g0 [0,0,10,10], g1 [2,0,10,10]; d0 .9 [1,0,10,10]: IoU 90/110 with both -> TIDE picks g0.
    // d1 .8 [4,0,10,10]: IoU 60/140 with g0, 80/120 with g1 -> g1. Two TP: AP 100, nothing to fix.
    // pycocotools gives d0 g1; d1 then has only g0 left, at 3/7 < .5: a FP. Its best same-class IoU is the
    // matched g1's 2/3 -> Dupe, and g0 is missed: AP [TP, FP], 2 GT -> 51/101; Miss fix (1 GT) -> 1.
    const gt: GtRow[] = [[1, 1, 0, 0, 10, 10], [1, 1, 2, 0, 10, 10]];
    const dt: DtRow[] = [[1, 1, 1, 0, 10, 10, 0.9], [1, 1, 4, 0, 10, 10, 0.8]];
    expectRun(runTideCompat(input([1], gt, dt)), { ap: 100 });
    const ref = pycocoRun([1], gt, dt);
    expect(Math.abs(ref.ap - 51 / 101)).toBeLessThan(TOL);
    expect(Math.abs(ref.dAP.missed - 50 / 101)).toBeLessThan(TOL);
    expect([ref.counts.duplicate, ref.counts.missed]).toEqual([1, 1]);
  });
});

describe("tidecv quirks: crowd regions and thresholds", () => {
  it("a detection is ignored only at crowd IoA strictly above .5, and ignored ones still count as errors", () => {
    // Crowd cat 1 [0,0,20,10]; g0 [40,0,10,10]. d0 .9 [0,0,10,10]: IoA 100/100 = 1 -> ignored (not in the AP)
    // but still typed: IoU 0 with g0 -> Bkg. d1 .8 [10,0,20,10]: IoA 100/200 = .5, not > .5 -> a real FP, Bkg.
    // d2 .7 = g0 TP. AP: [FP .8, TP .7], 1 GT -> 50. Bkg fix: [TP] -> 100. FalsePos: 100.
    // pycocotools ignores at IoA >= .5 and does not type ignored detections: AP 1, no errors.
    const gt: GtRow[] = [[1, 1, 0, 0, 20, 10, 1], [1, 1, 40, 0, 10, 10]];
    const dt: DtRow[] = [[1, 1, 0, 0, 10, 10, 0.9], [1, 1, 10, 0, 20, 10, 0.8], [1, 1, 40, 0, 10, 10, 0.7]];
    const run = runTideCompat(input([1], gt, dt));
    expectRun(run, { ap: 50, dAP: { Bkg: 50 }, special: { FalsePos: 50 }, counts: { Bkg: 2 } });
    expect(run.numGt).toBe(1);
    const ref = pycocoRun([1], gt, dt);
    expect(ref.ap).toBe(1);
    expect(ref.errors).toHaveLength(0);
  });

  it("an ignored detection can fix a Loc error (the tidecv 1.0.1 change)", () => {
    // Crowd [0,0,30,10]; g0 [20,0,10,10], g1 [60,0,10,10]. d0 .9 [15,0,10,10]: IoU 1/3 with g0 (no match),
    // IoA 1 with the crowd -> ignored; typed Loc on g0 (unmatched) -> its best fix; g0 is not Miss.
    // d1 .8 = g1 TP. AP: [TP], 2 GT -> 51/101*100 = B. Loc fix: d0 becomes a TP -> [TP, TP] -> 100.
    // FalseNeg: g0 unmatched -> 1 GT -> 100. pycocotools: d0 ignored and untyped, g0 missed: dLoc 0,
    // dMiss 1 - 51/101.
    const gt: GtRow[] = [[1, 1, 0, 0, 30, 10, 1], [1, 1, 20, 0, 10, 10], [1, 1, 60, 0, 10, 10]];
    const dt: DtRow[] = [[1, 1, 15, 0, 10, 10, 0.9], [1, 1, 60, 0, 10, 10, 0.8]];
    const b = pct(51);
    expectRun(runTideCompat(input([1], gt, dt)), { ap: b, dAP: { Loc: 100 - b }, special: { FalseNeg: 100 - b }, counts: { Loc: 1 } });
    const ref = pycocoRun([1], gt, dt);
    expect(ref.dAP.localisation).toBe(0);
    expect(Math.abs(ref.dAP.missed - 50 / 101)).toBeLessThan(TOL);
    expect(ref.counts.missed).toBe(1);
  });

  it("IoU exactly .5 matches; exactly .1 is Loc with the same class and Bkg with another", () => {
    // g0 cat 1 [0,0,10,10], g1 cat 2 [50,0,10,10]. d0 cat 1 .9 [0,0,10,5]: IoU 50/100 = .5 -> TP.
    // d1 cat 2 .8 [0,0,10,1]: no cat-2 overlap; IoU 10/100 = .1 with g0 (cat 1) <= .1 -> Bkg.
    // d2 cat 2 .7 [50,0,10,1]: IoU .1 with g1, .1 <= IoU <= .5 -> Loc, best of g1.
    // cat 1 [TP] 100; cat 2 [FP, FP], 1 GT -> 0; AP 50. Loc fix: cat 2 [FP .8, TP .7] -> 50 -> 75; +25.
    // Bkg fix: cat 2 [FP .7] -> 0 -> +0. FalseNeg: g1 unmatched -> cat 2 0 GT, still points -> 0 -> +0.
    const run = runTideCompat(input([1], [[1, 1, 0, 0, 10, 10], [1, 2, 50, 0, 10, 10]],
      [[1, 1, 0, 0, 10, 5, 0.9], [1, 2, 0, 0, 10, 1, 0.8], [1, 2, 50, 0, 10, 1, 0.7]]));
    expectRun(run, { ap: 50, dAP: { Loc: 25 }, counts: { Bkg: 1, Loc: 1 } });
  });

  it("returns NaN where tidecv divides by zero (no class left to average)", () => {
    // One GT, no detection: AP 0 (1 class). The Miss fix leaves no GT and no points: tidecv raises
    // ZeroDivisionError (tidecv issue #9); dealkit reports NaN.
    const run = runTideCompat(input([1], [[1, 1, 0, 0, 10, 10]], []));
    expect(run.ap).toBe(0);
    expect(run.dAP.Miss).toBeNaN();
    expect(run.special.FalseNeg).toBeNaN();
    expect(run.dAP.Loc).toBe(0);
    expect(runTideCompat(input([1], [], [])).ap).toBeNaN();
  });
});
