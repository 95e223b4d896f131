import { describe, expect, it } from "vitest";
import { apByDomainAndSize, decomposeErrors, errorBreakdown, worstErrors } from "../../src/analysis/decompose.js";
import { confusionMatrix } from "../../src/analysis/confusion.js";
import { image } from "./helpers.js";

// Domain "uav": one localisation error before a TP (AP 25.5/101, dAP loc 75.5/101, see tide.test.ts).
// Domain "farm": one TP of two objects (AP 51/101, one missed, dAP missed 50/101).
const uav = image(1, [[0, 0, 10, 10, 1], [20, 0, 30, 10, 1]], [[25, 0, 35, 10, 0.9, 1], [0, 0, 10, 10, 0.8, 1]], "uav");
const farm = image(2, [[0, 0, 10, 10, 1], [20, 0, 30, 10, 1]], [[0, 0, 10, 10, 0.95, 1]], "farm");

describe("decomposeErrors", () => {
  it("summarises counts and dAP per type as a table", () => {
    const d = decomposeErrors([uav]);
    const rows = d.summary.objects() as { errorType: string; count: number; dAP: number }[];
    expect(rows.map((r) => r.errorType)).toEqual(["classification", "localisation", "both", "duplicate", "background", "missed", "falsePositive", "falseNegative"]);
    const loc = rows.find((r) => r.errorType === "localisation")!;
    expect(loc.count).toBe(1);
    expect(loc.dAP).toBeCloseTo(75.5 / 101, 12);
    expect(d.errors.numRows()).toBe(1);
    expect(d.errors.get("domain", 0)).toBe("uav");
    expect(d.errors.get("sizeBin", 0)).toBe("tiny"); // the 10x10 object: area 100 in [64, 256]
  });
});

describe("errorBreakdown", () => {
  it("splits by domain with an 'all' row", () => {
    const t = errorBreakdown([uav, farm], { by: ["domain"] });
    const get = (domain: string, type: string) =>
      (t.objects() as { domain: string; errorType: string; dAP: number; ap: number; count: number }[]).find((r) => r.domain === domain && r.errorType === type)!;
    expect(get("uav", "localisation").dAP).toBeCloseTo(75.5 / 101, 12);
    expect(get("uav", "missed").ap).toBeCloseTo(25.5 / 101, 12);
    expect(get("farm", "missed").dAP).toBeCloseTo(50 / 101, 12);
    expect(get("farm", "localisation").count).toBe(0);
    // all: 4 GT; sorted detections: TP .95 (img 2), FP .9 (img 1), TP .8 -> precision 1 to recall .25
    // (26 points), 2/3 to recall .5 (25 points): (26 + 25 * 2/3) / 101.
    expect(get("all", "missed").ap).toBeCloseTo((26 + (25 * 2) / 3) / 101, 12);
    expect(new Set(t.array("domain") as string[])).toEqual(new Set(["uav", "farm", "all"]));
  });

  it("splits by AI-TOD size bin the COCO way", () => {
    // A 4x4 object (very tiny) found, a 20x20 object (small) missed.
    const img = image(1, [[0, 0, 4, 4, 1], [50, 50, 70, 70, 1]], [[0, 0, 4, 4, 0.9, 1]], "uav");
    const t = apByDomainAndSize([img], { includeAll: true });
    const ap = (domain: string, bin: string) => (t.objects() as { domain: string; sizeBin: string; ap: number }[]).find((r) => r.domain === domain && r.sizeBin === bin)!.ap;
    expect(ap("uav", "veryTiny")).toBe(1);
    expect(ap("uav", "small")).toBe(0);
    expect(ap("uav", "tiny")).toBeNaN();
    expect(ap("uav", "all")).toBeCloseTo(51 / 101, 12);
  });
});

describe("worstErrors", () => {
  it("ranks false positives by score and missed objects by size", () => {
    const img = image(1, [[0, 0, 10, 10, 1], [20, 0, 22, 2, 1], [40, 0, 60, 20, 1]], [[100, 100, 110, 110, 0.4, 1], [200, 200, 210, 210, 0.7, 1], [0, 0, 10, 10, 0.9, 1]]);
    const w = worstErrors(decomposeErrors([img]).errors, { perType: 1 });
    const rows = w.objects() as { errorType: string; score: number; areaPx2: number; rank: number }[];
    expect(rows.find((r) => r.errorType === "background")!.score).toBeCloseTo(0.7, 6);
    expect(rows.find((r) => r.errorType === "missed")!.areaPx2).toBe(4);
    expect(rows.every((r) => r.rank === 1)).toBe(true);
  });
});

describe("confusionMatrix", () => {
  it("counts category pairs, background detections and missed objects", () => {
    // gt: cat 1, cat 2, cat 2. dets: cat 1 on cat 1 (ok), cat 1 on the first cat 2 (confused), cat 2 on nothing.
    const img = image(1, [[0, 0, 10, 10, 1], [20, 0, 30, 10, 2], [40, 0, 50, 10, 2]], [[0, 0, 10, 10, 0.9, 1], [20, 0, 30, 10, 0.8, 1], [100, 100, 110, 110, 0.7, 2], [40, 0, 50, 10, 0.1, 2]]);
    const rows = confusionMatrix([img]).objects() as { gtCategoryId: number; detCategoryId: number; count: number; fraction: number }[];
    const c = (g: number, d: number) => rows.find((r) => r.gtCategoryId === g && r.detCategoryId === d)?.count ?? 0;
    expect(c(1, 1)).toBe(1);
    expect(c(2, 1)).toBe(1);
    expect(c(2, -1)).toBe(1); // the low-score detection is below the 0.3 threshold
    expect(c(-1, 2)).toBe(1);
    expect(c(2, 2)).toBe(0);
    expect(rows.find((r) => r.gtCategoryId === 2 && r.detCategoryId === 1)!.fraction).toBe(0.5);
  });
});
