import { describe, expect, it } from "vitest";
import { tileGrid } from "../../src/data/tiling.js";
import { detectSliced } from "../../src/infer/sliced.js";
import { bestSliceFor } from "../../src/infer/slices.js";
import { ColourDetector } from "./colour-detector.js";

describe("bestSliceFor", () => {
  it("picks the slice where the point is most central", () => {
    const rects = tileGrid(1000, 256, { sliceSize: 256, overlap: 0.2 }); // x starts 0, 204, 408, 612, 744
    expect(bestSliceFor(rects, 250, 128)).toBe(1); // 6 px from slice 0's right edge, 46 px inside slice 1
    expect(bestSliceFor(rects, 10, 128)).toBe(0);
    expect(bestSliceFor(rects, 1001, 128)).toBe(-1);
  });
});

describe("detectSliced's grid", () => {
  it("covers every pixel of the image with slices of the requested size, inside the image", async () => {
    const w = 1000, h = 600;
    const image = { width: w, height: h, data: new Uint8Array(w * h * 3) };
    const { slices } = await detectSliced(new ColourDetector(), image, [], { sliceSize: 256, overlap: 0.2 });
    const covered = new Uint8Array(w * h);
    for (const r of slices) {
      expect([r.width, r.height]).toEqual([256, 256]);
      expect(r.x + r.width).toBeLessThanOrEqual(w);
      expect(r.y + r.height).toBeLessThanOrEqual(h);
      for (let y = r.y; y < r.y + r.height; y++) covered.fill(1, y * w + r.x, y * w + r.x + r.width);
    }
    expect(covered.every((v) => v === 1)).toBe(true);
    expect(slices).toHaveLength(5 * 3);
  });

  it("rejects bad slice sizes and overlaps", async () => {
    const image = { width: 100, height: 100, data: new Uint8Array(30000) };
    await expect(detectSliced(new ColourDetector(), image, [], { sliceSize: 0 })).rejects.toThrow(/sliceSize/);
    await expect(detectSliced(new ColourDetector(), image, [], { sliceSize: 64, overlap: 1 })).rejects.toThrow(/overlap/);
  });
});
