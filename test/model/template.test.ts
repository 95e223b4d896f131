import { describe, expect, it } from "vitest";
import { createTemplateMatcher, TemplateMatcher, } from "../../src/model/index.js";
import type { Detections as DetectionList } from "../../src/structures/index.js";
import { DealkitConfigError, DealkitInputError } from "../../src/util/errors.js";
import { BLUE, iouXyxy, RED, Scene, standardScene, type DrawnBox } from "./template-scene.js";

const centre = (b: DrawnBox, categoryId?: number) => ({ x: (b[0] + b[2]) / 2, y: (b[1] + b[3]) / 2, categoryId });
const box = (d: DetectionList, i: number) => Array.from(d.boxesXyxy.subarray(4 * i, 4 * i + 4));
const bestIou = (b: number[], gts: readonly DrawnBox[]) => Math.max(0, ...gts.map((g) => iouXyxy(b, g)));

function inputError(fn: () => unknown): Promise<DealkitInputError> {
  return Promise.resolve()
    .then(fn)
    .then(
      () => {
        throw new Error("expected a DealkitInputError");
      },
      (err) => {
        if (err instanceof DealkitInputError) return err;
        throw err;
      },
    );
}

describe("template matcher: extent of the clicked object", () => {
  it("recovers drawn rectangles of 2-40 px from a centre click (hand-drawn boxes, within 1 px)", () => {
    const scene = new Scene(160, 120, 3, 8);
    const drawn: DrawnBox[] = [];
    for (const [x, y, w, h] of [[10, 10, 2, 2], [30, 10, 3, 3], [50, 10, 6, 4], [70, 10, 12, 8], [10, 50, 20, 10], [60, 40, 40, 30]] as const) {
      scene.fill(x, y, x + w, y + h, RED);
      drawn.push([x, y, x + w, y + h]);
    }
    const m = createTemplateMatcher();
    const ext = m.extents(scene.image, drawn.map((b) => centre(b)));
    ext.forEach((e, i) => {
      const d = drawn[i]!;
      for (const [got, want] of [[e.x1, d[0]], [e.y1, d[1]], [e.x2, d[2]], [e.y2, d[3]]]) expect(Math.abs(got! - want!)).toBeLessThanOrEqual(1);
    });
  });
});

describe("template matcher: detection", () => {
  const { scene, targets, distractors } = standardScene();
  const click = centre(targets[0]!, 5);

  it("one click finds all 8 copies before any distractor (measured: the 8 copies score >= 0.98 at IoU 1, the best distractor overlap 0.38)", async () => {
    const d = await createTemplateMatcher().detect(scene.image, [click], { scoreThreshold: 0.05 });
    const top = Array.from({ length: 8 }, (_, i) => box(d, i));
    expect(top.every((b) => bestIou(b, targets) >= 0.9)).toBe(true);
    // Every copy is found once among the top 8.
    expect(new Set(top.map((b) => targets.findIndex((t) => iouXyxy(b, t) >= 0.9))).size).toBe(8);
    // Nothing that scores above 0.5 overlaps a distractor (blue copies of the shape, red bars).
    for (let i = 0; i < d.length; i++) {
      if (d.scores[i]! > 0.5) expect(bestIou(box(d, i), distractors)).toBe(0);
    }
    // The clicked object itself comes first, with score 1.
    expect(box(d, 0)).toEqual(targets[0]);
    expect(d.scores[0]).toBe(1);
    expect([...d.categoryIds].every((c) => c === 5)).toBe(true);
    expect([...d.clickIndex].every((c) => c === 0)).toBe(true);
  });

  it("a click on a blue copy finds the blue copies, not the red ones", async () => {
    const blue = distractors.filter((b) => b[2] - b[0] === 8);
    const d = await createTemplateMatcher().detect(scene.image, [centre(blue[0]!)], { scoreThreshold: 0.5 });
    const hits = Array.from({ length: d.length }, (_, i) => box(d, i));
    // >= 0.75: the grown region may take one noisy row (the blue extent is 8 x 7 for the drawn 8 x 6).
    expect(hits.filter((b) => bestIou(b, blue) >= 0.75).length).toBe(blue.length);
    expect(hits.filter((b) => bestIou(b, targets) > 0).length).toBe(0);
    expect([...d.categoryIds].every((c) => c === -1)).toBe(true);
  });

  it("boxes have the exemplar's size (one scale), or its scaled size", async () => {
    const d = await createTemplateMatcher({ scales: [1] }).detect(scene.image, [click], { scoreThreshold: 0.05 });
    for (let i = 0; i < d.length; i++) {
      const [x1, y1, x2, y2] = box(d, i);
      if (x1! <= 0 || y1! <= 0 || x2! >= 128 || y2! >= 96) continue; // clipped at the border
      expect(x2! - x1!).toBeCloseTo(8, 4);
      expect(y2! - y1!).toBeCloseTo(6, 4);
    }
    // A copy drawn at 1.25x (10 x 8 from 8 x 6) is found by the 1.25x exemplar with a box of that size.
    const big = new Scene(96, 64);
    const small = big.shape(10, 10, 8, 6, RED);
    const large = big.shape(60, 30, 10, 8, RED);
    const got = await createTemplateMatcher().detect(big.image, [centre(small)], { scoreThreshold: 0.5 });
    const hit = Array.from({ length: got.length }, (_, i) => box(got, i)).find((b) => iouXyxy(b, large) > 0.5);
    expect(hit).toBeDefined();
    expect(hit![2]! - hit![0]!).toBeCloseTo(10, 4);
    expect(hit![3]! - hit![1]!).toBeCloseTo(7.5, 4); // 6 x 1.25
  });

  it("honours scoreThreshold, maxDetections and nmsIou", async () => {
    const m = createTemplateMatcher();
    const loose = await m.detect(scene.image, [click], { scoreThreshold: 0.05 });
    const strict = await m.detect(scene.image, [click], { scoreThreshold: 0.5 });
    expect([...strict.scores].every((s) => s >= 0.5)).toBe(true);
    expect([...loose.scores].every((s) => s >= 0.05)).toBe(true);
    expect(strict.length).toBe(8);
    expect(loose.length).toBeGreaterThan(strict.length);
    const capped = await m.detect(scene.image, [click, centre(distractors[0]!, 9)], { scoreThreshold: 0.05, maxDetections: 3 });
    expect(capped.length).toBe(6); // 3 per prompt
    expect([...capped.categoryIds].filter((c) => c === 5).length).toBe(3);
    const tight = await m.detect(scene.image, [click], { scoreThreshold: 0.05, nmsIou: 0.1 });
    const open = await m.detect(scene.image, [click], { scoreThreshold: 0.05, nmsIou: 1 });
    const maxPairIou = (d: DetectionList) => {
      let worst = 0;
      for (let i = 0; i < d.length; i++) for (let j = i + 1; j < d.length; j++) worst = Math.max(worst, iouXyxy(box(d, i), box(d, j)));
      return worst;
    };
    expect(maxPairIou(tight)).toBeLessThanOrEqual(0.1);
    expect(maxPairIou(open)).toBeGreaterThan(0.1);
    expect(open.length).toBeGreaterThan(tight.length);
  });

  it("groups clicks by category: a second click of the category adds its exemplar, detections carry the first click", async () => {
    const m = createTemplateMatcher();
    const d = await m.detect(scene.image, [{ ...click, categoryId: 2 }, centre(distractors[0]!, 4), centre(targets[3]!, 2)], { scoreThreshold: 0.5 });
    const cat2 = Array.from({ length: d.length }, (_, i) => i).filter((i) => d.categoryIds[i] === 2);
    expect(cat2.every((i) => d.clickIndex[i] === 0)).toBe(true);
    expect(cat2.length).toBe(8);
    expect([...d.clickIndex].filter((c) => c === 1).length).toBeGreaterThan(0);
  });

  it("is deterministic, and embeddings reused on a crop find the same objects", async () => {
    const m = createTemplateMatcher();
    const a = await m.detect(scene.image, [click], { scoreThreshold: 0.05 });
    const b = await m.detect(scene.image, [click], { scoreThreshold: 0.05 });
    expect(b).toEqual(a);
    const emb = await m.embedClicks(scene.image, [click]);
    expect(emb).toHaveLength(1);
    expect(emb[0]!.categoryId).toBe(5);
    // The right half of the scene, matched with the exemplar embedded on the whole image.
    const crop = { width: 64, height: 96, data: new Uint8Array(64 * 96 * 3) };
    for (let y = 0; y < 96; y++) crop.data.set(scene.image.data.subarray((y * 128 + 64) * 3, (y * 128 + 128) * 3), y * 64 * 3);
    const d = await m.detectWithEmbeddings(crop, emb, { scoreThreshold: 0.5 });
    const inCrop = targets.filter((t) => t[0] >= 64).map((t) => [t[0] - 64, t[1], t[2] - 64, t[3]] as DrawnBox);
    expect(inCrop.length).toBeGreaterThan(2);
    expect(d.length).toBe(inCrop.length);
    for (let i = 0; i < d.length; i++) expect(bestIou(box(d, i), inCrop)).toBeGreaterThan(0.9);
  });

  it("rejects bad clicks, bad embeddings and bad options with errors that name them", async () => {
    const m = createTemplateMatcher();
    for (const bad of [{ x: -1, y: 5 }, { x: 5, y: Number.NaN }, { x: 500, y: 5 }]) {
      const err = await inputError(() => m.detect(scene.image, [click, bad]));
      expect(err.record).toBe("click #1");
      expect(err.message).toMatch(/click #1/);
      expect((await inputError(() => m.embedClicks(scene.image, [click, bad]))).record).toBe("click #1");
    }
    const err = await inputError(() => m.detectWithEmbeddings(scene.image, [{ clickIndex: 0, categoryId: 1, vector: new Float32Array(10) }]));
    expect(err.message).toMatch(/embedding 0/);
    expect(() => new TemplateMatcher({ scales: [] })).toThrow(DealkitConfigError);
    expect(() => createTemplateMatcher({ margin: -1 })).toThrow(/margin/);
    expect(() => createTemplateMatcher({ level: 1.5 })).toThrow(/level/);
  });

  it("finds objects touching the image border and clips their boxes to it", async () => {
    const s = new Scene(64, 48);
    const inner = s.shape(20, 20, 8, 6, BLUE);
    const edge = s.shape(0, 30, 8, 6, BLUE);
    const d = await createTemplateMatcher().detect(s.image, [centre(inner)], { scoreThreshold: 0.5 });
    const hits = Array.from({ length: d.length }, (_, i) => box(d, i));
    expect(hits.some((b) => iouXyxy(b, edge) > 0.75)).toBe(true);
    for (const [x1, y1, x2, y2] of hits) expect(x1! >= 0 && y1! >= 0 && x2! <= 64 && y2! <= 48).toBe(true);
  });
});
