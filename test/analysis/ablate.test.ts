import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runAblation, type AblationClickSampler, type AblationData, type AblationOptions } from "../../src/analysis/ablate.js";
import { ablationGrid, cellId, type AblationCell } from "../../src/analysis/ablate-grid.js";
import { runTide } from "../../src/analysis/tide.js";
import type { Click, Detections } from "../../src/structures/index.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-ablate-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A fake detector: one 10x10 box centred on each click, score 0.9, the click's category. */
function fakeDetector() {
  const calls: Click[][] = [];
  return {
    calls,
    async detect(_img: unknown, clicks: readonly Click[]): Promise<Detections> {
      calls.push(clicks.slice());
      const n = clicks.length;
      return {
        length: n,
        boxesXyxy: Float32Array.from(clicks.flatMap((c) => [c.x - 5, c.y - 5, c.x + 5, c.y + 5])),
        scores: new Float32Array(n).fill(0.9),
        categoryIds: Int32Array.from(clicks.map((c) => c.categoryId ?? -1)),
        clickIndex: Int32Array.from(clicks.map((_, i) => i)),
      };
    },
  };
}

const sampler: AblationClickSampler = (b, position, jitter, rng) => {
  const cx = (b[0] + b[2]) / 2, cy = (b[1] + b[3]) / 2, w = b[2] - b[0], h = b[3] - b[1];
  if (position === "center") return { x: cx, y: cy };
  if (position === "edge") return { x: b[0], y: cy };
  if (position === "gaussian") return { x: cx + rng.normal() * jitter * w, y: cy + rng.normal() * jitter * h };
  return { x: rng.uniform(b[0], b[2]), y: rng.uniform(b[1], b[3]) };
};

// Image 1: three category-1 objects (seen) and one category-7 object (held out). Image 2: one category-1 object.
const box = (x: number, y: number) => [x, y, x + 10, y + 10];
const data: AblationData = {
  images: [
    { imageId: 1, width: 100, height: 100, loadImage: () => ({ width: 100, height: 100, data: new Uint8Array(30000) }),
      gtBoxesXyxy: Float64Array.from([...box(0, 0), ...box(30, 0), ...box(60, 0), ...box(0, 50)]), gtCategoryIds: Int32Array.from([1, 1, 1, 7]) },
    { imageId: 2, width: 100, height: 100, loadImage: () => ({ width: 100, height: 100, data: new Uint8Array(30000) }),
      gtBoxesXyxy: Float64Array.from(box(40, 40)), gtCategoryIds: Int32Array.from([1]) },
  ],
  seenCategoryIds: [1],
  heldOutCategoryIds: [7],
};

const evaluate = (images: Parameters<AblationOptions["evaluate"]>[0]) => ({ ap50: runTide(images, { classAgnostic: true }).ap });
const cell = (c: Partial<AblationCell>): AblationCell => ({ position: "center", jitter: 0, clicksPerCategory: 1, source: "groundTruth", split: "seen", ...c });

function options(over: Partial<AblationOptions> & { detector: AblationOptions["detector"] }): AblationOptions {
  return { modelFingerprint: "fake-v1", data, evaluate, sampleClick: sampler, grid: [cell({})], seeds: [0, 1, 2], cacheDir: false, ...over };
}

const ap = (r: { summary: { objects(): unknown[] } }, id: string) =>
  (r.summary.objects() as { cellId: string; metric: string; mean: number; sd: number; n: number }[]).find((x) => x.cellId === id && x.metric === "ap50")!;

describe("runAblation", () => {
  it("computes hand-checkable AP per cell", async () => {
    const det = fakeDetector();
    const grid = [cell({}), cell({ clicksPerCategory: "all" }), cell({ split: "heldOut" }), cell({ source: "prediction" })];
    const r = await runAblation(options({ detector: det, grid }));
    // One centre click per category finds 1 of 3 objects in image 1 and 1 of 1 in image 2: 2 TPs of 4 GT
    // at equal scores -> precision 1 up to recall .5 -> 51/101, for every seed.
    const one = ap(r, cellId(grid[0]!));
    expect(one.mean).toBeCloseTo(51 / 101, 12);
    expect(one.sd).toBe(0);
    expect(one.n).toBe(3);
    // One click per instance finds everything; the held-out object is found by its own click.
    expect(ap(r, cellId(grid[1]!)).mean).toBe(1);
    expect(ap(r, cellId(grid[2]!)).mean).toBe(1);
    // Clicking the centre of the model's own box is the same click here.
    expect(ap(r, cellId(grid[3]!)).mean).toBeCloseTo(51 / 101, 12);
    // Calls: cells 1-3 one per image with prompts (2, 2, 1 images), prediction 2 per image; times 3 seeds.
    expect(det.calls.length).toBe(3 * (2 + 2 + 1 + 4));
    expect(r.runs.numRows()).toBe(12);
  });

  it("prompts only the split's categories", async () => {
    const det = fakeDetector();
    await runAblation(options({ detector: det, grid: [cell({ split: "heldOut", clicksPerCategory: "all" })], seeds: [0] }));
    expect(det.calls).toHaveLength(1);
    expect(det.calls[0]!.map((c) => c.categoryId)).toEqual([7]);
    expect(det.calls[0]![0]).toMatchObject({ x: 5, y: 55 });
  });

  it("gives the same table for the same seed, and different clicks for different seeds", async () => {
    const grid = [cell({ position: "uniform" }), cell({ position: "gaussian", jitter: 0.5 })];
    const a = fakeDetector();
    const b = fakeDetector();
    const ra = await runAblation(options({ detector: a, grid }));
    const rb = await runAblation(options({ detector: b, grid }));
    expect(ra.runs.select("cellId", "seed", "ap50").objects()).toEqual(rb.runs.select("cellId", "seed", "ap50").objects());
    expect(a.calls).toEqual(b.calls);
    // Seeds 0 and 1 of the uniform cell click different places.
    expect(a.calls[0]).not.toEqual(a.calls[2]);
  });

  it("caches runs on disk: a hit never calls the detector; a changed configuration is recomputed", async () => {
    const dir = path.join(tmp, "cache");
    const grid = ablationGrid("small").slice(0, 3);
    const first = fakeDetector();
    const r1 = await runAblation(options({ detector: first, grid, cacheDir: dir }));
    expect(r1.computed).toBe(9);
    expect(r1.cached).toBe(0);
    expect(first.calls.length).toBeGreaterThan(0);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".json"))).toHaveLength(9);

    const second = fakeDetector();
    const r2 = await runAblation(options({ detector: second, grid, cacheDir: dir }));
    expect(second.calls).toHaveLength(0);
    expect(r2.cached).toBe(9);
    expect(r2.summary.objects()).toEqual(r1.summary.objects());
    expect(r2.runs.array("cached")).toEqual(new Array(9).fill(true));

    // A new cell, a new seed, a new model or new data: only those runs are computed.
    const third = fakeDetector();
    const r3 = await runAblation(options({ detector: third, grid: [...grid, cell({ clicksPerCategory: 2 })], seeds: [0, 1, 2, 3], cacheDir: dir }));
    expect(r3.cached).toBe(9);
    expect(r3.computed).toBe(4 * 4 - 9);
    const model = fakeDetector();
    const r4 = await runAblation(options({ detector: model, grid, cacheDir: dir, modelFingerprint: "fake-v2" }));
    expect(r4.computed).toBe(9);
    expect(model.calls.length).toBeGreaterThan(0);
    const moved = { ...data, images: [data.images[0]!, { ...data.images[1]!, gtBoxesXyxy: Float64Array.from(box(41, 40)) }] };
    const r5 = await runAblation(options({ detector: fakeDetector(), grid, cacheDir: dir, data: moved }));
    expect(r5.computed).toBe(9);
  });

  it("recomputes a corrupt cache entry", async () => {
    const dir = path.join(tmp, "corrupt");
    await runAblation(options({ detector: fakeDetector(), cacheDir: dir, seeds: [0] }));
    const [file] = fs.readdirSync(dir);
    fs.writeFileSync(path.join(dir, file!), "{not json");
    const det = fakeDetector();
    const r = await runAblation(options({ detector: det, cacheDir: dir, seeds: [0] }));
    expect(r.computed).toBe(1);
    expect(det.calls.length).toBe(2);
  });
});

describe("ablationGrid", () => {
  it("varies one factor at a time around the base cell, for both splits", () => {
    const small = ablationGrid("small");
    expect(small).toHaveLength(2 * (4 + 2 + 1)); // positions 4, clicks 3 (centre/1 shared), source 2 (shared)
    expect(new Set(small.map(cellId)).size).toBe(small.length);
    expect(ablationGrid("full")).toHaveLength(2 * (6 + 4 + 1));
    expect(ablationGrid("factorial")).toHaveLength(2 * 6 * 5 * 2);
    expect(() => ablationGrid("huge" as never)).toThrow(/small.*full.*factorial/);
  });
});

describe("evaluateGeneralisation", () => {
  it("reports seen categories, held-out categories and a held-out data set side by side", async () => {
    const { evaluateGeneralisation } = await import("../../src/analysis/generalisation.js");
    // Held-out data set: two category-9 objects in one image; one centre click finds one -> 51/101.
    const other: AblationData = {
      images: [{ imageId: 5, width: 100, height: 100, loadImage: () => ({ width: 100, height: 100, data: new Uint8Array(30000) }),
        gtBoxesXyxy: Float64Array.from([...box(10, 10), ...box(50, 50)]), gtCategoryIds: Int32Array.from([9, 9]) }],
      seenCategoryIds: [],
      heldOutCategoryIds: [9],
    };
    const t = await evaluateGeneralisation({ detector: fakeDetector(), modelFingerprint: "fake", data, heldOutDataset: other, evaluate, sampleClick: sampler, cacheDir: false });
    const rows = t.objects() as { setting: string; metric: string; mean: number; n: number }[];
    expect(rows.map((r) => r.setting)).toEqual(["seenCategories", "heldOutCategories", "heldOutDataset"]);
    expect(rows[0]!.mean).toBeCloseTo(51 / 101, 12);
    expect(rows[1]!.mean).toBe(1);
    expect(rows[2]!.mean).toBeCloseTo(51 / 101, 12);
    expect(rows.every((r) => r.n === 3 && r.metric === "ap50")).toBe(true);
  });
});
