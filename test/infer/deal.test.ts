import { describe, expect, it } from "vitest";
import { tf } from "../../src/backend/tf.js";
import { detect } from "../../src/infer/detect.js";
import { detectSliced } from "../../src/infer/sliced.js";
import { createDeal } from "../../src/model/deal.js";

// The wrappers over the real DEAL (micro preset, untrained: the contract and tensor lifetimes, not accuracy).
describe("detect and detectSliced over DEAL", () => {
  const image = { width: 200, height: 150, data: Uint8Array.from({ length: 200 * 150 * 3 }, (_, i) => (i * 37) % 251) };

  it("leave no tensors behind and return well-formed detections", async () => {
    const model = createDeal({ preset: "micro" }, 1);
    try {
      const clicks = [{ x: 20, y: 30, categoryId: 1 }, { x: 150, y: 100, categoryId: 2 }, { x: 60, y: 60 }];
      await detect(model, image, clicks, { scoreThreshold: 0 }); // warm-up
      const before = tf.memory().numTensors;
      const d = await detect(model, image, clicks, { scoreThreshold: 0 });
      const s = await detectSliced(model, image, clicks, { scoreThreshold: 0, sliceSize: 64 });
      expect(tf.memory().numTensors).toBe(before);
      for (const list of [d, s.detections]) {
        expect(list.boxesXyxy.length).toBe(4 * list.length);
        for (let i = 0; i < list.length; i++) {
          expect([1, 2, -1]).toContain(list.categoryIds[i]);
          expect(list.clickIndex[i]).toBeGreaterThanOrEqual(0);
          expect(list.boxesXyxy[4 * i + 2]!).toBeGreaterThanOrEqual(list.boxesXyxy[4 * i]!);
        }
      }
      expect(s.stats.embedCalls).toBeGreaterThanOrEqual(1);
      expect(s.stats.slices).toBe(s.stats.slicesRun);
    } finally {
      model.dispose();
    }
  });
});
