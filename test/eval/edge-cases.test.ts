import { describe, expect, it } from "vitest";
import {
  AITOD_AREA_RANGES, cocoAccumulate, cocoEvaluate, cocoLoadDt, cocoLoadGt, cocoMatch, evalParams, type EvalParamsInput,
} from "../../src/eval/index.js";
import { Random } from "../../src/util/random.js";
import { evalCountingSort, evalSortByScoreDesc } from "../../src/eval/order.js";
import { portCocoEval } from "./pycocotools-port.js";

/** A seeded case built to hit the held-back behaviours: ties, truncation, exact IoUs, crowd, empty categories. */
function edgeCase(seed: number) {
  const r = new Random(seed);
  const imgIds = r.shuffled([3, 7, 8, 20, 21, 40, 41, 99]);
  const images = imgIds.map((id) => ({ id, width: 64, height: 64 }));
  const categories = [{ id: 2 }, { id: 4 }, { id: 9 }, { id: 11 }]; // 11 never has GT
  const annotations: any[] = [];
  const dts: any[] = [];
  let annId = seed % 3 === 0 ? 0 : 1; // one case has a GT with id 0 (pycocotools never counts it as matched)
  const score = () => (r.bool(0.5) ? r.pick([0.1, 0.5, 0.5, 0.9]) : Math.round(r.uniform(0, 1) * 20) / 20);
  for (const id of imgIds) {
    if (id === 40) continue; // an image without annotations (its detections are all false positives)
    const n = id === 41 ? 25 : r.int(8);
    for (let j = 0; j < n; j++) {
      const cat = r.pick([2, 4, 9, 5]); // 5 is not a listed category
      const exact = r.bool(0.4);
      const w = exact ? 10 : r.pick([0.5, 2, 3.5, 8, 15.25, 40, 100]);
      const h = exact ? 10 : r.pick([1, 2, 4, 8.75, 16, 33, 120]);
      const x = r.pick([0, 0.5, 3, 10, 20, 63.75]);
      const y = r.pick([0, 1, 7.5, 30]);
      const crowd = r.bool(0.08) ? 1 : 0;
      const area = r.bool(0.1) ? w * h * r.pick([0.55, 0.7, 1.3]) : w * h;
      annotations.push({ id: annId++, image_id: id, category_id: cat, bbox: [x, y, w, h], area, iscrowd: crowd, ...(r.bool(0.1) ? { ignore: 1 } : {}) });
      // Detections at exact IoU fractions (10x10 GT vs 10xh detection: IoU h/10), jittered ones, duplicates.
      const k = id === 41 ? 6 : r.int(4);
      for (let c = 0; c < k; c++) {
        const dh = r.pick([5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5, 9, 9.5, 10]);
        const bbox = exact ? [x, y, 10, dh] : [x + r.pick([0, 0.25, 1, -2]), y + r.pick([0, 0.5, 3]), w * r.pick([1, 0.9, 1.2]), h * r.pick([1, 0.8, 1.1])];
        dts.push({ image_id: id, category_id: r.bool(0.85) ? cat : r.pick([2, 4, 9, 11, 5]), bbox, score: score() });
      }
    }
    for (let j = 0; j < (id === 40 ? 5 : r.int(3)); j++) {
      dts.push({ image_id: id, category_id: r.pick([2, 4, 9, 11]), bbox: [r.uniform(0, 50), r.uniform(0, 50), r.pick([1, 6, 12, 50]), r.pick([1, 6, 12, 50])], score: score() });
    }
  }
  return { gt: { images, categories, annotations }, dt: r.shuffled(dts) };
}

const configs: [string, EvalParamsInput][] = [
  ["default", {}],
  ["class-agnostic", { useCats: false }],
  ["aitod ranges, maxDets 1/100/1500", { areaRanges: [...AITOD_AREA_RANGES], maxDets: [1, 100, 1500] }],
  ["dense truncation maxDets 2/1/4 (unsorted)", { maxDets: [2, 1, 4] }],
  ["agnostic truncation maxDets 1,3", { maxDets: [1, 3], useCats: false }],
  ["IoU .25 and 0", { iouThrs: [0, 0.25, 0.5, 0.75, 1] }],
];

describe("edge cases: identical to a literal pycocotools transcription", () => {
  for (let seed = 1; seed <= 12; seed++) {
    for (const [name, input] of configs) {
      it(`seed ${seed}: ${name}`, () => {
        const c = edgeCase(seed);
        const params = evalParams(input);
        const gt = cocoLoadGt(c.gt);
        const dt = cocoLoadDt(c.dt, gt);
        const acc = cocoAccumulate(cocoMatch(gt, dt, params));
        const ref = portCocoEval(c.gt, c.dt, {
          iouThrs: params.iouThrs, recThrs: params.recThrs, maxDets: params.maxDets,
          areaRng: params.areaRanges.map((a) => [a.lo, a.hi]), useCats: params.useCats,
        });
        expect(acc.precision.length).toBe(ref.precision.length);
        let diff = 0;
        for (let i = 0; i < ref.precision.length; i++) if (acc.precision[i] !== ref.precision[i]) diff++;
        for (let i = 0; i < ref.recall.length; i++) if (acc.recall[i] !== ref.recall[i]) diff++;
        expect(diff).toBe(0);
        // The case must exercise something: some TP and some -1 settings.
        expect(ref.precision.some((v) => v > 0)).toBe(true);
      });
    }
  }
});

describe("comparator-free stable orderings", () => {
  it("radix sort by descending score equals a stable comparator sort (ties, negatives, ±0, extremes)", () => {
    const r = new Random(9);
    const pool = [0, -0, 1, -1, 0.5, 0.25, 1e-300, -1e-300, 5e-324, 1e300, -1e300, 0.1 + 0.2, 0.3];
    for (const n of [0, 1, 7, 1000]) {
      const score = Float64Array.from({ length: n }, () => (r.bool(0.5) ? r.pick(pool) : r.normal(0, 3)));
      const idx = Int32Array.from(r.shuffled(Array.from({ length: n }, (_, i) => i)));
      const want = Array.from(idx).map((v, pos) => ({ v, pos })).sort((a, b) => score[b.v]! - score[a.v]! || a.pos - b.pos).map((x) => x.v);
      expect(Array.from(evalSortByScoreDesc(idx, score))).toEqual(want);
    }
  });

  it("counting sort is stable and reports group starts", () => {
    const key = Int32Array.from([2, 0, 2, 1, 0]);
    const { order, start } = evalCountingSort(Int32Array.from([4, 3, 2, 1, 0]), key, 3);
    expect(Array.from(order)).toEqual([4, 1, 3, 2, 0]);
    expect(Array.from(start)).toEqual([0, 2, 3, 5]);
  });
});

describe("degenerate inputs", () => {
  const images = [{ id: 1 }, { id: 2 }];
  const annotations = [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 4, 4], area: 16, iscrowd: 0 }];
  it("no detections: AP and AR are 0 where there is GT, -1 elsewhere", () => {
    const gt = cocoLoadGt({ images, categories: [{ id: 1 }, { id: 2 }], annotations });
    const ev = cocoEvaluate(gt, cocoLoadDt([], gt));
    expect(ev.results.stats["AP@[.50:.95]|all|100"]).toBe(0);
    expect(ev.results.stats["AR@[.50:.95]|all|100"]).toBe(0);
    expect(ev.results.stats["AP@[.50:.95]|large|100"]).toBe(-1);
    expect(ev.results.perCategory).toEqual({ "1": 0, "2": -1 });
  });
  it("no categories or no images: every number is -1", () => {
    for (const g of [{ images, categories: [], annotations }, { images: [], categories: [{ id: 1 }], annotations: [] }]) {
      const gt = cocoLoadGt(g);
      for (const classAgnostic of [false, true]) {
        const ev = cocoEvaluate(gt, cocoLoadDt([], gt), { protocol: "aitod", classAgnostic });
        expect(Object.values(ev.results.stats).every((v) => v === -1)).toBe(true);
      }
    }
  });
});
