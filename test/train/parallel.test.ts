import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { tf } from "../../src/backend/tf.js";
import { createDeal } from "../../src/model/index.js";
import { arraySource, readManifest, trainDetector, DealkitTrainingError } from "../../src/train/index.js";
import { DEFAULT_LOSS_WEIGHTS } from "../../src/model/loss/losses.js";
import { drawBatch } from "../../src/train/batch.js";
import { claimOrder, paramLayout, partitionSamples, TrainWorkers } from "../../src/train/parallel/index.js";
import { shardGradients } from "../../src/train/parallel/shard.js";
import { Random } from "../../src/util/random.js";
import { DealkitConfigError } from "../../src/util/errors.js";
import { useFastBackend } from "./backend.js";
import { drawExamples } from "./helpers.js";

const weightsOf = (m: ReturnType<typeof createDeal>) => m.params.entries().map(([n, v]) => [n, Array.from(v.dataSync())] as const);

describe("data-parallel training (worker threads)", () => {
  beforeAll(async () => {
    await useFastBackend();
  });

  it("samples are placed heaviest first (objects, prompts), ties in batch order", () => {
    const s = (objects: number, prompts: number) => ({ index: 0, objects: Array(objects).fill(null), prompts: Array(prompts).fill(null), seed: 0 }) as never;
    expect(claimOrder([s(3, 1), s(40, 2), s(3, 1), s(0, 3)])).toEqual([1, 3, 0, 2]);
  });

  it("splits a batch into balanced groups, one per thread, each in batch order", () => {
    const s = (objects: number, prompts: number) => ({ index: 0, objects: Array(objects).fill(null), prompts: Array(prompts).fill(null), seed: 0 }) as never;
    // costs (objects + 8 prompts + 1): 12, 57, 12, 25
    const batch = [s(3, 1), s(40, 2), s(3, 1), s(0, 3)];
    expect(partitionSamples(batch, 2)).toEqual([[0, 2, 3], [1]]);
    expect(partitionSamples(batch, 3)).toEqual([[0, 2], [1], [3]]);
    expect(partitionSamples(batch, 4)).toEqual([[0], [1], [2], [3]]);
    expect(partitionSamples(batch, 9)).toEqual([[0], [1], [2], [3]]);
    expect(partitionSamples(batch, 1)).toEqual([[0, 1, 2, 3]]);
    // equal costs: pairs
    expect(partitionSamples([s(2, 1), s(2, 1), s(2, 1), s(2, 1)], 2)).toEqual([[0, 2], [1, 3]]);
  });

  it("rejects a bad worker count, naming the option and its range", async () => {
    const m = createDeal({ preset: "micro" });
    await expect(trainDetector(m, arraySource(drawExamples(1, 64, 1)), { steps: 1, workers: 0 })).rejects.toThrow(DealkitConfigError);
    await expect(trainDetector(m, arraySource(drawExamples(1, 64, 1)), { steps: 1, workers: 1.5 })).rejects.toThrow(/workers must be an integer in \[1, 256\]/);
    m.dispose();
  });

  it("2 workers: bit-identical weights for the same seed, the 1-worker losses to float rounding, no leaks", async () => {
    const src = arraySource(drawExamples(4, 64, 21));
    const opts = { steps: 4, seed: 5, batchSize: 4, prompting: "pgcpp" as const, promptCycles: 1 };
    const one = createDeal({ preset: "micro" }, 3);
    const ref = await trainDetector(one, src, opts);
    const a = createDeal({ preset: "micro" }, 3);
    const b = createDeal({ preset: "micro" }, 3);
    const before = tf.memory().numTensors; // after the models: building one leaves 2 tensors (model code, not ours)
    const ra = await trainDetector(a, src, { ...opts, workers: 2 });
    const rb = await trainDetector(b, src, { ...opts, workers: 2 });
    expect(rb.history.map((h) => h.loss)).toEqual(ra.history.map((h) => h.loss));
    expect(weightsOf(b)).toEqual(weightsOf(a));
    // A different worker count: the same mean over the same samples, summed in another order. Step 1 starts from
    // the same weights (float rounding only); later steps also inherit rounding-level weight differences, which
    // AdamW's normalised update and the discrete query allocation / PG-CPP picks can amplify.
    ra.history.forEach((h, i) => {
      const r = ref.history[i]!;
      const tol = i === 0 ? 1e-5 : 2e-2;
      expect(Math.abs(h.loss - r.loss), `step ${h.step}: ${h.loss} vs ${r.loss}`).toBeLessThan(tol * Math.max(1, Math.abs(r.loss)));
      if (i === 0) for (const [k, v] of Object.entries(r.terms)) expect(Math.abs(h.terms[k]! - v), `${k} at step 1`).toBeLessThan(tol * Math.max(1, Math.abs(v)));
    });
    expect(tf.memory().numTensors).toBe(before); // the replicas' tensors live in the workers
    [a, b, one].forEach((m) => m.dispose());
  }, 600_000);

  it("the averaged gradient of 2, 3 and 4 workers is the one-thread gradient of the whole batch", async () => {
    const src = arraySource(drawExamples(4, 64, 23));
    const model = createDeal({ preset: "micro" }, 6);
    const batch = drawBatch(src, model.config.inputSize, 4, new Random(1), true);
    const settings = { prompting: "pgcpp" as const, promptCycles: 1, objectnessDropout: 0.3 };
    const layout = paramLayout(model.params);
    const whole = new Float32Array(layout.size);
    // The loss adds PG-CPP clicks to the samples in place: every computation gets its own copy.
    const fresh = () => ({ ...batch, samples: structuredClone(batch.samples) });
    const one = shardGradients(model, layout, fresh(), DEFAULT_LOSS_WEIGHTS, settings, whole);
    let scale = 0;
    for (const g of whole) scale = Math.max(scale, Math.abs(g));
    expect(scale).toBeGreaterThan(0);
    // Exactly: the per-sample gradients of this thread, averaged in sample order, whichever thread computed each.
    const perSample = new Float32Array(layout.size);
    const slot = new Float32Array(layout.size);
    const b0 = fresh();
    let lossPerSample = 0;
    for (let i = 0; i < 4; i++) {
      const image = tf.tidy(() => b0.images.slice([i, 0, 0, 0], [1, -1, -1, -1])) as tf.Tensor4D;
      const r = shardGradients(model, layout, { ...b0, images: image, samples: [b0.samples[i]!] }, DEFAULT_LOSS_WEIGHTS, settings, slot);
      image.dispose();
      for (let k = 0; k < slot.length; k++) perSample[k] += 0.25 * slot[k]!;
      lossPerSample += 0.25 * r.loss;
    }
    for (const n of [2, 3, 4]) {
      // Exactly: each group's gradient computed on this thread, averaged in group order weighted by group size.
      const groups = partitionSamples(batch.samples, n);
      const bg = fresh();
      const expected = new Float32Array(layout.size);
      let expectedLoss = 0;
      for (const g of groups) {
        const image = tf.tidy(() => tf.concat(g.map((i) => bg.images.slice([i, 0, 0, 0], [1, -1, -1, -1])))) as tf.Tensor4D;
        const r = shardGradients(model, layout, { ...bg, images: image, samples: g.map((i) => bg.samples[i]!) }, DEFAULT_LOSS_WEIGHTS, settings, slot);
        image.dispose();
        for (let k = 0; k < slot.length; k++) expected[k] += (g.length / 4) * slot[k]!;
        expectedLoss += (g.length / 4) * r.loss;
      }
      if (n === 4) {
        expect(expected).toEqual(perSample);
        expect(expectedLoss).toBe(lossPerSample);
      }
      const pool = await TrainWorkers.start(model, n);
      try {
        const r = await pool.gradients(fresh(), DEFAULT_LOSS_WEIGHTS, settings);
        expect(r.grads).toEqual(expected);
        expect(r.loss).toBe(expectedLoss);
        expect(Math.abs(r.loss - one.loss)).toBeLessThan(1e-5 * Math.max(1, one.loss));
        let d = 0;
        for (let i = 0; i < whole.length; i++) d = Math.max(d, Math.abs(r.grads[i]! - whole[i]!));
        expect(d, `${n} workers: max |grad diff| ${d} vs max |grad| ${scale}`).toBeLessThan(1e-4 * scale);
      } finally {
        await pool.close();
      }
    }
    batch.images.dispose();
    model.dispose();
  }, 600_000);

  it("2 workers: resume gives the uninterrupted losses; a NaN loss stops naming the step", async () => {
    const src = arraySource(drawExamples(4, 64, 22));
    const opts = { steps: 4, seed: 9, batchSize: 2, workers: 2 };
    const full = createDeal({ preset: "micro" }, 2);
    const ref = await trainDetector(full, src, opts);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-par-"));
    const first = createDeal({ preset: "micro" }, 2);
    const part = await trainDetector(first, src, { ...opts, checkpointDir: dir, stopAfter: 2 });
    expect(part.interrupted).toBe(true);
    expect(readManifest(dir).step).toBe(2);
    expect(readManifest(dir).train?.workers).toBe(2);
    const second = createDeal({ preset: "micro" }, 77);
    const rest = await trainDetector(second, src, { ...opts, checkpointDir: dir, resume: true });
    expect([...part.history, ...rest.history].map((h) => h.loss)).toEqual(ref.history.map((h) => h.loss));
    const err = await trainDetector(second, src, { ...opts, steps: 6, checkpointDir: dir, resume: true, lossWeights: { obj: NaN } }).catch((e) => e);
    expect(err).toBeInstanceOf(DealkitTrainingError);
    expect(err.message).toMatch(/loss is NaN at step 4 \(non-finite terms: obj\)/);
    expect(readManifest(dir).step).toBe(4);
    [full, first, second].forEach((m) => m.dispose());
  }, 600_000);
});
