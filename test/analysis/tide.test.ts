import { describe, expect, it } from "vitest";
import { runTide, TIDE_ERROR_TYPES, type TideErrorType } from "../../src/analysis/tide.js";
import { image, loadCocoCase } from "./helpers.js";

// Hand-computed AP values: 101 recall points r*0.01; AP = (sum over points of interpolated precision) / 101.
const only = (t: TideErrorType, n = 1): Record<TideErrorType, number> => {
  const c = Object.fromEntries(TIDE_ERROR_TYPES.map((k) => [k, 0])) as Record<TideErrorType, number>;
  c[t] = n;
  return c;
};

describe("runTide on hand-made cases (one error each)", () => {
  it("localisation: a box at IoU 1/3 ranked above a true positive", () => {
    // GT g0, g1; d0 (0.9) overlaps g1 at IoU 1/3 -> Loc; d1 (0.8) = g0 -> TP.
    // Original: FP, TP with 2 GT: interpolated precision 0.5 up to recall 0.5 (51 points) -> 25.5/101.
    // Fixed: TP, TP -> 1.
    const run = runTide([image(1, [[0, 0, 10, 10, 1], [20, 0, 30, 10, 1]], [[25, 0, 35, 10, 0.9, 1], [0, 0, 10, 10, 0.8, 1]])]);
    expect(run.counts).toEqual(only("localisation"));
    expect(run.ap).toBeCloseTo(25.5 / 101, 12);
    expect(run.dAP.localisation).toBeCloseTo(1 - 25.5 / 101, 12);
    for (const t of TIDE_ERROR_TYPES) if (t !== "localisation") expect(run.dAP[t]).toBe(0);
    expect(run.errors[0]).toMatchObject({ type: "localisation", detIndex: 0, gtIndex: 1 });
    expect(run.errors[0]!.iou).toBeCloseTo(1 / 3, 6);
  });

  it("duplicate: a second box on a matched object, between two true positives", () => {
    // TP(.9), dup(.8), TP(.7), 2 GT: precision 1 at recall .5 (51 points), 2/3 after (50 points).
    const run = runTide([image(1, [[0, 0, 10, 10, 1], [20, 0, 30, 10, 1]], [[0, 0, 10, 10, 0.9, 1], [0, 0, 10, 10, 0.8, 1], [20, 0, 30, 10, 0.7, 1]])]);
    expect(run.counts).toEqual(only("duplicate"));
    const ap = (51 + (50 * 2) / 3) / 101;
    expect(run.ap).toBeCloseTo(ap, 12);
    expect(run.dAP.duplicate).toBeCloseTo(1 - ap, 12);
    expect(run.dAP.background).toBe(0);
  });

  it("background: a box far from every object", () => {
    const run = runTide([image(1, [[0, 0, 10, 10, 1], [20, 0, 30, 10, 1]], [[0, 0, 10, 10, 0.9, 1], [200, 200, 210, 210, 0.8, 1], [20, 0, 30, 10, 0.7, 1]])]);
    expect(run.counts).toEqual(only("background"));
    const ap = (51 + (50 * 2) / 3) / 101;
    expect(run.ap).toBeCloseTo(ap, 12);
    expect(run.dAP.background).toBeCloseTo(1 - ap, 12);
    expect(run.errors[0]).toMatchObject({ type: "background", gtIndex: -1, detIndex: 1 });
  });

  it("classification: right box, wrong category; vanishes in class-agnostic mode", () => {
    // g0 cat 1, g1 cat 2; d0 cat 1 on g1 (Cls), d1 cat 1 on g0 (TP).
    // cat 1: FP, TP, 1 GT -> 0.5; cat 2: no detections -> 0; mAP 0.25. Fixed: both categories 1 -> dAP 0.75.
    const imgs = [image(1, [[0, 0, 10, 10, 1], [20, 0, 30, 10, 2]], [[20, 0, 30, 10, 0.9, 1], [0, 0, 10, 10, 0.8, 1]])];
    const run = runTide(imgs);
    expect(run.counts).toEqual(only("classification"));
    expect(run.ap).toBeCloseTo(0.25, 12);
    expect(run.dAP.classification).toBeCloseTo(0.75, 12);
    expect(run.errors[0]).toMatchObject({ categoryId: 1, gtCategoryId: 2 });
    const agnostic = runTide(imgs, { classAgnostic: true });
    expect(agnostic.ap).toBe(1);
    expect(agnostic.errors).toHaveLength(0);
  });

  it("both: wrong category and poor box; the object stays missed", () => {
    // g1 (cat 2) overlapped at IoU 1/3 by a cat-1 box: "both". cat 1: FP, TP -> 0.5; cat 2: 0 -> mAP 0.25.
    // Fixing "both" removes the FP: cat 1 -> 1, mAP 0.5. g1 no fixable error points at: missed.
    const run = runTide([image(1, [[0, 0, 10, 10, 1], [20, 0, 30, 10, 2]], [[25, 0, 35, 10, 0.9, 1], [0, 0, 10, 10, 0.8, 1]])]);
    expect(run.counts).toEqual({ ...only("both"), missed: 1 });
    expect(run.ap).toBeCloseTo(0.25, 12);
    expect(run.dAP.both).toBeCloseTo(0.25, 12);
  });

  it("missed: an object with no detection near it", () => {
    // TP only, 2 GT: precision 1 up to recall .5 -> 51/101; fixed (1 GT) -> 1.
    const run = runTide([image(1, [[0, 0, 10, 10, 1], [20, 0, 30, 10, 1]], [[0, 0, 10, 10, 0.9, 1]])]);
    expect(run.counts).toEqual(only("missed"));
    expect(run.ap).toBeCloseTo(51 / 101, 12);
    expect(run.dAP.missed).toBeCloseTo(50 / 101, 12);
    expect(run.errors[0]).toMatchObject({ type: "missed", detIndex: -1, gtIndex: 1 });
    expect(run.specialDAP.falseNegative).toBeCloseTo(50 / 101, 12);
  });

  it("fixes only the best-scoring localisation error per object, removing the others", () => {
    // Two Loc errors on g0 (.9, .8), TP on g1 (.7). Fixed: TP, (removed), TP -> AP 1.
    // Were the second kept as a false positive, the AP would be (51 + 50 * 2/3) / 101.
    const run = runTide([image(1, [[0, 0, 10, 10, 1], [20, 0, 30, 10, 1]], [[5, 0, 15, 10, 0.9, 1], [0, 5, 10, 15, 0.8, 1], [20, 0, 30, 10, 0.7, 1]])]);
    expect(run.counts.localisation).toBe(2);
    expect(run.ap + run.dAP.localisation).toBeCloseTo(1, 12);
  });

  it("honours the thresholds: IoU 1/3 is background when backgroundIou is 0.4", () => {
    const run = runTide([image(1, [[0, 0, 10, 10, 1], [20, 0, 30, 10, 1]], [[25, 0, 35, 10, 0.9, 1], [0, 0, 10, 10, 0.8, 1]])], { backgroundIou: 0.4 });
    expect(run.counts.background).toBe(1);
    expect(run.counts.localisation).toBe(0);
    expect(run.counts.missed).toBe(1);
    const loose = runTide([image(1, [[0, 0, 10, 10, 1], [20, 0, 30, 10, 1]], [[25, 0, 35, 10, 0.9, 1], [0, 0, 10, 10, 0.8, 1]])], { foregroundIou: 0.3 });
    expect(loose.ap).toBe(1);
  });

  it("hides detections inside a crowd region and restricts to an area range", () => {
    // A detection inside a crowd region is ignored (not background); the other is a TP -> AP 1.
    const crowd = runTide([image(1, [[0, 0, 100, 100, 1, 1], [200, 200, 210, 210, 1]], [[10, 10, 20, 20, 0.9, 1], [200, 200, 210, 210, 0.5, 1]])]);
    expect(crowd.ap).toBe(1);
    expect(crowd.errors).toHaveLength(0);
    // Area range [0, 64): the 40x40 object and its detection drop out; a 4x4 object is missed -> AP 0, 1 GT.
    const sized = runTide([image(1, [[0, 0, 4, 4, 1], [20, 20, 60, 60, 1]], [[20, 20, 60, 60, 0.9, 1]])], { areaRangePx2: [0, 64] });
    expect(sized.numGt).toBe(1);
    expect(sized.ap).toBe(0);
    expect(sized.counts).toEqual(only("missed"));
  });

  it("returns NaN AP without ground truth, and leaves inputs untouched", () => {
    const img = image(1, [], [[0, 0, 10, 10, 0.9, 1]]);
    const before = Array.from(img.detections.scores);
    const run = runTide([img]);
    expect(run.ap).toBeNaN();
    expect(run.counts.background).toBe(1);
    expect(Array.from(img.detections.scores)).toEqual(before);
  });
});

describe("runTide's AP equals pycocotools AP@.5 (shared fixtures)", () => {
  for (const name of ["tiny_basic", "crowd_and_ignore", "mixed_sizes"]) {
    it(name, () => {
      const { images, expected } = loadCocoCase(name);
      const stats = expected.stats_default as number[];
      const agnostic = expected.stats_default_agnostic as number[];
      expect(runTide(images).ap).toBeCloseTo(stats[1]!, 10);
      expect(runTide(images, { classAgnostic: true }).ap).toBeCloseTo(agnostic[1]!, 10);
    });
  }
});
