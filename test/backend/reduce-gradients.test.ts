import { describe, expect, test } from "vitest";
import { initBackend, tf } from "../../src/backend/index.js";
import { registerReduceGradients } from "../../src/backend/kernels/reduce-gradients.js";
import { Random } from "../../src/util/random.js";

/**
 * dealkit's Sum and Mean gradients (ones made inside the backend instead of in JavaScript) must give exactly tfjs's
 * values: d/dx of sum(reduce(x, axes) * w) is w broadcast over the reduced axes (sum) or w / n (mean, n the reduced
 * count, in float32). The expected values are written out here with plain loops, not by the code under test.
 */
describe("Sum and Mean gradients", () => {
  const cases: Array<{ shape: number[]; axis: number | number[]; keepDims: boolean }> = [
    { shape: [3, 4, 5], axis: 1, keepDims: false },
    { shape: [3, 4, 5], axis: [0, 2], keepDims: true },
    { shape: [2, 3, 4, 5], axis: -1, keepDims: false },
    { shape: [6, 7], axis: [0, 1], keepDims: false },
    { shape: [4, 1, 3], axis: 0, keepDims: true },
  ];
  for (const backend of ["cpu", "wasm"] as const) {
    test(`${backend}: the gradients equal w broadcast (sum) and w / n (mean), exactly`, async () => {
      await initBackend({ backend });
      registerReduceGradients();
      const rng = new Random(3);
      for (const { shape, axis, keepDims } of cases) {
        const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + shape.length : a));
        const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
        const n = axes.reduce((k, a) => k * shape[a]!, 1);
        const size = shape.reduce((a, b) => a * b, 1);
        const wSize = outShape.reduce((a, b) => a * b, 1);
        const xv = Float32Array.from({ length: size }, () => rng.normal());
        const wv = Float32Array.from({ length: wSize }, () => rng.normal());
        // the reduced output's index of every input element
        const outIndex = (flat: number): number => {
          let rem = flat, o = 0, stride = 1;
          const idx = new Array<number>(shape.length);
          for (let d = shape.length - 1; d >= 0; d--) { idx[d] = rem % shape[d]!; rem = Math.floor(rem / shape[d]!); }
          for (let d = shape.length - 1; d >= 0; d--) { o += (axes.includes(d) ? 0 : idx[d]!) * stride; stride *= outShape[d]!; }
          return o;
        };
        for (const mean of [false, true]) {
          const before = tf.memory().numTensors;
          const g = tf.tidy(() => {
            const x = tf.tensor(xv, shape);
            const w = tf.tensor(wv, keepDims ? outShape : outShape.filter((_, i) => !axes.includes(i)));
            return tf.grad((t: tf.Tensor) => (mean ? t.mean(axis, keepDims) : t.sum(axis, keepDims)).mul(w).sum())(x);
          });
          const got = g.dataSync();
          g.dispose();
          expect(tf.memory().numTensors).toBe(before);
          const want = Float32Array.from({ length: size }, (_, i) => (mean ? Math.fround(wv[outIndex(i)]! / n) : wv[outIndex(i)]!));
          expect(Array.from(got), `${backend} ${mean ? "mean" : "sum"} ${JSON.stringify({ shape, axis })}`).toEqual(Array.from(want));
        }
      }
    });
  }

  test("registering again replaces nothing", () => {
    registerReduceGradients();
    expect(registerReduceGradients()).toEqual([]);
  });
});
