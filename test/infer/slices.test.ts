import { describe, expect, it } from "vitest";
import { bestSliceFor, cropImage, sliceRects } from "../../src/infer/slices.js";

describe("sliceRects", () => {
  it("covers every pixel, stays inside the image and ends flush with the edges", () => {
    const w = 1000, h = 600;
    const rects = sliceRects(w, h, 256, 0.2);
    const covered = new Uint8Array(w * h);
    for (const r of rects) {
      expect(r.x).toBeGreaterThanOrEqual(0);
      expect(r.x + r.width).toBeLessThanOrEqual(w);
      expect(r.y + r.height).toBeLessThanOrEqual(h);
      for (let y = r.y; y < r.y + r.height; y++) covered.fill(1, y * w + r.x, y * w + r.x + r.width);
    }
    expect(covered.every((v) => v === 1)).toBe(true);
    // step = floor(256 * 0.8) = 204: x starts 0, 204, 408, 612 and 744 (flush); y starts 0, 204 and 344.
    expect(new Set(rects.map((r) => r.x))).toEqual(new Set([0, 204, 408, 612, 744]));
    expect(new Set(rects.map((r) => r.y))).toEqual(new Set([0, 204, 344]));
    expect(rects).toHaveLength(15);
  });

  it("is one slice for an image smaller than a slice", () => {
    expect(sliceRects(100, 80, 256, 0.2)).toEqual([{ x: 0, y: 0, width: 100, height: 80 }]);
  });

  it("rejects bad sizes and overlaps", () => {
    expect(() => sliceRects(100, 100, 0, 0.2)).toThrow(/sliceSize/);
    expect(() => sliceRects(100, 100, 64, 1)).toThrow(/overlap/);
  });
});

describe("cropImage and bestSliceFor", () => {
  it("copies the right pixels", () => {
    const img = { width: 4, height: 3, data: Uint8Array.from({ length: 36 }, (_, i) => i) };
    const c = cropImage(img, { x: 1, y: 1, width: 2, height: 2 });
    expect(Array.from(c.data)).toEqual([15, 16, 17, 18, 19, 20, 27, 28, 29, 30, 31, 32]);
  });

  it("picks the slice where the point is most central", () => {
    const rects = sliceRects(1000, 256, 256, 0.2);
    expect(bestSliceFor(rects, 250, 128)).toBe(1); // 6 px from slice 0's right edge, 46 px inside slice 1 (x 204..460)
    expect(bestSliceFor(rects, 10, 128)).toBe(0);
  });
});
