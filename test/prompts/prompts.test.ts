import { describe, expect, it } from "vitest";
import { CLICK_SAMPLERS, centerClick, clickSampler, edgeClick, gaussianClick, uniformClick } from "../../src/prompts/samplers.js";
import { parsePromptSetting, samplePromptSet } from "../../src/prompts/prompt-sets.js";
import { pgcppPrompt, pickHardestInstance } from "../../src/prompts/pgcpp.js";
import { Random } from "../../src/util/random.js";
import { makeGroundTruth, type Detections } from "../../src/structures/index.js";

const box = [10, 20, 8, 4] as const;
const inside = (c: { x: number; y: number }, b: readonly number[]) => c.x >= b[0]! && c.x <= b[0]! + b[2]! && c.y >= b[1]! && c.y <= b[1]! + b[3]!;

describe("click samplers", () => {
  it("stay inside the box, and the same seed gives the same clicks", () => {
    expect(centerClick(box)).toEqual({ x: 14, y: 22 });
    for (const name of CLICK_SAMPLERS) {
      const s = clickSampler(name);
      const a = Array.from({ length: 200 }, (_, i) => s(box, new Random(i)));
      expect(a.every((c) => inside(c, box))).toBe(true);
      expect(Array.from({ length: 200 }, (_, i) => s(box, new Random(i)))).toEqual(a);
    }
  });
  it("spread as documented", () => {
    const r = new Random(3);
    const u = Array.from({ length: 2000 }, () => uniformClick(box, r));
    expect(Math.min(...u.map((c) => c.x))).toBeLessThan(10.2);
    expect(Math.max(...u.map((c) => c.x))).toBeGreaterThan(17.8);
    const g = Array.from({ length: 2000 }, () => gaussianClick(box, r, 0.1));
    const mean = g.reduce((a, c) => a + c.x, 0) / g.length;
    expect(mean).toBeCloseTo(14, 1);
    const e = Array.from({ length: 2000 }, () => edgeClick(box, r, 0.15));
    const nearEdge = (c: { x: number; y: number }) => c.x - 10 <= 1.2 + 1e-9 || 18 - c.x <= 1.2 + 1e-9 || c.y - 20 <= 0.6 + 1e-9 || 24 - c.y <= 0.6 + 1e-9;
    expect(e.every(nearEdge)).toBe(true);
    expect(() => clickSampler("middle")).toThrow(/"center", "uniform", "gaussian", "edge"/);
  });
});

describe("prompt sets", () => {
  const inst = makeGroundTruth(1, [
    { bboxXywh: [0, 0, 4, 4], categoryId: 2 }, { bboxXywh: [10, 0, 4, 4], categoryId: 1 },
    { bboxXywh: [20, 0, 4, 4], categoryId: 2 }, { bboxXywh: [30, 0, 4, 4], categoryId: 2 },
    { bboxXywh: [40, 0, 4, 4], categoryId: 3, ignore: true },
  ]);
  it("gives one click per category up to one per instance", () => {
    const one = samplePromptSet(inst, "per-category", new Random(1));
    expect(one.map((c) => c.categoryId)).toEqual([1, 2]);
    expect(samplePromptSet(inst, "per-instance", new Random(1))).toHaveLength(4);
    const two = samplePromptSet(inst, { perCategory: 2 }, new Random(1));
    expect(two.map((c) => c.categoryId)).toEqual([1, 2, 2]);
    expect(new Set(two.slice(1).map((c) => c.x)).size).toBe(2);
    // The ignore region (category 3) is never clicked.
    expect(samplePromptSet(inst, "per-instance", new Random(1)).some((c) => c.categoryId === 3)).toBe(false);
    expect(parsePromptSetting("3")).toEqual({ perCategory: 3 });
    expect(() => parsePromptSetting("many")).toThrow(/per-category/);
  });
});

describe("PG-CPP", () => {
  it("picks the missed object, then the worst localised one", () => {
    const gts = [[0, 0, 10, 10], [50, 50, 10, 10], [100, 100, 4, 4]] as const;
    const preds = new Float32Array([0, 0, 10, 10, 51, 51, 61, 61]);
    expect(pickHardestInstance(gts, preds, new Float32Array([0.9, 0.9]), new Set())).toBe(2);
    expect(pickHardestInstance(gts, preds, new Float32Array([0.9, 0.9]), new Set([2]))).toBe(1);
    expect(pickHardestInstance(gts, preds, new Float32Array([0.9, 0.1]), new Set([2]))).toBe(1);
    expect(pickHardestInstance(gts, preds, new Float32Array([0.9, 0.9]), new Set([0, 1, 2]))).toBe(-1);
  });
  it("clicks the centre of what the detector missed, cycle after cycle", async () => {
    const gts = [[0, 0, 10, 10], [50, 50, 10, 10], [100, 100, 6, 6]] as const;
    const found = new Set<number>();
    const detector = async (clicks: { x: number; y: number }[]): Promise<Detections> => {
      // A fake detector that finds exactly the clicked objects.
      clicks.forEach((c) => gts.forEach((g, i) => { if (c.x >= g[0] && c.x <= g[0] + g[2] && c.y >= g[1] && c.y <= g[1] + g[3]) found.add(i); }));
      const ids = [...found];
      return { length: ids.length, boxesXyxy: new Float32Array(ids.flatMap((i) => [gts[i]![0], gts[i]![1], gts[i]![0] + gts[i]![2], gts[i]![1] + gts[i]![3]])), scores: new Float32Array(ids.map(() => 1)), categoryIds: new Int32Array(ids.length), clickIndex: new Int32Array(ids.length) };
    };
    const { clicks } = await pgcppPrompt(detector, gts, 5, new Random(2), { cycles: 5 });
    expect(clicks).toHaveLength(3);
    expect(clicks.every((c) => c.categoryId === 5)).toBe(true);
    expect(clicks.slice(1).every((c) => gts.some((g) => c.x === g[0] + g[2] / 2 && c.y === g[1] + g[3] / 2))).toBe(true);
  });
});
