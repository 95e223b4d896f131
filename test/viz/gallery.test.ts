import { describe, expect, it } from "vitest";
import type { Detections } from "../../src/structures/index.js";
import { galleryTiles, gallerySvg, type GalleryTile } from "../../src/viz/gallery.js";

function list(boxes: number[][], scores: number[], cats: number[]): Detections {
  return {
    length: boxes.length,
    boxesXyxy: Float32Array.from(boxes.flat()),
    scores: Float32Array.from(scores),
    categoryIds: Int32Array.from(cats),
    clickIndex: new Int32Array(boxes.length),
  };
}
const image = { width: 120, height: 80, data: new Uint8Array(120 * 80 * 3).fill(90) };
// Image 1: TP on gt0, FP 0.7 and FP 0.95, gt1 (6x6) and gt2 (10x12) missed.
const src1 = {
  imageId: 1, image, domain: "uav",
  detections: list([[10, 10, 20, 20], [40, 40, 46, 46], [70, 10, 76, 16]], [0.9, 0.7, 0.95], [1, 1, 2]),
  groundTruth: { gtBoxesXyxy: [10, 10, 20, 20, 90, 60, 96, 66, 100, 5, 110, 17], gtCategoryIds: [1, 2, 1] },
};
const src2 = {
  imageId: 2, image, domain: "microscopy",
  detections: list([[5, 5, 9, 9]], [0.5], [2]),
  groundTruth: { gtBoxesXyxy: [5, 5, 9, 9], gtCategoryIds: [2] },
};

describe("galleryTiles", () => {
  it("errors: most confident false positives first, then the largest missed objects", () => {
    const tiles = galleryTiles([src1, src2]);
    const fp = tiles.filter((t) => t.group === "most confident false positives");
    const fn = tiles.filter((t) => t.group === "largest missed objects");
    expect(fp.map((t) => t.caption.slice(0, 7))).toEqual(["FP 0.95", "FP 0.70"]);
    expect(fn.map((t) => t.caption.split(" ")[1])).toEqual(["10x12", "6x6"]);
    expect(tiles).toHaveLength(4); // true positives are not errors
  });

  it("per category and per domain, errors before true positives, cut to perGroup", () => {
    const byCat = galleryTiles([src1, src2], { by: "category", perGroup: 2, categoryNames: { 1: "car" } });
    expect([...new Set(byCat.map((t) => t.group))]).toEqual(["car", "cat 2"]);
    expect(byCat.filter((t) => t.group === "car").map((t) => t.caption.slice(0, 2))).toEqual(["FP", "FN"]);
    const byDomain = galleryTiles([src1, src2], { by: "domain", perGroup: 10 });
    expect(byDomain.filter((t) => t.group === "microscopy").map((t) => t.caption.slice(0, 2))).toEqual(["TP"]);
    expect(byDomain.filter((t) => t.group === "uav")).toHaveLength(5);
  });

  it("crops a square of context around tiny boxes (at least minCropPx)", () => {
    const t = galleryTiles([src1], { minCropPx: 32 }).find((x) => x.caption.startsWith("FN 6x6"))!;
    expect(t.cropXyxy).toEqual([77, 47, 109, 79]);
  });
});

describe("gallerySvg", () => {
  it("draws a header per group and one tile per item, with its boxes", () => {
    const tiles = galleryTiles([src1, src2], { by: "domain" });
    const svg = gallerySvg(tiles, new Map([[1, image], [2, image]]), { title: "by domain" });
    expect((svg.match(/class="group"/g) ?? []).length).toBe(2);
    expect((svg.match(/class="tile"/g) ?? []).length).toBe(6);
    expect((svg.match(/class="tile-box tile-gt"/g) ?? []).length).toBe(2);
    expect(svg).toContain("by domain");
  });

  it("takes the analysis module's ErrorGalleryItem shape as is", () => {
    const item: GalleryTile & { errorType: string; rank: number } = {
      imageId: 7, errorType: "localisation", rank: 1, caption: "localisation #1",
      cropXyxy: [0, 0, 32, 32], boxes: [{ boxXyxy: [4, 4, 12, 12], kind: "det", label: "1 0.80" }],
    };
    const svg = gallerySvg([item], (id) => (id === 7 ? image : undefined));
    expect(svg).toContain("localisation #1");
    expect(() => gallerySvg([{ ...item, imageId: 8 }], () => undefined)).toThrow(/imageId 8/);
  });
});
