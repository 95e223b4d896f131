import { describe, expect, it } from "vitest";
import type { Detections } from "../../src/structures/index.js";
import { plotlySceneFigure } from "../../src/viz/plotly-scene.js";
import { Random } from "../../src/util/random.js";

function randomList(n: number, cats: number, rng: Random): Detections {
  const boxes: number[] = [], scores: number[] = [], ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = rng.uniform(0, 3900), y = rng.uniform(0, 3900);
    boxes.push(x, y, x + rng.uniform(3, 30), y + rng.uniform(3, 30));
    scores.push(rng.next());
    ids.push(rng.int(cats));
  }
  return { length: n, boxesXyxy: Float32Array.from(boxes), scores: Float32Array.from(scores), categoryIds: Int32Array.from(ids), clickIndex: new Int32Array(n) };
}
const big = { width: 4000, height: 4000, data: new Uint8Array(4000 * 4000 * 3).fill(60) };

describe("plotlySceneFigure", () => {
  it("puts thousands of boxes in two WebGL traces per category (above 8000 boxes), with hover text at box centres", () => {
    const dets = randomList(8001, 3, new Random(1));
    const fig = plotlySceneFigure(big, dets, { categoryNames: { 0: "car" }, clicks: [{ x: 10, y: 20, categoryId: 0 }] });
    expect(fig.data).toHaveLength(3 * 2 + 1);
    expect(fig.data.every((t) => t.type === "scattergl")).toBe(true);
    const lines = fig.data.filter((t) => t.mode === "lines");
    expect(lines.reduce((s, t) => s + (t.x as unknown[]).length, 0)).toBe(8001 * 6);
    const markers = fig.data.filter((t) => t.mode === "markers" && t.name !== "clicks");
    expect(markers.reduce((s, t) => s + (t.text as unknown[]).length, 0)).toBe(8001);
    const first = (markers[0]!.text as string[])[0]!;
    expect(first).toMatch(/^car score 0\.\d{2}, [\d.]+x[\d.]+ px$/);
    expect(fig.data.at(-1)!.name).toBe("clicks");
  });

  it("shows the image as a downscaled layout image in full-resolution coordinates, y pointing down", () => {
    const fig = plotlySceneFigure(big, randomList(3, 1, new Random(2)), { imageMaxSide: 1024, embedFormat: "png" });
    expect(fig.data.every((t) => t.type === "scatter")).toBe(true); // SVG, plotly.js's cartesian build, up to 8000 boxes
    const img = (fig.layout.images as Record<string, unknown>[])[0]!;
    expect([img.sizex, img.sizey, img.xref, img.yref, img.layer]).toEqual([4000, 4000, "x", "y", "below"]);
    const png = Buffer.from(String(img.source).split(",")[1]!, "base64");
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1024, 1024]);
    expect((fig.layout.yaxis as Record<string, unknown>).range).toEqual([4000, 0]);
    expect(fig.config.scrollZoom).toBe(true);
  });

  it("with ground truth, splits the boxes into TP, FP and FN traces", () => {
    const dets: Detections = { length: 2, boxesXyxy: Float32Array.from([0, 0, 10, 10, 50, 50, 60, 60]), scores: Float32Array.from([0.9, 0.8]), categoryIds: Int32Array.from([1, 1]), clickIndex: new Int32Array(2) };
    const fig = plotlySceneFigure({ width: 100, height: 100, data: new Uint8Array(30000) }, dets, { groundTruth: { gtBoxesXyxy: [0, 0, 10, 10, 80, 80, 90, 90] } });
    const names = fig.data.filter((t) => t.mode === "lines").map((t) => t.name);
    expect(names).toEqual(["TP (1)", "FP (1)", "FN (missed) (1)"]);
    expect(JSON.parse(JSON.stringify(fig)).data[4].line.dash).toBe("dash");
  });
});
