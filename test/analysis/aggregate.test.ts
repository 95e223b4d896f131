import * as aq from "arquero";
import { describe, expect, it } from "vitest";
import { aggregateRuns, pairedBootstrap, pooledPairedBootstrap } from "../../src/analysis/index.js";
import { cocoEvaluate, cocoLoadDt, cocoLoadGt, evalSynthCase } from "../../src/eval/index.js";

// scipy.stats.t.ppf(0.975, 4) and the 3-seed interval of [.5, .6, .7] (t.ppf(0.975, 2) = 4.302652729749462).
const T975_4 = 2.7764451051977934;

const ROWS = [
  { model: "deal", trainSeed: 1, clickSeed: 1, ap50: 0.4 },
  { model: "deal", trainSeed: 1, clickSeed: 2, ap50: 0.6 },
  { model: "deal", trainSeed: 2, clickSeed: 1, ap50: 0.6 },
  { model: "deal", trainSeed: 3, clickSeed: 1, ap50: 0.7 },
  { model: "deal", trainSeed: 3, clickSeed: 2, ap50: 0.7 },
  { model: "base", trainSeed: 1, clickSeed: 1, ap50: 0.3 },
  { model: "base", trainSeed: 2, clickSeed: 1, ap50: NaN },
  { model: "base", trainSeed: 3, clickSeed: 1, ap50: 0.5 },
];

describe("aggregateRuns", () => {
  it("every run one observation: mean, sd and the t interval with n - 1 degrees of freedom", () => {
    const t = aggregateRuns(ROWS, { by: ["model"], metrics: ["ap50"] });
    const deal = t.objects()[0] as Record<string, number | string>;
    // [.4, .6, .6, .7, .7]: mean .6, squared deviations .04 + 0 + 0 + .01 + .01 = .06, sd = sqrt(.06 / 4).
    const sd = Math.sqrt(0.015);
    expect(deal).toMatchObject({ model: "deal", metric: "ap50", n: 5 });
    expect(deal.mean).toBeCloseTo(0.6, 12);
    expect(deal.sd).toBeCloseTo(sd, 12);
    expect(deal.lo).toBeCloseTo(0.6 - (T975_4 * sd) / Math.sqrt(5), 9);
    expect(deal.hi).toBeCloseTo(0.6 + (T975_4 * sd) / Math.sqrt(5), 9);
    // NaN is left out: base has 2 values, mean .4.
    const base = t.objects()[1] as Record<string, number>;
    expect(base.n).toBe(2);
    expect(base.mean).toBeCloseTo(0.4, 12);
  });

  it("with unit trainSeed: click seeds averaged first, the interval is over training seeds", () => {
    // Training seeds average to .5, .6, .7: mean .6, sd .1, t(.975, 2) interval [0.35158622882496704, 0.8484137711750329] (scipy).
    const t = aggregateRuns(aq.from(ROWS), { by: ["model"], metrics: ["ap50"], unit: ["trainSeed"] });
    const deal = t.objects()[0] as Record<string, number>;
    expect(deal.n).toBe(3);
    expect(deal.mean).toBeCloseTo(0.6, 12);
    expect(deal.sd).toBeCloseTo(0.1, 12);
    expect(deal.lo).toBeCloseTo(0.35158622882496704, 9);
    expect(deal.hi).toBeCloseTo(0.8484137711750329, 9);
    expect(t.columnNames()).toEqual(["model", "metric", "n", "mean", "sd", "lo", "hi"]);
  });

  it("names the bad row and column", () => {
    expect(() => aggregateRuns([{ model: "a", ap50: "x" }], { by: ["model"], metrics: ["ap50"] })).toThrow(/row 0: field "ap50": must be a number/);
    expect(() => aggregateRuns([{ ap50: 1 }], { by: ["model"], metrics: ["ap50"] })).toThrow(/row 0: field "model": missing column/);
    expect(() => aggregateRuns(ROWS, { metrics: [] })).toThrow(/metrics must name at least one column/);
  });
});

describe("pooledPairedBootstrap", () => {
  const base = { images: 16, gtPerImage: 8, categories: 2, imageSidePx: 128, seed: 21 };
  const { gt } = evalSynthCase(base);
  const run = (s: number) => ({
    a: evalSynthCase({ ...base, detSeed: 10 + s }).dt,
    b: evalSynthCase({ ...base, detSeed: 20 + s, quality: 0.55 }).dt,
  });
  const runs = [run(1), run(2), run(3)];
  const metrics = ["AP@.50|all|1500", "AP@.75|all|1500"];

  it("with one run is the paired bootstrap", () => {
    const one = pooledPairedBootstrap(gt, [runs[0]!], { metrics, samples: 60, seed: 4 });
    expect(one).toEqual(pairedBootstrap(gt, runs[0]!.a, runs[0]!.b, { metrics, samples: 60, seed: 4 }));
  });

  it("averages the runs' differences on one shared image draw per sample", () => {
    const pooled = pooledPairedBootstrap(gt, runs, { metrics, samples: 60, seed: 4 });
    // Each run alone with the same seed draws the same image multisets (the draws depend only on the seed).
    const single = runs.map((r) => pairedBootstrap(gt, r.a, r.b, { metrics, samples: 60, seed: 4 }));
    const g = cocoLoadGt(gt);
    pooled.rows.forEach((row, l) => {
      const full = runs.map((r) => [r.a, r.b].map((d) => cocoEvaluate(g, cocoLoadDt(d, g), { protocol: "p2sod", classAgnostic: true }).results.stats[row.metric]!));
      expect(row.a).toBeCloseTo(full.reduce((s, [a]) => s + a!, 0) / 3, 12);
      expect(row.b).toBeCloseTo(full.reduce((s, [, b]) => s + b!, 0) / 3, 12);
      expect(row.diff).toBeCloseTo(full.reduce((s, [a, b]) => s + a! - b!, 0) / 3, 12);
      for (let i = 0; i < 60; i++) {
        const mean = (single[0]!.rows[l]!.draws[i]! + single[1]!.rows[l]!.draws[i]! + single[2]!.rows[l]!.draws[i]!) / 3;
        expect(row.draws[i]).toBeCloseTo(mean, 12);
      }
    });
    expect(pooled.runs).toBe(3);
  });

  it("needs at least one run", () => {
    expect(() => pooledPairedBootstrap(gt, [])).toThrow(/at least one run/);
  });
});
