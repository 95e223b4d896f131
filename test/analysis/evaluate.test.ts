import { describe, expect, it } from "vitest";
import { analysisToCoco, p2sodByDomain, p2sodMetrics } from "../../src/analysis/evaluate.js";
import { runTide } from "../../src/analysis/tide.js";
import { cocoEvaluate, cocoLoadDt, cocoLoadGt } from "../../src/eval/index.js";
import { image, loadCocoCase } from "./helpers.js";

const uav = image(1, [[0, 0, 10, 10, 1], [20, 0, 30, 10, 1]], [[25, 0, 35, 10, 0.9, 1], [0, 0, 10, 10, 0.8, 1]], "uav");
const farm = image(2, [[0, 0, 10, 10, 1], [20, 0, 30, 10, 1]], [[0, 0, 10, 10, 0.95, -1]], "farm");

describe("p2sodMetrics", () => {
  it("gives hand-computed AP at .5 and .25", () => {
    const m = p2sodMetrics([uav, farm]);
    // IoU .5: TP .95, FP .9, TP .8 of 4 GT -> (26 + 25 * 2/3) / 101. The category -1 detection still counts.
    expect(m.ap50).toBeCloseTo((26 + (25 * 2) / 3) / 101, 12);
    // IoU .25: the IoU-1/3 box is a TP too: 3 TPs first, recall .75 -> 76 / 101.
    expect(m.ap25).toBeCloseTo(76 / 101, 12);
    expect(m.apM).toBeNaN(); // no object of 32 px or more
  });

  it("splits by domain", () => {
    const rows = p2sodByDomain([uav, farm]).objects() as { domain: string; ap50: number }[];
    expect(rows.map((r) => r.domain)).toEqual(["farm", "uav", "all"]);
    expect(rows[0]!.ap50).toBeCloseTo(51 / 101, 12);
    expect(rows[1]!.ap50).toBeCloseTo(25.5 / 101, 12);
  });
});

describe("analysisToCoco", () => {
  it("round-trips a fixture through the project's evaluator to pycocotools' numbers, and agrees with runTide", () => {
    const { images, expected } = loadCocoCase("tiny_basic");
    const { gt, dt } = analysisToCoco(images, { classAgnostic: false });
    const g = cocoLoadGt(gt);
    const ev = cocoEvaluate(g, cocoLoadDt(dt, g));
    const stats = expected.stats_default as number[];
    expect(ev.results.stats["AP@.50|all|100"]).toBeCloseTo(stats[1]!, 12);
    expect(runTide(images).ap).toBeCloseTo(ev.results.stats["AP@.50|all|100"]!, 12);
  });
});
