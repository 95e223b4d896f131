import { makeGroundTruth } from "../../src/structures/ground-truth.js";
import type { TrainExample } from "../../src/train/source.js";
import { Random } from "../../src/util/random.js";

/**
 * Hand-drawn training images: dark noisy background with red squares (category 1) and blue
 * plus-shapes (category 2), sizes 3-12 px. Independent of the data module.
 */
export function drawExamples(n: number, size: number, seed: number, maxObjects = 5): TrainExample[] {
  const rng = new Random(seed);
  const out: TrainExample[] = [];
  for (let i = 0; i < n; i++) {
    const data = new Uint8Array(size * size * 3);
    for (let p = 0; p < data.length; p++) data[p] = 20 + rng.int(30);
    const boxes: [number, number, number, number][] = [];
    const cats: number[] = [];
    const k = 1 + rng.int(maxObjects);
    for (let j = 0; j < k; j++) {
      const s = 3 + rng.int(Math.min(10, size / 6));
      const x0 = rng.int(size - s), y0 = rng.int(size - s);
      const cat = 1 + rng.int(2);
      for (let y = y0; y < y0 + s; y++) {
        for (let x = x0; x < x0 + s; x++) {
          const plus = Math.abs(x - x0 - s / 2 + 0.5) < s / 5 || Math.abs(y - y0 - s / 2 + 0.5) < s / 5;
          if (cat === 2 && !plus) continue;
          const o = (y * size + x) * 3;
          data[o] = cat === 1 ? 230 : 40;
          data[o + 1] = 60;
          data[o + 2] = cat === 1 ? 40 : 230;
        }
      }
      boxes.push([x0, y0, s, s]);
      cats.push(cat);
    }
    out.push({ image: { width: size, height: size, data }, groundTruth: makeGroundTruth(i + 1, boxes.map((b, j) => ({ bboxXywh: b, categoryId: cats[j]! }))) });
  }
  return out;
}
