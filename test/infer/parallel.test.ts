import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tf } from "../../src/backend/tf.js";
import { Dataset } from "../../src/data/dataset.js";
import { saveImagePng } from "../../src/data/images.js";
import { DetectorWorkers, mapLimited } from "../../src/infer/parallel/workers.js";
import { predictDataset } from "../../src/infer/predict-dataset.js";
import { detectSliced } from "../../src/infer/sliced.js";
import { createDeal } from "../../src/model/index.js";
import { DealkitInputError } from "../../src/util/errors.js";
import { useFastBackend } from "../train/backend.js";
import { drawExamples } from "../train/helpers.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-par-infer-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const cols = (d: { boxesXyxy: Float32Array; scores: Float32Array; categoryIds: Int32Array; clickIndex: Int32Array }) =>
  [Array.from(d.boxesXyxy), Array.from(d.scores), Array.from(d.categoryIds), Array.from(d.clickIndex)];

describe("parallel inference (worker threads)", () => {
  beforeAll(async () => {
    await useFastBackend();
  });

  it("mapLimited keeps the input order with calls finishing out of order", async () => {
    const delays = [30, 0, 20, 5, 0];
    let inFlight = 0, most = 0;
    const got = await mapLimited(delays, 2, async (d, i) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, d));
      inFlight--;
      return i * 10;
    });
    expect(got).toEqual([0, 10, 20, 30, 40]);
    expect(most).toBe(2);
  });

  it("sliced inference and predictDataset on 2 workers give exactly the one-thread results", async () => {
    // A micro DEAL (slices of 128 px) with its initial weights: untrained, but every number must match.
    const model = createDeal({ preset: "micro" }, 4);
    const [big] = drawExamples(1, 300, 31, 12);
    const clicks = [{ x: 40, y: 50, categoryId: 1 }, { x: 250, y: 220, categoryId: 2 }];
    const pool = await DetectorWorkers.start(model, 2);
    try {
      expect(pool.concurrency).toBe(2);
      const serial = await detectSliced(model, big!.image, clicks, { scoreThreshold: 0 });
      const parallel = await detectSliced(pool, big!.image, clicks, { scoreThreshold: 0 });
      expect(serial.stats.slices).toBeGreaterThan(4);
      expect(serial.detections.length).toBeGreaterThan(0);
      expect(cols(parallel.detections)).toEqual(cols(serial.detections));
      expect(parallel.stats.slicesRun).toBe(serial.stats.slicesRun);
      // Batched slices inside each worker, against one slice at a time on this thread.
      const oneByOne = await detectSliced(model, big!.image, clicks, { scoreThreshold: 0, sliceBatch: 1 });
      const before = tf.memory().numTensors;
      const batched = await detectSliced(pool, big!.image, clicks, { scoreThreshold: 0, sliceBatch: 3 });
      expect(tf.memory().numTensors).toBe(before);
      expect(batched.stats.sliceBatch).toBe(3);
      expect(cols(batched.detections)).toEqual(cols(oneByOne.detections));
      expect(pool.maxBatch(128, 128)).toBe(model.maxBatch(128, 128));
      // Errors keep their type and message through the workers.
      await expect(pool.detect(big!.image, [{ x: 999, y: 1 }])).rejects.toThrow(DealkitInputError);

      const images = drawExamples(3, 64, 32, 4);
      const files = await Promise.all(images.map(async (ex, i) => {
        await saveImagePng(path.join(dir, `${i}.png`), ex.image);
        return { id: i + 1, width: 64, height: 64, file_name: `${i}.png` };
      }));
      let ann = 0;
      const annotations = images.flatMap((ex, i) => Array.from(ex.groundTruth.gtCategoryIds).map((c, k) => {
        const b = ex.groundTruth.gtBoxesXyxy;
        return { id: ++ann, image_id: i + 1, category_id: c, bbox: [b[4 * k]!, b[4 * k + 1]!, b[4 * k + 2]! - b[4 * k]!, b[4 * k + 3]! - b[4 * k + 1]!], area: 1, iscrowd: 0 };
      }));
      const ds = Dataset.fromCoco({ images: files, categories: [{ id: 1, name: "square" }, { id: 2, name: "plus" }], annotations }, { root: dir });
      const a = await predictDataset(model, ds, { scoreThreshold: 0, seed: 3 });
      const b = await predictDataset(pool, ds, { scoreThreshold: 0, seed: 3 });
      expect(a.length).toBeGreaterThan(0);
      expect(b).toEqual(a);
    } finally {
      pool.dispose();
      model.dispose();
    }
  }, 600_000);
});
