import { describe, expect, it } from "vitest";
import { apHeatmapSpec, confusionHeatmapSpec, dapBarsSpec, errorGalleryItems } from "../../src/viz/errors.js";

async function compiles(spec: object): Promise<void> {
  const vl = await import("vega-lite");
  expect(() => vl.compile(spec as never)).not.toThrow();
}

const breakdown = [
  { domain: "uav", sizeBin: "all", errorType: "localisation", dAP: 0.25, count: 3, ap: 0.5 },
  { domain: "uav", sizeBin: "all", errorType: "missed", dAP: 0.1, count: 2, ap: 0.5 },
  { domain: "uav", sizeBin: "tiny", errorType: "missed", dAP: 0.3, count: 2, ap: 0.2 },
  { domain: "farm", sizeBin: "all", errorType: "missed", dAP: NaN, count: 0, ap: NaN },
];

describe("error charts", () => {
  it("dAP bars: one bar per domain and type, size 'all' only, in AP points, NaN as null", async () => {
    const spec = dapBarsSpec(breakdown) as { data: { values: Record<string, unknown>[] }; encoding: Record<string, { field: string }> };
    expect(spec.data.values).toHaveLength(3);
    expect(spec.data.values[0]!.dAP100).toBe(25);
    expect(spec.data.values[2]!.dAP100).toBeNull();
    expect(spec.encoding.x!.field).toBe("domain");
    expect(spec.encoding.xOffset!.field).toBe("errorType");
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
    await compiles(spec);
  });

  it("AP heatmap: domain x size bin, values x100, empty cells null", async () => {
    const spec = apHeatmapSpec([
      { domain: "uav", sizeBin: "tiny", ap: 0.42, numGt: 3 },
      { domain: "uav", sizeBin: "small", ap: NaN, numGt: 0 },
    ]) as { data: { values: { value: number | null }[] } };
    expect(spec.data.values.map((v) => v.value)).toEqual([42, null]);
    await compiles(spec);
  });

  it("confusion heatmap names categories and background", async () => {
    const spec = confusionHeatmapSpec([{ gtCategoryId: 1, detCategoryId: -1, count: 2, fraction: 1 }], { 1: "car" }) as { data: { values: { gt: string; detected: string }[] } };
    expect(spec.data.values[0]).toMatchObject({ gt: "car", detected: "(none)" });
    await compiles(spec);
  });
});

describe("errorGalleryItems", () => {
  it("crops around the error with context, drawing both boxes", () => {
    const [item] = errorGalleryItems([
      { errorType: "localisation", rank: 1, imageId: 3, score: 0.8, iou: 0.33, categoryId: 1, gtCategoryId: 1, areaPx2: 100, detBoxXyxy: [25, 0, 35, 10], gtBoxXyxy: [20, 0, 30, 10] },
    ]);
    // Union box [20, 0, 35, 10]: larger side 15 -> crop side max(32, 3 * 15) = 45 around (27.5, 5).
    expect(item!.cropXyxy).toEqual([5, -17.5, 50, 27.5]);
    expect(item!.boxes.map((b) => b.kind)).toEqual(["gt", "det"]);
    expect(item!.caption).toContain("IoU 0.33");
  });

  it("uses the minimum crop for tiny missed objects", () => {
    const [item] = errorGalleryItems([{ errorType: "missed", rank: 1, imageId: 3, score: NaN, iou: 0, categoryId: 1, gtCategoryId: 1, areaPx2: 4, detBoxXyxy: null, gtBoxXyxy: [10, 10, 12, 12] }]);
    expect(item!.cropXyxy).toEqual([-5, -5, 27, 27]);
    expect(item!.boxes).toHaveLength(1);
  });
});
