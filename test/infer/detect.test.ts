import { describe, expect, it } from "vitest";
import { detect } from "../../src/infer/detect.js";
import { DealkitInputError } from "../../src/util/errors.js";
import { ColourDetector, iou4, paintScene, type SceneObject } from "./colour-detector.js";

const RED: [number, number, number] = [220, 30, 30];
const BLUE: [number, number, number] = [30, 30, 220];
const objects: SceneObject[] = [
  { x: 10, y: 10, w: 8, h: 8, rgb: RED },
  { x: 60, y: 20, w: 12, h: 6, rgb: RED },
  { x: 100, y: 90, w: 5, h: 5, rgb: RED },
  { x: 30, y: 70, w: 10, h: 10, rgb: BLUE },
  { x: 90, y: 30, w: 7, h: 9, rgb: BLUE },
];
const image = paintScene(128, 128, objects);
const boxesOf = (d: { length: number; boxesXyxy: Float32Array }) =>
  Array.from({ length: d.length }, (_, i) => Array.from(d.boxesXyxy.subarray(4 * i, 4 * i + 4)));

describe("detect", () => {
  it("one click per category finds every instance of each category in one call", async () => {
    const d = await detect(new ColourDetector(), image, [
      { x: 14, y: 14, categoryId: 1 },
      { x: 35, y: 75, categoryId: 2 },
    ]);
    expect(d.length).toBe(5);
    for (const o of objects) {
      const gt = [o.x, o.y, o.x + o.w, o.y + o.h];
      const i = boxesOf(d).findIndex((b) => iou4(b, gt) > 0.99);
      expect(i).toBeGreaterThanOrEqual(0);
      expect(d.categoryIds[i]).toBe(o.rgb === RED ? 1 : 2);
    }
  });

  it("one click per instance merges the duplicates of one category (NMS) into one box per object", async () => {
    const clicks = objects.map((o) => ({ x: o.x + 2, y: o.y + 2, categoryId: o.rgb === RED ? 1 : 2 }));
    const d = await detect(new ColourDetector(), image, clicks);
    expect(d.length).toBe(5); // the model returns 3 + 3 + 3 + 2 + 2 = 13 boxes before the merge
  });

  it("keeps unlabelled clicks apart: each is its own group, categoryId -1", async () => {
    const d = await detect(new ColourDetector(), image, [{ x: 14, y: 14 }, { x: 62, y: 22 }]);
    expect(d.length).toBe(6);
    expect(Array.from(d.categoryIds).every((c) => c === -1)).toBe(true);
    expect(new Set(d.clickIndex)).toEqual(new Set([0, 1]));
  });

  it("applies the score threshold and top-k, best first", async () => {
    // A filled rectangle scores 1.0; make one object an L shape (fill 0.75 -> score 0.875).
    const img = paintScene(64, 64, [
      { x: 5, y: 5, w: 8, h: 8, rgb: RED },
      { x: 30, y: 30, w: 8, h: 4, rgb: RED },
      { x: 30, y: 34, w: 4, h: 4, rgb: RED },
      { x: 50, y: 5, w: 6, h: 6, rgb: RED },
    ]);
    const all = await detect(new ColourDetector(), img, [{ x: 6, y: 6, categoryId: 0 }]);
    expect(all.length).toBe(3);
    const high = await detect(new ColourDetector(), img, [{ x: 6, y: 6, categoryId: 0 }], { scoreThreshold: 0.9 });
    expect(high.length).toBe(2);
    const top1 = await detect(new ColourDetector(), img, [{ x: 6, y: 6, categoryId: 0 }], { topK: 1 });
    expect(top1.length).toBe(1);
    expect(top1.scores[0]).toBe(1);
  });

  it("throws a DealkitInputError naming the click index and coordinates for a click outside the image", async () => {
    const run = () => detect(new ColourDetector(), image, [{ x: 5, y: 5 }, { x: 130, y: -2 }]);
    await expect(run()).rejects.toBeInstanceOf(DealkitInputError);
    await expect(run()).rejects.toThrow(/click #1.*\(130, -2\).*128x128/);
    await expect(detect(new ColourDetector(), image, [{ x: NaN, y: 1 }])).rejects.toThrow(/click #0/);
  });

  it("returns what the model finds for a click on an empty area: here an empty list, not an error", async () => {
    const d = await detect(new ColourDetector(), image, [{ x: 120, y: 5, categoryId: 3 }]);
    expect(d.length).toBe(0);
  });

  it("does not modify the caller's clicks", async () => {
    const clicks = Object.freeze([Object.freeze({ x: 14, y: 14, categoryId: 1 })]);
    await detect(new ColourDetector(), image, clicks);
    expect(clicks[0]).toEqual({ x: 14, y: 14, categoryId: 1 });
  });
});
