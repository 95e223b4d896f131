import { describe, expect, it } from "vitest";
import { bootstrapSummaryText, bootstrapTable, type PairedBootstrapResult } from "../../src/analysis/index.js";

// A hand-made result (the table and text only format what they are given).
const RESULT: PairedBootstrapResult = {
  samples: 1000, seed: 3, level: 0.95, images: 150, runs: 1,
  rows: [
    { metric: "AP@.50|all|1500", a: 0.253, b: 0.221, diff: 0.032, meanDiff: 0.031, lo: 0.011, hi: 0.054, p: 0.002, samples: 1000, draws: new Float64Array(0) },
    { metric: "AP@.50|verytiny|1500", a: -1, b: -1, diff: NaN, meanDiff: NaN, lo: NaN, hi: NaN, p: NaN, samples: 0, draws: new Float64Array(0) },
    { metric: "AP@.75|all|1500", a: 0.05, b: 0.07, diff: -0.02, meanDiff: -0.021, lo: -0.04, hi: 0.001, p: 0.96, samples: 1000, draws: new Float64Array(0) },
  ],
};

describe("bootstrapTable", () => {
  it("has one row per metric: metric, A, B, diff, lo, hi, p, samples", () => {
    const t = bootstrapTable(RESULT);
    expect(t.columnNames()).toEqual(["metric", "A", "B", "diff", "lo", "hi", "p", "samples"]);
    expect(t.numRows()).toBe(3);
    expect(t.objects()[0]).toEqual({ metric: "AP@.50|all|1500", A: 0.253, B: 0.221, diff: 0.032, lo: 0.011, hi: 0.054, p: 0.002, samples: 1000 });
  });
});

describe("bootstrapSummaryText", () => {
  it("reads as one line in AP points", () => {
    expect(bootstrapSummaryText(RESULT, { names: ["DEAL", "baseline"], metrics: ["AP@.50|all|1500", "AP@.75|all|1500"] })).toBe(
      "DEAL - baseline over 150 images (paired bootstrap, 1000 samples, seed 3, 95%): " +
      "AP@.50|all|1500 +3.2 [+1.1, +5.4] (25.3 vs 22.1, p 0.002); AP@.75|all|1500 -2.0 [-4.0, +0.1] (5.0 vs 7.0, p 0.960)",
    );
    expect(bootstrapSummaryText(RESULT, { metrics: ["AP@.50|verytiny|1500"] })).toContain("AP@.50|verytiny|1500 n/a [n/a, n/a] (n/a vs n/a, p n/a)");
  });
});
