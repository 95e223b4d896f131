import { beforeAll, describe, expect, it } from "vitest";
import { tf } from "../../src/backend/tf.js";
import { detectSliced } from "../../src/infer/sliced.js";
import { createDeal } from "../../src/model/index.js";
import { encodeBatchLimit, encodeBytesPerImage, disposeEncoded } from "../../src/model/inference.js";
import { tidyObject } from "../../src/model/ops.js";
import type { RgbImage } from "../../src/structures/image.js";
import { DealkitConfigError } from "../../src/util/errors.js";
import { useFastBackend } from "../train/backend.js";
import { drawExamples } from "../train/helpers.js";

const cols = (d: { boxesXyxy: Float32Array; scores: Float32Array; categoryIds: Int32Array; clickIndex: Int32Array }) =>
  [Array.from(d.boxesXyxy), Array.from(d.scores), Array.from(d.categoryIds), Array.from(d.clickIndex)];

/**
 * Batched slices (one encoding with a batch dimension, prompt heads per slice) against one slice at a time. The
 * results must be exactly equal, not merely close: every per-image row of a batched conv, matmul, softmax or
 * reduction is computed by the same kernel in the same order as alone (the batch is an outer loop), and the prompt
 * heads run per slice on slices of the batch. A micro DEAL with residual blocks (so the 3x3 stride-1 Winograd
 * convolutions run too), untrained: every number must match anyway.
 */
describe("batched sliced inference", () => {
  beforeAll(async () => {
    await useFastBackend();
  });

  const model = () => createDeal({ preset: "micro", depths: [1, 1, 1] }, 4);
  const clicks = [{ x: 40, y: 50, categoryId: 1 }, { x: 250, y: 220, categoryId: 2 }];

  it("gives exactly the slice-by-slice detections, for any batch size, and frees every tensor", async () => {
    const m = model();
    const [big] = drawExamples(1, 300, 31, 12);
    try {
      const before = tf.memory().numTensors;
      const serial = await detectSliced(m, big!.image, clicks, { scoreThreshold: 0, sliceBatch: 1 });
      expect(tf.memory().numTensors).toBe(before);
      expect(serial.stats.sliceBatch).toBe(1);
      expect(serial.stats.slices).toBe(9);
      expect(serial.detections.length).toBeGreaterThan(50);
      for (const sliceBatch of [2, 4, 9, undefined]) {
        const progress: number[] = [];
        const batched = await detectSliced(m, big!.image, clicks, { scoreThreshold: 0, sliceBatch, onProgress: (d) => progress.push(d) });
        expect(tf.memory().numTensors, `sliceBatch ${sliceBatch}`).toBe(before);
        expect(batched.stats.sliceBatch).toBe(sliceBatch ?? Math.min(9, encodeBatchLimit(m.config, 128, 128)));
        expect(cols(batched.detections), `sliceBatch ${sliceBatch}`).toEqual(cols(serial.detections));
        expect(batched.stats.slicesRun).toBe(serial.stats.slicesRun);
        expect(batched.stats.rawDetections).toBe(serial.stats.rawDetections);
        expect(progress[progress.length - 1]).toBe(9);
      }
    } finally {
      m.dispose();
    }
  }, 300_000);

  it("detectWithEmbeddingsBatch returns each image's detectWithEmbeddings result, sizes mixed", async () => {
    const m = model();
    try {
      const imgs: RgbImage[] = [...drawExamples(2, 96, 5, 6), ...drawExamples(1, 64, 6, 4), ...drawExamples(2, 96, 7, 6)].map((e) => e.image);
      const emb = await m.embedClicks(imgs[0]!, [{ x: 30, y: 30, categoryId: 1 }, { x: 60, y: 70 }]);
      const before = tf.memory().numTensors;
      const batched = await m.detectWithEmbeddingsBatch(imgs, emb, { scoreThreshold: 0 });
      expect(tf.memory().numTensors).toBe(before);
      expect(batched).toHaveLength(imgs.length);
      for (let i = 0; i < imgs.length; i++) expect(cols(batched[i]!), `image ${i}`).toEqual(cols(await m.detectWithEmbeddings(imgs[i]!, emb, { scoreThreshold: 0 })));
      expect((await m.detectWithEmbeddingsBatch(imgs, [])).map((d) => d.length)).toEqual([0, 0, 0, 0, 0]);
    } finally {
      m.dispose();
    }
  }, 300_000);

  it("the memory bound covers the measured peak of a lean encode, and batches stay within the budget", async () => {
    for (const cfg of [{ preset: "micro" as const }, { preset: "micro" as const, depths: [1, 1, 1] }, { preset: "tiny" as const }]) {
      const m = createDeal(cfg, 0);
      try {
        const side = 128;
        const input = tf.zeros([2, side, side, 3]) as tf.Tensor4D;
        const p = await tf.profile(() => {
          disposeEncoded(tidyObject(() => m.net.encode(input, true)));
          return tf.scalar(0);
        });
        input.dispose();
        expect(p.peakBytes, JSON.stringify(cfg)).toBeLessThanOrEqual(2 * encodeBytesPerImage(m.config, side, side));
        const limit = encodeBatchLimit(m.config, m.inputSize, m.inputSize);
        expect(limit).toBeGreaterThanOrEqual(1);
        expect(limit).toBeLessThanOrEqual(8);
        if (limit > 1) expect(limit * encodeBytesPerImage(m.config, m.inputSize, m.inputSize)).toBeLessThanOrEqual(512 * 2 ** 20);
      } finally {
        m.dispose();
      }
    }
    expect(encodeBatchLimit(createDeal({ preset: "tiny" }).config, 512, 512)).toBe(5);
  }, 300_000);

  it("rejects a slice batch outside [1, 64]", async () => {
    const m = model();
    const [img] = drawExamples(1, 200, 3, 2);
    try {
      for (const sliceBatch of [0, 65, 1.5]) await expect(detectSliced(m, img!.image, clicks.slice(0, 1), { sliceBatch })).rejects.toThrow(DealkitConfigError);
    } finally {
      m.dispose();
    }
  });
});
