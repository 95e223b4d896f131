import { describe, expect, it } from "vitest";
import { oracleBoxes, oracleScores } from "../../src/analysis/index.js";
import { cocoEvaluate, cocoLoadDt, cocoLoadGt, type CocoDetectionJson, type CocoGtJson } from "../../src/eval/index.js";

function ap(gt: CocoGtJson, dt: readonly CocoDetectionJson[], label: string): number {
  const g = cocoLoadGt(gt);
  return cocoEvaluate(g, cocoLoadDt(dt, g), { protocol: "p2sod", classAgnostic: true }).results.stats[label]!;
}

// One image, two 10x10 objects (tiny bin), four detections (scores descending):
//   d1 .9 [2,0,10,10]    on g1, IoU 80/120 = 2/3        (a TP at .50, an FP at .75)
//   d2 .8 [55,50,10,10]  on g2, IoU 50/150 = 1/3        (an FP at .50)
//   d3 .7 [100,100,10,10] overlaps nothing             (always an FP)
//   d4 .6 [0,0,10,10]    exactly g1                     (a duplicate of d1 at .50; the only TP at .75)
// 101-point AP with npig = 2: if the first TP comes with precision P and no second TP, recall .5 is reached at
// precision P, so the 51 thresholds 0, .01, .., .50 get P and the rest 0: AP = 51 P / 101.
const GT: CocoGtJson = {
  images: [{ id: 1 }], categories: [{ id: 1 }, { id: 2 }],
  annotations: [
    { id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], area: 100 },
    { id: 2, image_id: 1, category_id: 1, bbox: [50, 50, 10, 10], area: 100 },
  ],
};
const DT: CocoDetectionJson[] = [
  { image_id: 1, category_id: 1, bbox: [2, 0, 10, 10], score: 0.9 },
  { image_id: 1, category_id: 1, bbox: [55, 50, 10, 10], score: 0.8 },
  { image_id: 1, category_id: 1, bbox: [100, 100, 10, 10], score: 0.7 },
  { image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], score: 0.6 },
];

describe("oracleBoxes", () => {
  it("the detections as given: AP.50 = 51/101 (d1 TP at precision 1), AP.75 = 51 * (1/4) / 101 (d4 TP after 3 FP)", () => {
    expect(ap(GT, DT, "AP@.50|all|1500")).toBeCloseTo(51 / 101, 12);
    expect(ap(GT, DT, "AP@.75|all|1500")).toBeCloseTo((51 * 0.25) / 101, 12);
  });

  it("boxes every found object perfectly: d1 -> g1, d2 -> g2 (IoU 1/3 >= .1): both TP first, AP = 1", () => {
    const before = JSON.stringify(DT);
    const o = oracleBoxes(GT, DT);
    expect(JSON.stringify(DT)).toBe(before); // inputs untouched
    expect(o.map((d) => d.bbox)).toEqual([[0, 0, 10, 10], [50, 50, 10, 10], [100, 100, 10, 10], [0, 0, 10, 10]]);
    expect(o.map((d) => d.score)).toEqual([0.9, 0.8, 0.7, 0.6]);
    expect(ap(GT, o, "AP@.50|all|1500")).toBe(1);
    expect(ap(GT, o, "AP@.75|all|1500")).toBe(1);
    expect(ap(GT, o, "AP@.50|tiny|1500")).toBe(1);
  });

  it("leaves detections under the IoU floor: with floor .5, d2 stays an FP: AP.50 = AP.75 = 51/101", () => {
    const o = oracleBoxes(GT, DT, { iouFloor: 0.5 });
    expect(o[1]!.bbox).toEqual([55, 50, 10, 10]);
    expect(ap(GT, o, "AP@.50|all|1500")).toBeCloseTo(51 / 101, 12);
    expect(ap(GT, o, "AP@.75|all|1500")).toBeCloseTo(51 / 101, 12);
  });

  it("takes the best GT of any category (class-agnostic) or of its own category, never a crowd region", () => {
    const gt: CocoGtJson = {
      images: [{ id: 1 }, { id: 2 }], categories: [{ id: 1 }, { id: 2 }],
      annotations: [
        { id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], area: 100 },
        { id: 2, image_id: 1, category_id: 2, bbox: [4, 0, 10, 10], area: 100 },
        { id: 3, image_id: 2, category_id: 1, bbox: [0, 0, 10, 10], area: 100, iscrowd: 1 },
      ],
    };
    // IoU with g1 = 90/110, with g2 = 70/130: g1 is best overall, g2 the best of category 2.
    const dt = [
      { image_id: 1, category_id: 2, bbox: [1, 0, 10, 10], score: 0.5 },
      { image_id: 2, category_id: 1, bbox: [0, 0, 10, 10], score: 0.5 },
      { image_id: 1, category_id: 7, bbox: [1, 0, 10, 10], score: 0.5 }, // unlisted category: left alone
    ];
    expect(oracleBoxes(gt, dt).map((d) => d.bbox)).toEqual([[0, 0, 10, 10], [0, 0, 10, 10], [1, 0, 10, 10]]);
    expect(oracleBoxes(gt, dt, { classAgnostic: false })[0]!.bbox).toEqual([4, 0, 10, 10]);
    expect(oracleScores(gt, dt).map((d) => d.score)).toEqual([90 / 110, 0, 0]);
  });

  it("checks the floor", () => {
    expect(() => oracleBoxes(GT, DT, { iouFloor: 2 })).toThrow(/iouFloor must be in \[0, 1\]; got 2/);
    expect(() => oracleBoxes(GT, [{ image_id: 5, category_id: 1, bbox: [0, 0, 1, 1], score: 1 }])).toThrow(/image_id 5 is not an image/);
  });
});

describe("oracleScores", () => {
  it("ranks by IoU with the best GT: d4 (1) first, so AP.75 = 51/101 and AP.50 = 51/101", () => {
    // New order d4 (1), d1 (2/3), d2 (1/3), d3 (0). At .50: d4 TP on g1; d1 finds g1 taken and g2 at IoU 0: FP;
    // d2 IoU 1/3 < .5: FP; d3 FP. One TP at precision 1. At .75 the same.
    const o = oracleScores(GT, DT);
    expect(o.map((d) => d.score)).toEqual([80 / 120, 50 / 150, 0, 1]);
    expect(o.map((d) => d.bbox)).toEqual(DT.map((d) => d.bbox));
    expect(ap(GT, o, "AP@.50|all|1500")).toBeCloseTo(51 / 101, 12);
    expect(ap(GT, o, "AP@.75|all|1500")).toBeCloseTo(51 / 101, 12);
  });

  it("oneToOne: a duplicate drops to 0 and ranks after the other object's detection", () => {
    // a = g1 exactly (IoU 1), b = g1 shifted 1 px (IoU 90/110, a duplicate), c = g2 shifted 1 px (IoU 90/110).
    const dt: CocoDetectionJson[] = [
      { image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], score: 0.1 },
      { image_id: 1, category_id: 1, bbox: [1, 0, 10, 10], score: 0.2 },
      { image_id: 1, category_id: 1, bbox: [51, 50, 10, 10], score: 0.3 },
    ];
    // By IoU alone: a TP, b (tied with c, first in file order) a duplicate FP, c TP: precision 1 up to recall .5
    // (51 thresholds), 2/3 after (50 thresholds).
    const plain = oracleScores(GT, dt);
    expect(plain.map((d) => d.score)).toEqual([1, 90 / 110, 90 / 110]);
    expect(ap(GT, plain, "AP@.75|all|1500")).toBeCloseTo((51 + 50 * (2 / 3)) / 101, 12);
    // One to one: b scores 0, so a and c come first: precision 1 at every recall.
    const o = oracleScores(GT, dt, { oneToOne: true });
    expect(o.map((d) => d.score)).toEqual([1, 0, 90 / 110]);
    expect(ap(GT, o, "AP@.75|all|1500")).toBeCloseTo(1, 12);
    // The fixture above: d4 (IoU 1) keeps g1, d1 drops; d2 keeps g2 (1/3); d3 overlaps nothing.
    expect(oracleScores(GT, DT, { oneToOne: true }).map((d) => d.score)).toEqual([0, 50 / 150, 0, 1]);
  });
});
