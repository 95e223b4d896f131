import { describe, expect, it } from "vitest";
import {
  Points,
  createDetections,
  detectionBoxes,
  detectionOrder,
  concatDetections,
  emptyDetections,
  selectDetections,
  translateDetections,
} from "../../src/structures/index.js";

describe("Detections", () => {
  const d = createDetections(new Float32Array([0, 0, 4, 4, 1, 1, 2, 2]), new Float32Array([0.2, 0.9]), new Int32Array([1, 2]));
  it("defaults click indices to -1 and checks lengths", () => {
    expect(Array.from(d.clickIndex)).toEqual([-1, -1]);
    expect(() => createDetections(new Float32Array(4), new Float32Array(2), new Int32Array(2))).toThrow(/expected 8/);
    expect(emptyDetections().length).toBe(0);
  });
  it("orders, selects, translates and concatenates", () => {
    expect(detectionOrder(d)).toEqual([1, 0]);
    expect(detectionOrder(d, 1)).toEqual([1]);
    const s = selectDetections(d, [1]);
    expect(Array.from(s.boxesXyxy)).toEqual([1, 1, 2, 2]);
    expect(Array.from(translateDetections(d, 10, 20).boxesXyxy)).toEqual([10, 20, 14, 24, 11, 21, 12, 22]);
    expect(Array.from(d.boxesXyxy)).toEqual([0, 0, 4, 4, 1, 1, 2, 2]);
    const c = concatDetections([{ detections: d }, { detections: s, dx: 100 }]);
    expect(c.length).toBe(3);
    expect(Array.from(c.categoryIds)).toEqual([1, 2, 2]);
    expect(Array.from(c.boxesXyxy.subarray(8))).toEqual([101, 1, 102, 2]);
    expect(detectionBoxes(d).to("xywh").get(0)).toEqual([0, 0, 4, 4]);
  });
});

describe("Points", () => {
  it("holds points and category ids", () => {
    const p = Points.from([[1.5, 2.5], [3, 4]], "px", [7, 8]);
    expect(p.length).toBe(2);
    expect(p.get(1)).toEqual([3, 4]);
    expect(p.translate(1, 1).get(0)).toEqual([2.5, 3.5]);
    expect(Array.from(Points.from([[0, 0]]).categoryIds)).toEqual([-1]);
  });
});
