import { describe, expect, it } from "vitest";
import { clipBoxesToTile, tileGrid } from "../../src/data/index.js";
import { createDetections, translateDetections } from "../../src/structures/index.js";

describe("tileGrid", () => {
  it("covers the image with overlapping slices that end at the border", () => {
    const tiles = tileGrid(1000, 600, { sliceSize: 512, overlap: 0.2 });
    expect(tiles.map((t) => [t.x, t.y])).toEqual([[0, 0], [409, 0], [488, 0], [0, 88], [409, 88], [488, 88]]);
    expect(tiles.every((t) => t.width === 512 && t.height === 512)).toBe(true);
    expect(tileGrid(300, 200, { sliceSize: 512 })).toEqual([{ x: 0, y: 0, width: 300, height: 200 }]);
    expect(tileGrid(1024, 512, { sliceSize: 512, overlap: 0 }).map((t) => t.x)).toEqual([0, 512]);
    expect(() => tileGrid(10, 10, { overlap: 1 })).toThrow(/overlap/);
  });
});

describe("clipBoxesToTile", () => {
  const tile = { x: 100, y: 100, width: 100, height: 100 };
  // xywh px: inside; half inside (kept at 0.5); 40 % inside (dropped); outside; empty box inside
  const boxes = new Float64Array([110, 120, 10, 10, 190, 150, 20, 10, 196, 150, 10, 10, 0, 0, 5, 5, 150, 150, 0, 0]);
  it("keeps boxes with enough of their area inside, clipped, in tile coordinates", () => {
    const r = clipBoxesToTile(boxes, tile);
    expect(Array.from(r.indices)).toEqual([0, 1, 4]);
    expect(Array.from(r.bboxXywh)).toEqual([10, 20, 10, 10, 90, 50, 10, 10, 50, 50, 0, 0]);
    expect(Array.from(r.visible)).toEqual([1, 0.5, 1]);
    expect(Array.from(clipBoxesToTile(boxes, tile, { minVisible: 0.3 }).indices)).toEqual([0, 1, 2, 4]);
    expect(Array.from(clipBoxesToTile(boxes, tile, { minVisible: 0.9 }).indices)).toEqual([0, 4]);
    expect(boxes[4]).toBe(190);
  });
  it("maps tile detections back by the tile offset", () => {
    const d = createDetections(new Float32Array([1, 2, 3, 4]), new Float32Array([0.5]), new Int32Array([1]));
    expect(Array.from(translateDetections(d, tile.x, tile.y).boxesXyxy)).toEqual([101, 102, 103, 104]);
  });
});
