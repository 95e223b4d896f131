import { describe, expect, it } from "vitest";
import { bootstrapInterval, bootstrapQuantile, imageWeightedEvaluator, pairedBootstrap } from "../../src/analysis/index.js";
import {
  cocoEvaluate, cocoLoadDt, cocoLoadGt, evalSynthCase, type CocoDetectionJson, type CocoGtJson, type EvalProtocolName,
} from "../../src/eval/index.js";
import { DealkitConfigError, DealkitInputError } from "../../src/util/errors.js";
import { Random } from "../../src/util/random.js";
import { coarseScores, duplicateImages } from "./bootstrap-helpers.js";

/** cocoEvaluate's summary (the public evaluator, an independent computation). */
function reference(gt: CocoGtJson, dt: readonly CocoDetectionJson[], protocol: EvalProtocolName, classAgnostic: boolean): Record<string, number> {
  const g = cocoLoadGt(gt);
  return cocoEvaluate(g, cocoLoadDt(dt, g), { protocol, classAgnostic }).results.stats;
}

const SETTINGS: [EvalProtocolName, boolean][] = [["p2sod", true], ["coco", false], ["aitod", false]];

describe("imageWeightedEvaluator", () => {
  const { gt, dt: rawDt } = evalSynthCase({ images: 24, gtPerImage: 12, dtPerGt: 3, categories: 3, medianSidePx: 9, imageSidePx: 160, seed: 5 });
  // Scores on a 0.05 grid: many ties, within images too, so the order of tied copies is exercised.
  const dt = coarseScores(rawDt, 0.05);

  it.each(SETTINGS)("with every image once equals cocoEvaluate exactly (%s, class-agnostic %s)", (protocol, agnostic) => {
    const ev = imageWeightedEvaluator(gt, dt, { protocol, classAgnostic: agnostic });
    const ref = reference(gt, dt, protocol, agnostic);
    const got = ev.evaluate(new Array(ev.nImgs).fill(1));
    expect(ev.labels.length).toBeGreaterThan(10);
    ev.labels.forEach((label, i) => expect(got[i], label).toBe(ref[label]));
  });

  it.each(SETTINGS)("counts an image drawn k times k times: equals cocoEvaluate on copies under new ids (%s, class-agnostic %s)", (protocol, agnostic) => {
    const ev = imageWeightedEvaluator(gt, dt, { protocol, classAgnostic: agnostic });
    const rng = new Random(11);
    for (let trial = 0; trial < 4; trial++) {
      const weights = Array.from({ length: ev.nImgs }, () => rng.int(4)); // 0..3 copies
      weights[0] = 3;
      const dup = duplicateImages(gt, dt, weights);
      const ref = reference(dup.gt, dup.dt, protocol, agnostic);
      const got = ev.evaluate(weights);
      ev.labels.forEach((label, i) => expect(got[i], `${label}, trial ${trial}`).toBe(ref[label]));
    }
  });

  it("gives -1 where the drawn images hold no GT of a size bin, as pycocotools does", () => {
    // One image with a 4x4 object (very tiny) and one with a 20x20 object (small).
    const g: CocoGtJson = {
      images: [{ id: 1 }, { id: 2 }], categories: [{ id: 1 }],
      annotations: [
        { id: 1, image_id: 1, category_id: 1, bbox: [10, 10, 4, 4], area: 16 },
        { id: 2, image_id: 2, category_id: 1, bbox: [10, 10, 20, 20], area: 400 },
      ],
    };
    const d = [{ image_id: 1, category_id: 1, bbox: [10, 10, 4, 4], score: 0.9 }];
    const ev = imageWeightedEvaluator(g, d, { metrics: ["AP@.50|verytiny|1500", "AP@.50|small|1500"] });
    expect(Array.from(ev.evaluate([0, 2]))).toEqual([-1, 0]);
    expect(Array.from(ev.evaluate([2, 0]))).toEqual([1, -1]);
  });

  it("rejects bad weights, unknown metrics and detections of another ground truth", () => {
    const ev = imageWeightedEvaluator(gt, dt, { metrics: ["AP@.50|all|1500"] });
    expect(() => ev.evaluate([1, 2])).toThrow(/one entry per image \(24\)/);
    expect(() => ev.evaluate(new Array(24).fill(0.5))).toThrow(/non-negative integers; got 0.5 at image index 0/);
    expect(() => imageWeightedEvaluator(gt, dt, { metrics: ["AP@.50|all|100"] })).toThrow(DealkitConfigError);
    expect(() => imageWeightedEvaluator(gt, dt, { metrics: ["AP@.50|all|100"] })).toThrow(/valid: AP@\.25\|all\|1500, AP@\.50\|all\|1500/);
    expect(() => imageWeightedEvaluator(gt, [{ image_id: 999, category_id: 1, bbox: [0, 0, 1, 1], score: 1 }])).toThrow(DealkitInputError);
  });
});

/** n images, each with a very tiny, a tiny and a small object (category 1). */
function threeObjectScenes(n: number): CocoGtJson {
  const annotations = [];
  for (let i = 1; i <= n; i++) {
    annotations.push({ id: 3 * i - 2, image_id: i, category_id: 1, bbox: [10, 10, 6, 6], area: 36 });
    annotations.push({ id: 3 * i - 1, image_id: i, category_id: 1, bbox: [40, 10, 12, 12], area: 144 });
    annotations.push({ id: 3 * i, image_id: i, category_id: 1, bbox: [80, 10, 24, 24], area: 576 });
  }
  return { images: Array.from({ length: n }, (_, i) => ({ id: i + 1 })), categories: [{ id: 1 }], annotations };
}

describe("pairedBootstrap", () => {
  const metrics = ["AP@.50|all|1500", "AP@.75|all|1500", "AP@.50|verytiny|1500", "AP@.50|tiny|1500", "AP@.50|small|1500"];

  it("reports A and B on the full set exactly as cocoEvaluate", () => {
    const { gt, dt: a } = evalSynthCase({ images: 20, gtPerImage: 10, categories: 2, imageSidePx: 200, seed: 3 });
    const b = evalSynthCase({ images: 20, gtPerImage: 10, categories: 2, imageSidePx: 200, seed: 3, detSeed: 1, quality: 0.5 }).dt;
    const r = pairedBootstrap(gt, a, b, { metrics, samples: 50, seed: 1 });
    const ra = reference(gt, a, "p2sod", true);
    const rb = reference(gt, b, "p2sod", true);
    expect(r.rows.map((x) => x.metric)).toEqual(metrics);
    for (const row of r.rows) {
      expect(row.a).toBe(ra[row.metric]);
      expect(row.b).toBe(rb[row.metric]);
      expect(row.diff).toBe(ra[row.metric]! - rb[row.metric]!);
      expect(row.lo).toBeLessThanOrEqual(row.hi);
    }
    expect(r).toMatchObject({ samples: 50, seed: 1, level: 0.95, images: 20, runs: 1 });
  });

  it("with one image every sample is the full set: the interval is the point", () => {
    const gt = threeObjectScenes(1);
    const a = [{ image_id: 1, category_id: 1, bbox: [10, 10, 6, 6], score: 0.9 }, { image_id: 1, category_id: 1, bbox: [0, 50, 9, 9], score: 0.8 }];
    const b = [{ image_id: 1, category_id: 1, bbox: [0, 50, 9, 9], score: 0.9 }, { image_id: 1, category_id: 1, bbox: [10, 10, 6, 6], score: 0.8 }];
    const r = pairedBootstrap(gt, a, b, { metrics, samples: 20 });
    const ra = reference(gt, a, "p2sod", true);
    const rb = reference(gt, b, "p2sod", true);
    for (const row of r.rows) {
      const d = ra[row.metric]! < 0 ? NaN : ra[row.metric]! - rb[row.metric]!;
      expect(row.diff).toBe(d);
      if (Number.isNaN(d)) continue;
      expect([row.lo, row.hi]).toEqual([d, d]);
      expect(row.meanDiff).toBeCloseTo(d, 14); // a sum of 20 equal numbers, divided by 20
    }
    // Hand check: A ranks its TP first (AP@.50 = 1/3 recall at precision 1: 34/101), B second (precision 1/2: 17/101).
    expect(r.rows[0]!.a).toBeCloseTo(34 / 101, 12);
    expect(r.rows[0]!.b).toBeCloseTo(17 / 101, 12);
  });

  it("gives an interval strictly above 0 when A is better on every image", () => {
    // A boxes every object exactly. B boxes the very tiny one exactly, ranks a background box above it, and
    // misses the other two by a shift of half their side (IoU 1/3 < .5): B is worse on each image.
    const n = 30;
    const gt = threeObjectScenes(n);
    const rng = new Random(4);
    const a: CocoDetectionJson[] = [];
    const b: CocoDetectionJson[] = [];
    for (const ann of gt.annotations) a.push({ image_id: ann.image_id, category_id: 1, bbox: [...ann.bbox], score: rng.uniform(0.5, 1) });
    for (const ann of gt.annotations) {
      const [x, y, w, h] = ann.bbox as [number, number, number, number];
      const shift = w === 6 ? 0 : w / 2;
      b.push({ image_id: ann.image_id, category_id: 1, bbox: [x + shift, y, w, h], score: rng.uniform(0.2, 0.6) });
    }
    for (let i = 1; i <= n; i++) b.push({ image_id: i, category_id: 1, bbox: [200, 200, 10, 10], score: 0.7 });
    const r = pairedBootstrap(gt, a, b, { metrics: ["AP@.50|all|1500", "AP@.50|tiny|1500", "AP@[.50:.95]|all|1500"], samples: 300, seed: 9 });
    for (const row of r.rows) {
      expect(row.a, row.metric).toBe(1);
      expect(row.lo, row.metric).toBeGreaterThan(0);
      expect(row.p, row.metric).toBe(0);
      expect(row.samples).toBe(300);
    }
    // tiny: B finds none of them, A all: the difference is 1 on every draw.
    expect([r.rows[1]!.lo, r.rows[1]!.hi, r.rows[1]!.meanDiff]).toEqual([1, 1, 1]);
  });

  it("gives exactly 0 everywhere when A and B are the same detections", () => {
    const { gt, dt } = evalSynthCase({ images: 15, gtPerImage: 8, categories: 2, imageSidePx: 128, seed: 8 });
    const r = pairedBootstrap(gt, dt, dt.map((d) => ({ ...d })), { samples: 100, seed: 2 });
    expect(r.rows.length).toBe(14); // p2sod's AP/AR numbers
    for (const row of r.rows) {
      if (row.a < 0) continue; // no GT of this bin at all
      expect([row.diff, row.meanDiff, row.lo, row.hi, row.p], row.metric).toEqual([0, 0, 0, 0, 1]);
      expect(Array.from(row.draws).every((d) => d === 0 || Number.isNaN(d))).toBe(true);
    }
  });

  it("is deterministic: same seed, same numbers; another seed, other draws", () => {
    const { gt, dt: a } = evalSynthCase({ images: 20, gtPerImage: 10, categories: 2, imageSidePx: 200, seed: 6 });
    const b = evalSynthCase({ images: 20, gtPerImage: 10, categories: 2, imageSidePx: 200, seed: 6, detSeed: 2, quality: 0.6 }).dt;
    const opts = { metrics, samples: 80 };
    const r1 = pairedBootstrap(gt, a, b, { ...opts, seed: 7 });
    const r2 = pairedBootstrap(gt, a, b, { ...opts, seed: new Random(7) });
    const r3 = pairedBootstrap(gt, a, b, { ...opts, seed: 8 });
    expect(r2).toEqual(r1);
    expect(r3.rows[0]!.diff).toBe(r1.rows[0]!.diff);
    expect(Array.from(r3.rows[0]!.draws)).not.toEqual(Array.from(r1.rows[0]!.draws));
    expect(r3.rows[0]!.lo).not.toBe(r1.rows[0]!.lo);
  });

  it("checks its options", () => {
    const gt = threeObjectScenes(2);
    expect(() => pairedBootstrap(gt, [], [], { samples: 0 })).toThrow(/samples must be an integer >= 1; got 0/);
    expect(() => pairedBootstrap(gt, [], [], { level: 1 })).toThrow(/level must be in \(0, 1\); got 1/);
    expect(() => pairedBootstrap(gt, [], [], { metrics: ["oLRP@.50|all|1500"] })).toThrow(/not a summary number of the p2sod protocol/);
  });
});

describe("bootstrapInterval", () => {
  it("reports the full-set value exactly and an interval around it", () => {
    const { gt, dt } = evalSynthCase({ images: 30, gtPerImage: 10, categories: 2, imageSidePx: 200, seed: 12 });
    const r = bootstrapInterval(gt, dt, { metrics: ["AP@.50|all|1500", "AR@.50|all|1500"], samples: 200, seed: 3 });
    const ref = reference(gt, dt, "p2sod", true);
    for (const row of r.rows) {
      expect(row.value).toBe(ref[row.metric]);
      expect(row.lo).toBeLessThan(row.value);
      expect(row.hi).toBeGreaterThan(row.value);
      expect(Math.abs(row.mean - row.value)).toBeLessThan(0.05);
    }
  });
});

describe("bootstrapQuantile", () => {
  it("is numpy's default (linear) percentile", () => {
    // np.percentile([1, 2, 3, 4], 50) = 2.5; np.percentile([1, 2, 3, 4, 10], 97.5) = 9.4 (h = 3.9: 4 + 0.9 * 6);
    // np.percentile([3, 1, 2], 2.5) = 1.05 (h = 0.05).
    expect(bootstrapQuantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(bootstrapQuantile([1, 2, 3, 4, 10], 0.975)).toBeCloseTo(9.4, 12);
    expect(bootstrapQuantile([3, 1, NaN, 2], 0.025)).toBeCloseTo(1.05, 12);
    expect(bootstrapQuantile([NaN], 0.5)).toBeNaN();
  });
});
