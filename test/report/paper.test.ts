import { describe, expect, it } from "vitest";
import type { AnalysisImage } from "../../src/analysis/types.js";
import {
  formatPct,
  paperCacheKey,
  paperHeadline,
  paperMetricsFrom,
  paperOptionsFromEnv,
  paperTable,
  paperTableText,
  relativeChangePct,
  restrictToCategories,
  type PaperCacheKeyParts,
  type PaperRow,
} from "../../src/report/index.js";
import { detectionsByImage, imagesPerDomain } from "../../src/data/index.js";

// Hand numbers: a baseline at AP.75 0.10 and DEAL at 0.1314 is +31.4 % relative (the paper's headline).
const metrics = (ap75: number, rest: number | null = 0.2) => ({ ap25: 0.5, ap50: 0.4, ap75, apVt: rest, apT: 0.1, apS: 0.2, apM: null });
const rows: PaperRow[] = [
  { comparison: "baseline vs DEAL", method: "baseline-tiny (supervised)", setting: "test", split: "test", images: 10, ...metrics(0.1) },
  { comparison: "baseline vs DEAL", method: "DEAL-tiny (PG-CPP)", setting: "test", split: "test", images: 10, ...metrics(0.1314) },
  { comparison: "random vs PG-CPP", method: "DEAL-tiny (random clicks)", setting: "test", split: "test", images: 10, ...metrics(0.05) },
  { comparison: "seen vs unseen", method: "DEAL-tiny (PG-CPP)", setting: "unseen", split: "heldout-categories", images: 4, ...metrics(0.02, null) },
];

describe("relative change", () => {
  it("is 100 (value - reference) / reference on hand numbers", () => {
    expect(relativeChangePct(0.1314, 0.1)).toBeCloseTo(31.4, 10);
    expect(relativeChangePct(0.05, 0.1)).toBeCloseTo(-50, 10);
    expect(relativeChangePct(0.2, 0.2)).toBe(0);
  });
  it("is null without a positive reference or a value", () => {
    expect(relativeChangePct(0.1, 0)).toBeNull();
    expect(relativeChangePct(0.1, null)).toBeNull();
    expect(relativeChangePct(null, 0.1)).toBeNull();
    expect(relativeChangePct(Number.NaN, 0.1)).toBeNull();
  });
  it("formats signed percentages", () => {
    expect(formatPct(31.44)).toBe("+31.4%");
    expect(formatPct(-2)).toBe("-2.0%");
    expect(formatPct(null)).toBe("-");
  });
});

describe("paper table", () => {
  it("takes the headline from the baseline-vs-DEAL rows", () => {
    const h = paperHeadline(rows);
    expect(h.baselineAp75).toBe(0.1);
    expect(h.dealAp75).toBe(0.1314);
    expect(h.deltaPoints).toBeCloseTo(3.14, 10);
    expect(h.relativePct).toBeCloseTo(31.4, 10);
  });
  it("has no headline without a baseline row", () => {
    expect(paperHeadline(rows.slice(1)).relativePct).toBeNull();
  });
  it("maps metric records to nullable fractions", () => {
    expect(paperMetricsFrom({ ap25: 0.5, ap50: Number.NaN, ap75: 0.25, apVt: -0 })).toEqual({ ap25: 0.5, ap50: null, ap75: 0.25, apVt: -0, apT: null, apS: null, apM: null });
  });
  it("shows AP points with one decimal, null kept", () => {
    const t = paperTable(rows).objects() as Record<string, unknown>[];
    expect(t.map((r) => r.method)).toEqual(rows.map((r) => r.method));
    expect(t[1]!["AP.75"]).toBe(13.1);
    expect(t[0]!["AP.5"]).toBe(40);
    expect(t[3]!.APvt).toBeNull();
    expect(t[0]!.APm).toBeNull();
  });
  it("prints one aligned line per row, a blank between comparisons and the headline", () => {
    const lines = paperTableText(rows).split("\n");
    expect(lines[0]).toMatch(/^comparison\s+method\s+setting\s+AP\.25\s+AP\.5\s+AP\.75\s+APvt\s+APt\s+APs\s+APm$/);
    expect(lines[3]).toMatch(/DEAL-tiny \(PG-CPP\)\s+test\s+50\.0\s+40\.0\s+13\.1\s+20\.0\s+10\.0\s+20\.0\s+-$/);
    expect(lines[4]).toBe("");
    expect(lines.at(-1)).toBe("AP.75: DEAL 13.1 vs baseline 10.0: +31.4% relative (paper: +31.4%)");
    const widths = new Set(lines.slice(2, 4).map((l) => l.length));
    expect(widths.size).toBe(1);
  });
});

describe("paper table with class-agnostic merge rows", () => {
  // Hand numbers: merged baseline AP.75 0.08, merged DEAL 0.10 -> +25.0 % relative; the unmerged pair stays +31.4 %.
  const merged: PaperRow[] = [
    ...rows.slice(0, 2),
    { comparison: "baseline vs DEAL, merged", method: "baseline-tiny (supervised)", setting: "test, no clicks, class-agnostic merge@0.5", split: "test", images: 10, ...metrics(0.08) },
    { comparison: "baseline vs DEAL, merged", method: "DEAL-tiny (PG-CPP)", setting: "test, 1 click per category, class-agnostic merge@0.5", split: "test", images: 10, ...metrics(0.1) },
    ...rows.slice(2),
  ];
  it("keeps the unmerged headline and gives the merged pair's on request", () => {
    expect(paperHeadline(merged).relativePct).toBeCloseTo(31.4, 10);
    const m = paperHeadline(merged, "baseline vs DEAL, merged");
    expect(m.baselineAp75).toBe(0.08);
    expect(m.dealAp75).toBe(0.1);
    expect(m.deltaPoints).toBeCloseTo(2, 10);
    expect(m.relativePct).toBeCloseTo(25, 10);
  });
  it("prints the merged rows as their own group and both AP.75 lines", () => {
    const lines = paperTableText(merged).split("\n");
    expect(lines[4]).toBe("");
    expect(lines[5]).toMatch(/^baseline vs DEAL, merged\s+baseline-tiny \(supervised\)\s+test, no clicks, class-agnostic merge@0\.5\s+50\.0\s+40\.0\s+8\.0\s/);
    expect(lines[6]).toMatch(/DEAL-tiny \(PG-CPP\)\s+test, 1 click per category, class-agnostic merge@0\.5\s+50\.0\s+40\.0\s+10\.0\s/);
    expect(lines.at(-2)).toBe("AP.75: DEAL 13.1 vs baseline 10.0: +31.4% relative (paper: +31.4%)");
    expect(lines.at(-1)).toBe("AP.75 with the class-agnostic merge: DEAL 10.0 vs baseline 8.0: +25.0% relative");
  });
});

describe("cache key", () => {
  const base = { models: { deal: "aaaa", baseline: "bbbb" }, data: { version: 2, seed: 0, scale: "default" }, clickSeed: 0 };
  it("is stable and ignores the order of the models", () => {
    expect(paperCacheKey(base)).toBe(paperCacheKey({ ...base, models: { baseline: "bbbb", deal: "aaaa" } }));
    expect(paperCacheKey(base)).toMatch(/^[0-9a-f]{16}$/);
  });
  it("changes with every input the numbers depend on", () => {
    const k = paperCacheKey(base);
    const variants: PaperCacheKeyParts[] = [
      { ...base, models: { deal: "aaab", baseline: "bbbb" } },
      { ...base, models: { deal: "aaaa", baseline: "bbbb", dealRandom: "cccc" } },
      { ...base, data: { ...base.data, version: 3 } },
      { ...base, data: { ...base.data, seed: 1 } },
      { ...base, data: { ...base.data, scale: "small" } },
      { ...base, clickSeed: 1 },
      { ...base, settings: { imagesPerDomain: 2 } },
      { ...base, settings: { classAgnosticMerge: 0.5 } },
    ];
    const keys = variants.map((v) => paperCacheKey(v));
    for (const other of keys) expect(other).not.toBe(k);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe("options from the environment", () => {
  it("reads the JSON the CLI writes, {} when unset, and names the variable on bad JSON", () => {
    expect(paperOptionsFromEnv({})).toEqual({});
    expect(paperOptionsFromEnv({ DEALKIT_REPRODUCE_OPTIONS: '{"clickSeed":3,"ablation":false}' })).toEqual({ clickSeed: 3, ablation: false });
    expect(() => paperOptionsFromEnv({ DEALKIT_REPRODUCE_OPTIONS: "{nope" })).toThrow(/DEALKIT_REPRODUCE_OPTIONS/);
    expect(() => paperOptionsFromEnv({ DEALKIT_REPRODUCE_OPTIONS: "[1]" })).toThrow(/JSON object/);
  });
});

describe("evaluation glue", () => {
  it("groups COCO results per image as xyxy detection lists", () => {
    const m = detectionsByImage([
      { image_id: 7, category_id: 2, bbox: [10, 20, 5, 4], score: 0.9 },
      { image_id: 8, category_id: 3, bbox: [0, 0, 1, 1], score: 0.1 },
      { image_id: 7, category_id: 5, bbox: [1, 2, 3, 4], score: 0.5 },
    ]);
    expect([...m.keys()]).toEqual([7, 8]);
    const d = m.get(7)!;
    expect(d.length).toBe(2);
    expect([...d.boxesXyxy]).toEqual([10, 20, 15, 24, 1, 2, 4, 6]);
    expect([...d.categoryIds]).toEqual([2, 5]);
    expect([...d.scores]).toEqual([Math.fround(0.9), 0.5]);
  });

  it("restricts ground truth and detections to a category set without touching the input", () => {
    const im: AnalysisImage = {
      imageId: 1,
      domain: "uav",
      gtBoxesXyxy: new Float64Array([0, 0, 4, 4, 10, 10, 20, 20, 30, 30, 33, 33]),
      gtCategoryIds: new Int32Array([1, 2, 2]),
      gtIgnore: new Uint8Array([0, 0, 1]),
      detections: { length: 2, boxesXyxy: new Float32Array([0, 0, 4, 4, 10, 10, 19, 19]), scores: new Float32Array([0.5, 0.8]), categoryIds: new Int32Array([1, 2]), clickIndex: new Int32Array([0, 1]) },
    };
    const only1: AnalysisImage = { ...im, imageId: 2, gtCategoryIds: new Int32Array([1, 1, 1]) };
    const out = restrictToCategories([im, only1], new Set([2]));
    expect(out.map((o) => o.imageId)).toEqual([1]);
    expect([...out[0]!.gtBoxesXyxy]).toEqual([10, 10, 20, 20, 30, 30, 33, 33]);
    expect([...out[0]!.gtIgnore!]).toEqual([0, 1]);
    expect([...out[0]!.detections.boxesXyxy]).toEqual([10, 10, 19, 19]);
    expect([...out[0]!.detections.clickIndex]).toEqual([1]);
    expect(im.gtCategoryIds.length).toBe(3);
    expect(im.detections.length).toBe(2);
  });

  it("picks the first n images of each domain, in order", () => {
    const images = ["a", "b", "a", "a", "c", "b"].map((domain, i) => ({ id: 10 + i, domain }));
    expect(imagesPerDomain({ images } as never, 2)).toEqual([10, 11, 12, 14, 15]);
    expect(imagesPerDomain({ images } as never)).toEqual([10, 11, 12, 13, 14, 15]);
  });
});
