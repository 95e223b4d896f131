import { beforeAll, describe, expect, it } from "vitest";
import { tf } from "../../src/backend/tf.js";
import { drawBatch, resolveAugment } from "../../src/train/batch.js";
import { paintNovelObjects } from "../../src/train/novel-objects.js";
import { arraySource } from "../../src/train/source.js";
import { Random } from "../../src/util/random.js";
import { useFastBackend } from "./backend.js";
import { drawExamples } from "./helpers.js";

describe("procedural novel objects (augment.novelObjects)", () => {
  beforeAll(async () => { await useFastBackend(); });

  it("each annotation box is the tight extent of the pixels at least half covered by its instance", () => {
    const S = 96;
    for (let seed = 0; seed < 20; seed++) {
      const r = paintNovelObjects(1, S, [], new Random(seed));
      expect(r).not.toBeNull();
      const { alpha, objects } = r!;
      // Instances never touch (1 px gap), so the covered pixels inside each box belong to it alone.
      for (const o of objects) {
        expect(o.categoryId).toBeLessThan(0);
        expect(o.x2 - o.x1).toBeGreaterThanOrEqual(1);
        let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
        for (let y = Math.max(0, Math.floor(o.y1) - 3); y < Math.min(S, Math.ceil(o.y2) + 3); y++) {
          for (let x = Math.max(0, Math.floor(o.x1) - 3); x < Math.min(S, Math.ceil(o.x2) + 3); x++) {
            if (alpha[y * S + x]! > 0) [minX, minY, maxX, maxY] = [Math.min(minX, x), Math.min(minY, y), Math.max(maxX, x + 1), Math.max(maxY, y + 1)];
          }
        }
        // Soft edges extend the coverage a little beyond the half-covered pixels (a few px at most).
        expect(minX).toBeGreaterThanOrEqual(o.x1 - 3);
        expect(maxX).toBeLessThanOrEqual(o.x2 + 3);
        expect(minY).toBeGreaterThanOrEqual(o.y1 - 3);
        expect(maxY).toBeLessThanOrEqual(o.y2 + 3);
        // The box holds painted pixels at its corners' rows and columns (it is not a loose analytic bound).
        let rowTop = 0, colLeft = 0;
        for (let x = o.x1; x < o.x2; x++) rowTop = Math.max(rowTop, alpha[o.y1 * S + x]!);
        for (let y = o.y1; y < o.y2; y++) colLeft = Math.max(colLeft, alpha[y * S + o.x1]!);
        expect(rowTop).toBeGreaterThan(0.25);
        expect(colLeft).toBeGreaterThan(0.25);
      }
    }
  });

  it("avoids the crop's own objects and keeps the painted kinds apart by id", () => {
    const existing = [{ x1: 20, y1: 20, x2: 60, y2: 60, categoryId: 3, ignore: false }];
    for (let seed = 0; seed < 20; seed++) {
      const r = paintNovelObjects(1, 96, existing, new Random(seed))!;
      // Soft edges of elongated kinds may overlap the object's outermost 3 px (a mild occlusion); its inside stays untouched.
      for (let y = 23; y < 57; y++) for (let x = 23; x < 57; x++) expect(r.alpha[y * 96 + x]).toBe(0);
      expect(new Set(r.objects.map((o) => o.categoryId)).size).toBeLessThanOrEqual(2);
    }
  });

  it("p = 0 draws nothing from the seed, so batches without the option are the batches of before", () => {
    const rng = new Random(7);
    expect(paintNovelObjects(0, 64, [], rng)).toBeNull();
    expect(rng.next()).toBe(new Random(7).next());
    expect(() => resolveAugment({ novelObjects: 1.5 })).toThrow(/augment.novelObjects must be a number in \[0, 1\]/);
  });

  it("DEAL prompts the novel kinds; the baseline sees them as background; same seed, same batch; no tensors left", () => {
    const src = arraySource(drawExamples(4, 96, 3));
    const before = tf.memory().numTensors;
    const a = drawBatch(src, 96, 4, new Random(5), true, { novelObjects: 1 });
    const b = drawBatch(src, 96, 4, new Random(5), true, { novelObjects: 1 });
    const base = drawBatch(src, 96, 4, new Random(5), false, { novelObjects: 1 });
    try {
      expect(a.samples.some((s) => s.prompts.some((p) => p.categoryId < 0 && p.targets.length > 0))).toBe(true);
      expect(base.samples.every((s) => s.objects.every((o) => o.categoryId > 0))).toBe(true);
      expect(Array.from(a.images.dataSync())).toEqual(Array.from(b.images.dataSync()));
      const plain = drawBatch(src, 96, 4, new Random(5), true);
      expect(Array.from(plain.images.dataSync())).not.toEqual(Array.from(a.images.dataSync()));
      plain.images.dispose();
    } finally {
      tf.dispose([a.images, b.images, base.images]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it("a synthetic scene covers the whole crop, paints 1-3 kinds within it and hides the crop's own objects", () => {
    const S = 96;
    let scenes = 0, kinds = 0;
    for (let seed = 0; seed < 12; seed++) {
      const existing = [{ x1: 20, y1: 20, x2: 60, y2: 60, categoryId: 3, ignore: false }];
      const r = paintNovelObjects(1, S, existing, new Random(seed), -1, 1)!;
      expect(r.scene).toBe(true);
      scenes++;
      // Every pixel is replaced: the crop's own image (and its object) is gone.
      expect(r.alpha.every((a) => a === 1)).toBe(true);
      for (const v of r.colour) expect(v >= 0 && v <= 255).toBe(true);
      const ids = new Set(r.objects.map((o) => o.categoryId));
      expect(ids.size).toBeGreaterThanOrEqual(1);
      expect(ids.size).toBeLessThanOrEqual(3);
      for (const id of ids) expect([-1, -2, -3]).toContain(id);
      kinds += ids.size;
      for (const o of r.objects) {
        expect(o.x1).toBeGreaterThanOrEqual(0);
        expect(o.y1).toBeGreaterThanOrEqual(0);
        expect(o.x2).toBeLessThanOrEqual(S);
        expect(o.y2).toBeLessThanOrEqual(S);
        expect(o.x2 - o.x1).toBeGreaterThanOrEqual(1);
      }
      // Instances keep a 1 px gap, so no two boxes overlap.
      for (let i = 0; i < r.objects.length; i++) for (let j = i + 1; j < r.objects.length; j++) {
        const a = r.objects[i]!, b = r.objects[j]!;
        expect(a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2).toBe(false);
      }
    }
    expect(scenes).toBe(12);
    expect(kinds).toBeGreaterThan(12); // more than one kind in some scenes
    // scene 0 draws nothing more from the seed: a plain novel-object crop is the crop of before.
    const a = paintNovelObjects(1, 64, [], new Random(3)), b = paintNovelObjects(1, 64, [], new Random(3), -1, 0);
    expect(Array.from(b!.colour)).toEqual(Array.from(a!.colour));
    expect(b!.scene).toBe(false);
    expect(() => resolveAugment({ novelScenes: -0.1 })).toThrow(/augment.novelScenes must be a number in \[0, 1\]/);
  });

  it("in a scene crop only the novel kinds are objects, for DEAL and the baseline alike", () => {
    const src = arraySource(drawExamples(4, 96, 3));
    const deal = drawBatch(src, 96, 4, new Random(2), true, { novelObjects: 1, novelScenes: 1 });
    const base = drawBatch(src, 96, 4, new Random(2), false, { novelObjects: 1, novelScenes: 1 });
    try {
      for (const s of deal.samples) {
        expect(s.objects.every((o) => o.categoryId < 0)).toBe(true);
        expect(s.prompts.length).toBeGreaterThan(0);
        expect(s.prompts.every((p) => p.categoryId < 0)).toBe(true);
      }
      for (const s of base.samples) expect(s.objects).toHaveLength(0);
    } finally {
      tf.dispose([deal.images, base.images]);
    }
  });
});
