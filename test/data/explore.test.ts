import { describe, expect, it } from "vitest";
import { Dataset } from "../../src/data/dataset.js";
import { annotationSizeRows, annotationSizeTable, exploreSizeBin, summarizeCategories, summarizeDomains, compareDatasets } from "../../src/data/index.js";

// A hand-made COCO object: expected values below are counted by hand, not computed by the code under test.
const coco = {
  images: [
    { id: 1, file_name: "a.png", width: 100, height: 100, domain: "uav" },
    { id: 2, file_name: "b.png", width: 100, height: 100, domain: "uav" },
    { id: 3, file_name: "c.png", width: 100, height: 100, domain: "microscopy" },
    { id: 4, file_name: "d.png", width: 100, height: 100, domain: "agriculture" },
  ],
  categories: [
    { id: 1, name: "car", supercategory: "uav" },
    { id: 2, name: "bus", supercategory: "uav", heldOut: true },
    { id: 3, name: "cell", supercategory: "microscopy" },
  ],
  annotations: [
    { id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 4, 4], area: 16 }, // 16 px^2: veryTiny
    { id: 2, image_id: 1, category_id: 1, bbox: [10, 10, 8, 8], area: 64 }, // 64: tiny (half-open bins)
    { id: 3, image_id: 2, category_id: 2, bbox: [0, 0, 20, 20], area: 400 }, // small
    { id: 4, image_id: 2, category_id: 1, bbox: [30, 30, 40, 30], area: 1200 }, // medium
    { id: 5, image_id: 2, category_id: 1, bbox: [50, 50, 3, 3], area: 9, ignore: 1 }, // ignore region
    { id: 6, image_id: 3, category_id: 3, bbox: [1, 1, 16, 16], area: 256 }, // 256: small
  ],
};

describe("exploreSizeBin", () => {
  it("uses the AI-TOD edges 64, 256, 1024 px^2, half-open", () => {
    expect([0, 63.9, 64, 255.9, 256, 1023, 1024, 1e6].map(exploreSizeBin)).toEqual(["veryTiny", "veryTiny", "tiny", "tiny", "small", "small", "medium", "medium"]);
  });
});

describe("annotationSizeTable", () => {
  it("has one row per annotation with domain, category and bin", () => {
    const rows = annotationSizeRows(coco);
    expect(rows).toHaveLength(6);
    expect(rows[2]).toMatchObject({ domain: "uav", category: "bus", heldOut: true, area: 400, side: 20, sizeBin: "small" });
    expect(rows[4]!.ignore).toBe(true);
    expect(annotationSizeTable(coco).numRows()).toBe(6);
  });

  it("gives the same rows from a Dataset as from the COCO object", () => {
    const fromDs = annotationSizeRows(Dataset.fromCoco(coco));
    expect(fromDs.map((r) => [r.imageId, r.category, r.sizeBin, r.ignore])).toEqual(annotationSizeRows(coco).map((r) => [r.imageId, r.category, r.sizeBin, r.ignore]));
  });
});

describe("summarizeDomains", () => {
  it("counts images, instances (ignore regions apart), categories and bins per domain", () => {
    const rows = summarizeDomains(coco).objects();
    expect(rows).toEqual([
      { domain: "uav", images: 2, instances: 4, categories: 2, perImage: 2, veryTiny: 1, tiny: 1, small: 1, medium: 1, medianSide: 14, ignored: 1 },
      { domain: "microscopy", images: 1, instances: 1, categories: 1, perImage: 1, veryTiny: 0, tiny: 0, small: 1, medium: 0, medianSide: 16, ignored: 0 },
      { domain: "agriculture", images: 1, instances: 0, categories: 0, perImage: 0, veryTiny: 0, tiny: 0, small: 0, medium: 0, medianSide: 0, ignored: 0 },
    ]);
  });

  it("works on a Dataset too", () => {
    expect(summarizeDomains(Dataset.fromCoco(coco)).objects()).toEqual(summarizeDomains(coco).objects());
  });
});

describe("summarizeCategories", () => {
  it("counts instances and images per category, held-out flag kept, empty categories listed", () => {
    const rows = summarizeCategories(coco).objects() as Record<string, unknown>[];
    expect(rows.map((r) => [r.category, r.domain, r.heldOut, r.instances, r.images])).toEqual([
      ["car", "uav", false, 3, 2],
      ["bus", "uav", true, 1, 1],
      ["cell", "microscopy", false, 1, 1],
    ]);
  });
});

describe("compareDatasets", () => {
  it("reports equal boxes as a zero difference and a changed box by its size", () => {
    const a = Dataset.fromCoco(coco);
    const moved = { ...coco, annotations: coco.annotations.map((x) => (x.id === 2 ? { ...x, bbox: [10.5, 10, 8, 8] } : x)) };
    const same = compareDatasets(a, Dataset.fromCoco(coco)).objects() as Record<string, unknown>[];
    expect(same.map((r) => r.maxCoordDiffPx)).toEqual([0, 0, 0, 0]);
    const diff = compareDatasets(a, Dataset.fromCoco(moved)).objects() as Record<string, unknown>[];
    expect(diff[0]).toMatchObject({ file: "a.png", boxes: 2, boxesAfter: 2, maxCoordDiffPx: 0.5, sameCategories: true });
    expect(diff[1]).toMatchObject({ boxes: 2, ignoreRegions: 1 });
  });
});
