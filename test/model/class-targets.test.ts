import { describe, expect, it } from "vitest";
import { classTargets, type BatchSample } from "../../src/model/index.js";

// Class-prior targets (DEAL with classPrior): each object's Gaussian in its class's channel, centre cell exactly 1;
// categories that are not training classes (procedural novel kinds) and ignored objects add nothing.
describe("classTargets", () => {
  const obj = (x: number, y: number, s: number, categoryId: number, ignore = false) => ({ x1: x, y1: y, x2: x + s, y2: y + s, categoryId, ignore });
  const sample = (objects: ReturnType<typeof obj>[]): BatchSample => ({ objects, prompts: [], seed: 0 }) as unknown as BatchSample;
  const g = 16, nc = 2;
  const classOf = new Map([[7, 0], [9, 1]]);
  const at = (t: Float32Array, b: number, x: number, y: number, c: number) => t[((b * g + y) * g + x) * nc + c]!;

  it("puts each object in its class channel and leaves novel kinds and ignored objects out", () => {
    // 4 px objects: centre cells (stride 2) at (2, 2), (10, 6) and (12, 12).
    const t = classTargets([sample([obj(2, 2, 4, 7), obj(18, 10, 4, 9), obj(22, 22, 4, 123)]), sample([obj(2, 2, 4, 9, true)])], g, nc, classOf);
    expect(t.length).toBe(2 * g * g * nc);
    expect(at(t, 0, 2, 2, 0)).toBe(1);
    expect(at(t, 0, 2, 2, 1)).toBe(0);
    expect(at(t, 0, 10, 6, 1)).toBe(1);
    expect(at(t, 0, 10, 6, 0)).toBe(0);
    // The Gaussian's std for a 2x2-cell object is max(0.5, 0.15 * 2) = 0.5 cells: one cell off is exp(-2).
    expect(at(t, 0, 3, 2, 0)).toBeCloseTo(Math.exp(-2), 6);
    expect(at(t, 0, 12, 12, 0) + at(t, 0, 12, 12, 1)).toBe(0); // novel category 123
    expect(t.subarray(g * g * nc).every((v) => v === 0)).toBe(true); // the ignored object
  });
});
