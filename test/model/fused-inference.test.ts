import { beforeAll, describe, expect, it } from "vitest";
import { tf } from "../../src/backend/tf.js";
import { createBaseline, createDeal, embedExemplars } from "../../src/model/index.js";
import { useFastBackend } from "../train/backend.js";

/** max |a - b| over two tensors, and max |a| (the scale the difference is judged against). */
const diff = (a: tf.Tensor, b: tf.Tensor) => ({ d: tf.max(tf.abs(a.sub(b))).dataSync()[0]!, scale: tf.max(tf.abs(a)).dataSync()[0]! });

// Inference runs convolutions, dense layers and attention with fused bias / ReLU kernels (layers.ts, Fused); training
// runs the composed ops it differentiates. Both must compute the same network: the fused path against the composed one
// on the same weights (trained-like weights: the near-zero initial layers are rescaled so every layer matters).
describe("fused inference kernels", () => {
  beforeAll(async () => {
    await useFastBackend();
  });

  for (const kind of ["deal", "baseline"] as const) {
    it(`${kind}: the lean, fused encode (and DEAL's fused prompt heatmap, with the class prior and pixel matching) equals the training forward to float rounding`, () => {
      const m = kind === "deal" ? createDeal({ preset: "tiny", classPrior: true, pixelMatch: true, numClasses: 5 }, 3) : createBaseline({ preset: "tiny", numClasses: 5 }, 3);
      tf.tidy(() => {
        for (const [, v] of m.params.entries()) v.assign(v.add(tf.randomNormal(v.shape, 0, 0.05, "float32", 7)));
      });
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const x = tf.randomUniform([2, 96, 128, 3], -1, 1, "float32", 11) as tf.Tensor4D;
        const a = m.net.encode(x, false);
        const b = m.net.encode(x, true);
        const pairs: Array<[string, tf.Tensor, tf.Tensor]> = [
          ["f2", a.f.f2, b.f.f2], ["f4", a.f.f4, b.f.f4], ["f8", a.f.f8, b.f.f8],
          ["obj", a.dense.obj, b.dense.obj], ["size", a.dense.size, b.dense.size], ["offset", a.dense.offset, b.dense.offset],
        ];
        if (kind === "deal") {
          pairs.push(["embed", a.dense.embed!, b.dense.embed!], ["cls", a.dense.cls!, b.dense.cls!]);
          const clicks = tf.tensor4d([0.3, 0.4, 0.7, 0.2, 0.5, 0.5, 0.1, 0.9], [2, 2, 1, 2]);
          const ex = embedExemplars(a.f, a.dense, clicks, tf.ones([2, 2, 1]) as tf.Tensor3D, a.pix);
          pairs.push(["heat", m.net.promptHeat(a, ex), m.net.promptHeat(a, ex, undefined, true)]);
        }
        for (const [name, p, q] of pairs) {
          const { d, scale } = diff(p, q);
          expect(scale, name).toBeGreaterThan(0.1); // a live output, not a constant
          expect(d, `${name}: max diff ${d} at scale ${scale}`).toBeLessThan(1e-4 * Math.max(1, scale));
        }
      });
      expect(tf.memory().numTensors).toBe(before);
      m.dispose();
    });
  }
});
