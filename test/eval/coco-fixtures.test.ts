import { describe, expect, it } from "vitest";
import {
  cocoEvaluate, cocoLoadFiles, cocoPerCategoryAp, COCO_IOU_THRS, COCO_REC_THRS, type CocoEvaluation,
} from "../../src/eval/index.js";
import { cleanLabel, fixtureCases, fixturesDir } from "./fixtures.js";

const TOL = 1e-9;
/** Generous per-test timeout: the held-back speed case (100k GT / 300k detections) runs several evaluations. */
const SLOW = 600_000;
const cases = fixtureCases();

function expectClose(actual: number | undefined, expected: number, what: string): void {
  expect(actual, what).toBeTypeOf("number");
  if (Math.abs(actual! - expected) > TOL) throw new Error(`${what}: got ${actual}, expected ${expected}`);
}

function checkStats(ev: CocoEvaluation, labels: string[], values: number[], what: string, skip = (_l: string) => false): void {
  labels.forEach((raw, i) => {
    const label = cleanLabel(raw);
    if (skip(label)) return;
    expectClose(ev.results.stats[label], values[i]!, `${what} ${label}`);
  });
}

/** Compares accumulate's arrays with expected.detail (ap_tkam = precision averaged over recall points). */
function checkDetail(ev: CocoEvaluation, detail: { ap_tkam: number[][][][]; recall: number[][][][] }, what: string): void {
  const [T, R, K, A, M] = ev.accumulated.shape;
  for (let t = 0; t < T; t++) for (let k = 0; k < K; k++) for (let a = 0; a < A; a++) for (let m = 0; m < M; m++) {
    let sum = 0;
    let any = false;
    for (let r = 0; r < R; r++) {
      const v = ev.accumulated.precision[(((t * R + r) * K + k) * A + a) * M + m]!;
      if (v > -1) { sum += v; any = true; }
    }
    const ap = any ? sum / R : -1;
    const where = `${what} t=${t} k=${k} a=${a} m=${m}`;
    expectClose(ap, detail.ap_tkam[t]![k]![a]![m]!, `${where} precision`);
    expectClose(ev.accumulated.recall[((t * K + k) * A + a) * M + m], detail.recall[t]![k]![a]![m]!, `${where} recall`);
  }
}

describe("COCO fixtures (pycocotools numbers)", () => {
  it("finds the fixtures", () => {
    expect(cases.length, `no fixture cases under ${fixturesDir()}`).toBeGreaterThan(0);
  });

  it("uses numpy's linspace thresholds bit for bit", () => {
    for (const c of cases) {
      expect([...COCO_IOU_THRS]).toEqual(c.expected.params.iouThrs);
      expect([...COCO_REC_THRS]).toEqual(c.expected.params.recThrs);
    }
  });

  for (const c of cases) {
    describe(c.name, () => {
      const e = c.expected;
      const { gt, dt } = cocoLoadFiles(c.gtFile, c.dtFile);

      it("default configuration: stats, per-category AP and AP50, accumulate arrays", () => {
        const ev = cocoEvaluate(gt, dt, { protocol: "coco" });
        expect(ev.accumulated.shape).toEqual(e.precision_shape.default);
        expect([...gt.imgIds]).toEqual(e.params.imgIds);
        expect([...gt.catIds]).toEqual(e.params.catIds);
        checkStats(ev, e.stats_default_labels, e.stats_default, "stats_default");
        for (const [cat, v] of Object.entries(e.per_category_ap as Record<string, number>)) expectClose(ev.results.perCategory[cat], v, `per_category_ap ${cat}`);
        const ap50 = cocoPerCategoryAp(ev.accumulated, gt, ev.protocol.params, { iouIndex: [0] });
        for (const [cat, v] of Object.entries(e.per_category_ap50 as Record<string, number>)) expectClose(ap50[cat], v, `per_category_ap50 ${cat}`);
        if (e.detail?.default) checkDetail(ev, e.detail.default, "default");
      }, SLOW);

      it("class-agnostic (useCats = 0)", () => {
        const ev = cocoEvaluate(gt, dt, { protocol: "coco", classAgnostic: true });
        checkStats(ev, e.stats_default_agnostic_labels, e.stats_default_agnostic, "stats_default_agnostic");
      }, SLOW);

      it("custom AI-TOD ranges (six, with large) and maxDets 1/100/1500", () => {
        const p = e.params.aitod;
        const areaRanges = p.areaRng.map((r: number[], i: number) => ({ label: p.areaRngLbl[i], lo: r[0], hi: r[1] }));
        const ev = cocoEvaluate(gt, dt, { protocol: "custom", params: { areaRanges, maxDets: p.maxDets } });
        expect(ev.accumulated.shape).toEqual(e.precision_shape.aitod);
        checkStats(ev, e.stats_aitod_labels, e.stats_aitod, "stats_aitod");
        for (const [cat, v] of Object.entries(e.per_category_ap_aitod as Record<string, number>)) expectClose(ev.results.perCategory[cat], v, `per_category_ap_aitod ${cat}`);
        if (e.detail?.aitod) checkDetail(ev, e.detail.aitod, "aitod");
        const stock = cocoEvaluate(gt, dt, { protocol: "custom", params: { areaRanges, maxDets: p.maxDets }, stockSummarize: true });
        stock.summary.forEach((s, i) => expectClose(s.value, e.stats_aitod_stock_summarize[i], `stock summarize #${i} ${s.label}`));
        expect(stock.summary.length).toBe(e.stats_aitod_stock_summarize.length);
      }, SLOW);

      it("aitod protocol = the AI-TOD fork's AP/AR numbers", () => {
        const ev = cocoEvaluate(gt, dt, { protocol: "aitod" });
        expect(ev.accumulated.shape).toEqual(e.precision_shape.aitod_official);
        checkStats(ev, e.stats_aitod_official_labels, e.stats_aitod_official, "stats_aitod_official");
      }, SLOW);
    });
  }
});
