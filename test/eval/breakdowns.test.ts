import { describe, expect, it } from "vitest";
import {
  cocoEvaluate, cocoLoadDt, cocoLoadFiles, cocoLoadGt, evalCentreOffsets, evalNwdStats, evalNwdXywh, evalPerCategoryTable,
  evalPerDomainTable, evalPerSizeTable, evalPrCurves, evalResultsComparable, evalSynthCase,
} from "../../src/eval/index.js";
import { fixtureCases } from "./fixtures.js";

const TOL = 1e-9;
const close = (a: unknown, b: number, what: string) => {
  if (typeof a !== "number" || Math.abs(a - b) > TOL) throw new Error(`${what}: got ${a}, expected ${b}`);
};

describe("breakdown tables agree with the pycocotools fixtures", () => {
  for (const c of fixtureCases()) {
    it(`${c.name}: per category, per size, PR curves`, () => {
      const e = c.expected;
      const { gt, dt } = cocoLoadFiles(c.gtFile, c.dtFile);
      const ev = cocoEvaluate(gt, dt);
      const cats = evalPerCategoryTable(ev).objects() as any[];
      for (const row of cats) {
        close(row.AP, e.per_category_ap[String(row.categoryId)], `AP cat ${row.categoryId}`);
        close(row.AP50, e.per_category_ap50[String(row.categoryId)], `AP50 cat ${row.categoryId}`);
      }
      // Class-agnostic evaluations are matched again per category for this table.
      const agn = evalPerCategoryTable(cocoEvaluate(gt, dt, { classAgnostic: true })).objects() as any[];
      agn.forEach((row) => close(row.AP, e.per_category_ap[String(row.categoryId)], `agnostic table AP cat ${row.categoryId}`));

      const sizes = evalPerSizeTable(ev).objects() as any[];
      const byLabel = Object.fromEntries(e.stats_default_labels.map((l: string, i: number) => [l, e.stats_default[i]]));
      for (const row of sizes) {
        close(row.AP, byLabel[`AP@[.50:.95]|${row.area}|100`], `size ${row.area} AP`);
        close(row.AR, byLabel[`AR@[.50:.95]|${row.area}|100`], `size ${row.area} AR`);
      }
      close(sizes[0].AP50, byLabel["AP@.50|all|100"], "size all AP50");

      const pr = evalPrCurves(ev, { by: "area", iouThr: 0.5 }).objects() as any[];
      const all = pr.filter((r) => r.group === "all");
      expect(all.length).toBe(101);
      // Every category has all 101 points or none, so the mean of the averaged curve is AP50.
      expect(Math.abs(all.reduce((s, r) => s + r.precision, 0) / 101 - byLabel["AP@.50|all|100"])).toBeLessThan(1e-12);
      expect(all.every((r, i) => i === 0 || r.precision <= all[i - 1].precision)).toBe(true);
    }, 600_000);
  }
});

describe("per-domain breakdown", () => {
  const synth = evalSynthCase({ images: 60, gtPerImage: 20, categories: 3, domains: ["uav", "remote", "micro"], seed: 5, domainQuality: { micro: 0.5 } });
  const gt = cocoLoadGt(synth.gt);
  const dt = cocoLoadDt(synth.dt, gt);

  it("equals evaluating each domain's images on their own", () => {
    for (const protocol of ["coco", "p2sod"] as const) {
      const ev = cocoEvaluate(gt, dt, { protocol });
      const rows = evalPerDomainTable(ev).objects() as any[];
      expect(rows.map((r) => r.domain)).toEqual(["micro", "remote", "uav"]);
      for (const row of rows) {
        const ids = new Set(synth.gt.images.filter((i) => i.domain === row.domain).map((i) => i.id));
        const sub = {
          ...synth.gt, images: synth.gt.images.filter((i) => ids.has(i.id)),
          annotations: synth.gt.annotations.filter((a) => ids.has(a.image_id)),
        };
        const g2 = cocoLoadGt(sub);
        const alone = cocoEvaluate(g2, cocoLoadDt(synth.dt.filter((d) => ids.has(d.image_id)), g2), { protocol });
        expect(row.images).toBe(ids.size);
        for (const [label, v] of Object.entries(alone.results.stats)) expect(row[label]).toBe(v);
      }
      const curves = evalPrCurves(ev, { by: "domain" }).objects() as any[];
      expect(new Set(curves.map((r) => r.group))).toEqual(new Set(["micro", "remote", "uav"]));
    }
  });

  it("results carry params, fingerprints and version; comparability is checked", () => {
    const a = cocoEvaluate(gt, dt, { protocol: "p2sod" }).results;
    const b = cocoEvaluate(gt, cocoLoadDt(synth.dt.slice(1), gt), { protocol: "p2sod" }).results;
    expect(a.fingerprint.gt).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(a.fingerprint.gt).toBe(b.fingerprint.gt);
    expect(a.fingerprint.dt).not.toBe(b.fingerprint.dt);
    expect(a.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(a.params.useCats).toBe(false);
    expect(evalResultsComparable(a, b)).toEqual([]);
    const c = cocoEvaluate(gt, dt, { protocol: "coco" }).results;
    expect(evalResultsComparable(a, c).join(" ")).toMatch(/protocol differs/);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });
});

describe("tiny-box extras", () => {
  const gtJson = {
    images: [{ id: 1 }],
    categories: [{ id: 1 }],
    annotations: [
      { id: 1, image_id: 1, category_id: 1, bbox: [10, 10, 8, 8], area: 64, iscrowd: 0 },
      { id: 2, image_id: 1, category_id: 1, bbox: [100, 100, 4, 4], area: 16, iscrowd: 0 },
    ],
  };
  // Detection 1: shifted 1 px (IoU 56/72); detection 2: a 4 px box shifted 2 px (IoU 8/24 < .5).
  const dtJson = [
    { image_id: 1, category_id: 1, bbox: [11, 10, 8, 8], score: 0.9 },
    { image_id: 1, category_id: 1, bbox: [102, 100, 4, 4], score: 0.8 },
  ];
  const gt = cocoLoadGt(gtJson);
  const dt = cocoLoadDt(dtJson, gt);

  it("centre offsets of matched pairs per size bin", () => {
    const rows = evalCentreOffsets(gt, dt).objects() as any[];
    const tiny = rows.find((r) => r.bin === "tiny");
    const vt = rows.find((r) => r.bin === "verytiny");
    expect(tiny.pairs).toBe(0);
    expect(vt.pairs).toBe(1); // area 64 is the first bin holding it (both ends inclusive)
    expect(vt.meanPx).toBe(1);
    expect(vt.meanRel).toBe(1 / 8);
  });

  it("NWD matcher: exp(-W2/C) and its own labelled numbers", () => {
    expect(evalNwdXywh(0, 0, 8, 8, 1, 0, 8, 8)).toBe(Math.exp(-1 / 12.8));
    expect(evalNwdXywh(0, 0, 8, 8, 1, 0, 6, 8, 2)).toBe(Math.exp(-1 / 2)); // same centre, widths differ by 2
    const nwd = evalNwdStats(gt, dt);
    const iou = cocoEvaluate(gt, dt, { protocol: "aitod" }).results.stats;
    expect(Object.keys(nwd).every((k) => k.startsWith("NWD-"))).toBe(true);
    // The 2 px shift of a 4 px box fails IoU .5 but passes NWD .5 (exp(-2/12.8) > .5).
    expect(nwd["NWD-AR@[.50:.95]|all|1500"]! > iou["AR@[.50:.95]|all|1500"]!).toBe(true);
    expect(nwd["NWD-AP@.50|all|1500"]).toBe(1);
    expect(iou["AP@.50|all|1500"]).toBeLessThan(1);
  });
});
