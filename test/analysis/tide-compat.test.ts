import { describe, expect, it } from "vitest";
import { runTideCompat } from "../../src/analysis/tide-compat/run.js";
import { expectRun, input, pct } from "./tide-compat-helpers.js";

// Hand-derived tidecv 1.0.1 numbers, one case per error type. Conventions of every derivation below:
// - boxes are xywh; IoU of [0,0,10,10] with [x,0,10,10] is (10-x)/(10+x): x=5 -> 1/3, x=2 -> 2/3.
// - a class's data points are ranked by score; P = precision after making it monotone from the right;
//   TIDE reads P at the 101 recall points r/100 (first rank whose recall >= r/100; none -> 0), so
//   AP = (sum of the 101 values) / 101 * 100. With 2 GT, "precision p up to recall .5" is 51 points.
// - a fix rebuilds the data: the errors first (fixed or not), then the true positives; the mAP averages
//   every class that has a GT or a data point. dAP = max(fixed mAP - AP, 0); FalsePos / FalseNeg unclamped.
// - counts: one error per false positive (ignored ones too), plus Miss for unmatched GT no error points at.

describe("runTideCompat: one case per error type (tidecv 1.0.1 numbers derived by hand)", () => {
  it("Loc: a box at IoU 1/3 ranked above a true positive", () => {
    // GT g0 [0,0,10,10], g1 [20,0,10,10] (cat 1). d0 .9 [25,0,10,10]: IoU 1/3 with g1 -> no match -> Loc
    // (1/3 in [.1, .5]); g1 unmatched, so d0 is its best fix and g1 is "usable" (not Miss). d1 .8 = g0: TP.
    // AP: [FP .9, TP .8], 2 GT: recall [0, .5], P [.5, .5]: r = 0..50 -> .5 (51 points) -> 25.5/101*100.
    // Loc fix: [TP, TP] -> 100. FalsePos (TP score 1, FP 0): [TP, FP] -> P 1 for r <= 50 -> 51/101*100.
    // FalseNeg (GT 2 - 1 unmatched = 1): [FP, TP], recall [0, 1], P [.5, .5] -> all 101 points .5 -> 50.
    const run = runTideCompat(input([1], [[1, 1, 0, 0, 10, 10], [1, 1, 20, 0, 10, 10]], [[1, 1, 25, 0, 10, 10, 0.9], [1, 1, 0, 0, 10, 10, 0.8]]));
    const ap = pct(25.5);
    expectRun(run, { ap, dAP: { Loc: 100 - ap }, special: { FalsePos: pct(51) - ap, FalseNeg: 50 - ap }, counts: { Loc: 1 } });
    expect(run.numGt).toBe(2);
    expect(run.numDetections).toBe(2);
  });

  it("Cls: the right box with the wrong class; the fix moves the true positive to the GT's class", () => {
    // g0 cat 1 [0,0,10,10], g1 cat 2 [20,0,10,10]. d0 cat 1 .9 on g1: same-class IoU 0 (not Loc), other-class
    // IoU 1 >= .5 -> Cls, best fix of g1. d1 cat 1 .8 on g0: TP.
    // AP: cat 1 [FP, TP], 1 GT: recall [0, 1], P [.5, .5] -> 50; cat 2: 1 GT, no points -> 0. mAP 25.
    // Cls fix: d0 becomes a TP of cat 2 -> cat 1 [TP] 100, cat 2 [TP] 100 -> 100; dCls 75.
    // FalsePos: cat 1 [TP, FP] -> 100, cat 2 0 -> 50; +25. FalseNeg: g1 unmatched -> cat 2 has 0 GT and no
    // points -> empty, out of the mean; cat 1 50 -> mAP 50; +25.
    const run = runTideCompat(input([1], [[1, 1, 0, 0, 10, 10], [1, 2, 20, 0, 10, 10]], [[1, 1, 20, 0, 10, 10, 0.9], [1, 1, 0, 0, 10, 10, 0.8]]));
    expectRun(run, { ap: 25, dAP: { Cls: 75 }, special: { FalsePos: 25, FalseNeg: 25 }, counts: { Cls: 1 } });
  });

  it("Both: wrong class and a poor box; the GT is missed", () => {
    // As Cls, but d0 cat 1 .9 at [25,0,10,10]: same-class IoU 0, other-class IoU 1/3 (< .5, > .1) -> Both.
    // g1 is unmatched and no Loc / Cls error points at it -> Miss. AP 25 as above.
    // Both fix removes d0: cat 1 [TP] 100, cat 2 0 -> 50; +25.
    // Miss fix: cat 2 GT 1 - 1 = 0, no points -> out of the mean; cat 1 [FP, TP] 50 -> 50; +25.
    // FalsePos: cat 1 100, cat 2 0 -> 50; +25. FalseNeg: as the Miss fix here -> +25.
    const run = runTideCompat(input([1], [[1, 1, 0, 0, 10, 10], [1, 2, 20, 0, 10, 10]], [[1, 1, 25, 0, 10, 10, 0.9], [1, 1, 0, 0, 10, 10, 0.8]]));
    expectRun(run, { ap: 25, dAP: { Both: 25, Miss: 25 }, special: { FalsePos: 25, FalseNeg: 25 }, counts: { Both: 1, Miss: 1 } });
  });

  it("Dupe: a second box on a matched GT; at IoU exactly .5 it is a (suppressed) Loc error instead", () => {
    // g0 [0,0,10,10], g1 [20,0,10,10]. d0 .9 = g0 TP; d1 .8 = g0 again: best same-class IoU 1 is a matched GT,
    // not in [.1, .5]; no other class; matched same-class IoU >= .5 -> Dupe. d2 .7 = g1 TP.
    // AP: [TP, FP, TP], 2 GT: P [1, 2/3, 2/3], recall [.5, .5, 1] -> 51 points of 1, 50 of 2/3.
    // Dupe fix removes d1 -> [TP, TP] 100. FalsePos: [TP, TP, FP] -> 100. FalseNeg: nothing unmatched -> 0.
    const gt = [[1, 1, 0, 0, 10, 10], [1, 1, 20, 0, 10, 10]] as const;
    const ap = pct(51 + (50 * 2) / 3);
    const dupe = runTideCompat(input([1], gt, [[1, 1, 0, 0, 10, 10, 0.9], [1, 1, 0, 0, 10, 10, 0.8], [1, 1, 20, 0, 10, 10, 0.7]]));
    expectRun(dupe, { ap, dAP: { Dupe: 100 - ap }, special: { FalsePos: 100 - ap }, counts: { Dupe: 1 } });
    // d1 = [0,0,10,5]: IoU exactly 50/100 = .5 with the matched g0. The Loc test (.1 <= IoU <= .5) comes
    // first and is inclusive -> Loc; g0 is matched, so the fix suppresses d1 (removes it): same numbers, as Loc.
    const loc = runTideCompat(input([1], gt, [[1, 1, 0, 0, 10, 10, 0.9], [1, 1, 0, 0, 10, 5, 0.8], [1, 1, 20, 0, 10, 10, 0.7]]));
    expectRun(loc, { ap, dAP: { Loc: 100 - ap }, special: { FalsePos: 100 - ap }, counts: { Loc: 1 } });
  });

  it("Bkg: a box far from every object, and a box in an image without GT", () => {
    // Image 1: g0 [0,0,10,10], g1 [20,0,10,10]; d0 .9 = g0 TP, d1 .8 at [100,100]: IoU 0 with all -> Bkg,
    // d2 .7 = g1 TP. Image 2 (no GT): d3 .95 -> Bkg (an image without GT makes every detection Bkg).
    // AP: [FP .95, TP .9, FP .8, TP .7], 2 GT: precision [0, .5, 1/3, .5] -> monotone [.5, .5, .5, .5],
    // recall [0, .5, .5, 1] -> all 101 points .5 -> 50.
    // Bkg fix removes d1 and d3: [TP, TP] -> 100; +50. FalsePos: [TP, TP, FP, FP] -> 100; +50.
    // FalseNeg: no unmatched GT; the rebuilt order (errors first) sorts back to the same ranking -> 0.
    const run = runTideCompat(input([1, 2], [[1, 1, 0, 0, 10, 10], [1, 1, 20, 0, 10, 10]],
      [[1, 1, 0, 0, 10, 10, 0.9], [1, 1, 100, 100, 10, 10, 0.8], [1, 1, 20, 0, 10, 10, 0.7], [2, 1, 0, 0, 10, 10, 0.95]]));
    expectRun(run, { ap: 50, dAP: { Bkg: 50 }, special: { FalsePos: 50 }, counts: { Bkg: 2 } });
  });

  it("Miss: 7 of 10 objects found; TIDE's recall points r/100 count recall .7 (pycocotools' do not)", () => {
    // 10 GT of cat 1 at [20k,0,10,10]; 7 exact detections, scores .90, .89, ... .84: all TP, precision 1.
    // Recall reaches 7/10 = 0.7; TIDE's x = 70/100 = 0.7 exactly, so r = 0..70 read precision 1: 71 points.
    // (numpy.linspace gives 0.7000000000000001 at r = 70, so pycocotools and dealkit's default read only 70.)
    // Miss fix: 3 missed -> 7 GT -> 100. FalseNeg: same 3 unmatched -> 100. FalsePos: already perfect -> 0.
    const gt = Array.from({ length: 10 }, (_, k) => [1, 1, 20 * k, 0, 10, 10] as const);
    const dt = Array.from({ length: 7 }, (_, k) => [1, 1, 20 * k, 0, 10, 10, 0.9 - k / 100] as const);
    const run = runTideCompat(input([1], gt, dt));
    const ap = pct(71);
    expectRun(run, { ap, dAP: { Miss: 100 - ap }, special: { FalseNeg: 100 - ap }, counts: { Miss: 3 } });
  });

  it("several categories and images: Loc, and a Cls error on a matched GT that its fix removes", () => {
    // Image 1: ga cat 1 [0,0,10,10], gb cat 2 [20,0,10,10]. Image 2: gc cat 3 [0,0,10,10], gd cat 1 [40,40,10,10].
    // e1 img 1 cat 1 .9 on ga: TP. e2 img 1 cat 2 .6 [25,0,10,10]: IoU 1/3 with gb -> Loc, best fix of gb.
    // Image 2 in score order: e3 cat 1 .8 on gc: no cat-1 GT overlaps -> unmatched; e4 cat 3 .7 [2,0,10,10]:
    // IoU 2/3 with gc -> TP; e5 cat 1 .5 on gd: TP. e3: other-class IoU 1 with gc -> Cls, but gc is matched,
    // so its fix is suppressed (the detection is removed, no TP added; tidecv issue #7).
    // Classes: cat 1 [TP .9, FP .8, TP .5], 2 GT -> (51 + 50*2/3)/101*100; cat 2 [FP], 1 GT -> 0;
    // cat 3 [TP], 1 GT -> 100. mAP = (cat1 + 0 + 100) / 3.
    // Loc fix: cat 2 [TP] -> 100: (cat1 + 200) / 3. Cls fix: e3 removed, cat 1 [TP, TP] -> 100: 200 / 3.
    // FalsePos: cat 1 100, cat 2 0, cat 3 100 -> 200 / 3. FalseNeg: gb unmatched -> cat 2 has 0 GT but
    // still a point -> AP 0, stays in the mean -> unchanged.
    const run = runTideCompat(input([1, 2],
      [[1, 1, 0, 0, 10, 10], [1, 2, 20, 0, 10, 10], [2, 3, 0, 0, 10, 10], [2, 1, 40, 40, 10, 10]],
      [[1, 1, 0, 0, 10, 10, 0.9], [1, 2, 25, 0, 10, 10, 0.6], [2, 1, 0, 0, 10, 10, 0.8], [2, 3, 2, 0, 10, 10, 0.7], [2, 1, 40, 40, 10, 10, 0.5]]));
    const cat1 = pct(51 + (50 * 2) / 3);
    const ap = (cat1 + 0 + 100) / 3;
    expectRun(run, {
      ap, dAP: { Loc: (cat1 + 200) / 3 - ap, Cls: 200 / 3 - ap }, special: { FalsePos: 200 / 3 - ap }, counts: { Loc: 1, Cls: 1 },
    });
  });

  it("rejects bad options and unknown image ids, and leaves its input alone", () => {
    const inp = input([1], [[1, 1, 0, 0, 10, 10]], [[1, 1, 0, 0, 10, 10, 0.5], [1, 1, 0, 0, 10, 10, 0.9]]);
    const before = JSON.stringify(inp);
    runTideCompat(inp);
    expect(JSON.stringify(inp)).toBe(before);
    expect(() => runTideCompat(inp, { backgroundIou: 0.6 })).toThrow(/backgroundIou <= foregroundIou/);
    expect(() => runTideCompat(inp, { maxDetections: 0 })).toThrow(/maxDetections must be an integer >= 1; got 0/);
    expect(() => runTideCompat(input([1], [], [[2, 1, 0, 0, 1, 1, 0.5]]))).toThrow(/detection #0: field "image_id": image_id 2 is not one of the images/);
  });
});
