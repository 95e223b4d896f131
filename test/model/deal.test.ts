import { beforeAll, describe, expect, it } from "vitest";
import { tf } from "../../src/backend/tf.js";
import { allocateQueries, createBaseline, createDeal, DealModel, embedExemplars, exemplarLength, poolExemplarVectors } from "../../src/model/index.js";
import { imageToPaddedInput } from "../../src/model/ops.js";
import { exemplarFeatureDims, exemplarFromVectors, exemplarToVectors } from "../../src/model/point-embedding.js";
import { DealkitInputError } from "../../src/util/errors.js";
import { drawExamples } from "../train/helpers.js";
import { useFastBackend } from "../train/backend.js";

const ex = drawExamples(1, 64, 5)[0]!;

describe("DEAL model", () => {
  let backend = "";
  beforeAll(async () => {
    backend = await useFastBackend();
  });

  it.each([[false, false], [true, false], [false, true]])("produces shaped outputs: dense heads at stride 2, one heatmap per prompt, decoder boxes per query (classPrior %s, pixelMatch %s)", (classPrior, pixelMatch) => {
    const m = createDeal({ preset: "micro", classPrior, pixelMatch, numClasses: 3 });
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const e = m.net.encode(tf.zeros([2, 64, 64, 3]));
      expect(e.dense.obj.shape).toEqual([2, 32, 32, 1]);
      expect(e.dense.size.shape).toEqual([2, 32, 32, 2]);
      expect(e.dense.offset.shape).toEqual([2, 32, 32, 2]);
      expect(e.dense.embed!.shape).toEqual([2, 32, 32, m.config.embedDim]);
      expect(e.dense.cls?.shape ?? null).toEqual(classPrior ? [2, 32, 32, 3] : null);
      expect(e.f.f4.shape).toEqual([2, 16, 16, m.config.dModel]);
      expect(e.pix?.levels.map((t) => t.shape) ?? null).toEqual(pixelMatch ? [[2, 64, 64, 3], [2, 32, 32, 3], [2, 16, 16, 3]] : null);
      expect(e.pix?.norms.map((t) => t.shape) ?? null).toEqual(pixelMatch ? [[2, 32, 32, 1], [2, 32, 32, 1], [2, 16, 16, 1]] : null);
      const ex = embedExemplars(e.f, e.dense, tf.fill([2, 3, 2, 2], 0.5) as tf.Tensor4D, tf.tensor3d([[[1, 0], [1, 1], [0, 0]], [[1, 0], [1, 0], [1, 0]]]), e.pix);
      expect(ex.pix?.map((t) => t.shape) ?? null).toEqual(pixelMatch ? [[2, 3, 48], [2, 3, 75], [2, 3, 75]] : null);
      expect(ex.embed.shape).toEqual([2, 3, m.config.embedDim]);
      expect(ex.size.shape).toEqual([2, 3, 2]);
      expect(ex.cls?.shape ?? null).toEqual(classPrior ? [2, 3, 3] : null);
      const heat = m.net.promptHeat(e, ex);
      expect(heat.shape).toEqual([2, 3, 32, 32]);
      const qs = allocateQueries(heat.dataSync() as Float32Array, { batch: 2, prompts: 3, h: 32, w: 32 }, e.dense.size.dataSync() as Float32Array, e.dense.offset.dataSync() as Float32Array, m.config);
      for (const row of qs.counts) for (const c of row) expect(c).toBeGreaterThanOrEqual(0);
      const out = m.net.decode(e, tf.zeros([2, 64, 64, 3]), qs, m.net.queryContext(e, ex, qs, 64, 64));
      expect(out.boxes).toHaveLength(m.config.decoderLayers);
      expect(out.boxes[0]!.shape).toEqual([2, qs.perImage, 4]);
      expect(out.logits[0]!.shape).toEqual([2, qs.perImage]);
    });
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it.each([[false, false], [true, false], [false, true]])("detects with the category and click of each prompt, without leaking tensors (classPrior %s, pixelMatch %s)", async (classPrior, pixelMatch) => {
    const m = createDeal({ preset: "micro", classPrior, pixelMatch, numClasses: 3 }, 3);
    const clicks = [{ x: 10, y: 12, categoryId: 7 }, { x: 40, y: 30, categoryId: 9 }, { x: 41, y: 31, categoryId: 7 }];
    await m.detect(ex.image, clicks); // warm-up (backend kernels may allocate once)
    const before = tf.memory().numTensors;
    const dets = await m.detect(ex.image, clicks, { scoreThreshold: 0 });
    expect(tf.memory().numTensors).toBe(before);
    expect(dets.length).toBeGreaterThan(0);
    expect(dets.boxesXyxy.length).toBe(dets.length * 4);
    for (let i = 0; i < dets.length; i++) {
      const cat = dets.categoryIds[i]!;
      expect([7, 9]).toContain(cat);
      expect(dets.clickIndex[i]).toBe(cat === 7 ? 0 : 1);
      expect(dets.boxesXyxy[i * 4 + 2]!).toBeLessThanOrEqual(64);
    }
    const few = await m.detect(ex.image, clicks, { scoreThreshold: 0, maxDetections: 2 });
    expect(few.length).toBeLessThanOrEqual(4);
    const embs = await m.embedClicks(ex.image, clicks);
    expect(embs.map((e) => e.clickIndex)).toEqual([0, 1, 2]);
    expect(embs[0]!.vector.length).toBe(exemplarLength(m.config));
    const viaEmb = await m.detectWithEmbeddings(ex.image, embs, { scoreThreshold: 0 });
    expect(Array.from(viaEmb.scores)).toEqual(Array.from(dets.scores));
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it("exemplar vectors pooled per prompt (what detect and embedClicks use) give the heatmap of the training path's exemplars (class prior and pixel matching on)", () => {
    const m = createDeal({ preset: "micro", classPrior: true, pixelMatch: true, numClasses: 3 }, 4);
    tf.tidy(() => {
      for (const [, v] of m.params.entries()) v.assign(v.add(tf.randomNormal(v.shape, 0, 0.05, "float32", 5)));
    });
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const e = m.net.encode(imageToPaddedInput(ex.image, m.net.padMultiple));
      // Two prompts of two clicks each (x, y in [0, 1] of the 64 px input).
      const clicks = [[0.2, 0.3], [0.6, 0.7], [0.5, 0.1], [0.85, 0.4]];
      const train = embedExemplars(e.f, e.dense, tf.tensor4d(clicks.flat(), [1, 2, 2, 2]), tf.ones([1, 2, 2]) as tf.Tensor3D, e.pix);
      const perClick = exemplarToVectors(embedExemplars(e.f, e.dense, tf.tensor4d(clicks.flat(), [1, 4, 1, 2]), tf.ones([1, 4, 1]) as tf.Tensor3D, e.pix));
      const v = perClick.arraySync().map((r) => Float32Array.from(r));
      const pooled = poolExemplarVectors([[v[0]!, v[1]!], [v[2]!, v[3]!]], exemplarFeatureDims(m.config));
      const viaVectors = exemplarFromVectors(tf.tensor2d(pooled, [2, pooled.length / 2]), m.config);
      const a = m.net.promptHeat(e, train), b = m.net.promptHeat(e, viaVectors);
      expect(a.abs().max().dataSync()[0]!).toBeGreaterThan(0.01);
      expect(a.sub(b).abs().max().dataSync()[0]!).toBeLessThan(1e-4);
    });
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it("rejects a click off the image, naming its index and coordinates", async () => {
    const m = createDeal({ preset: "micro" });
    const err = await m.detect(ex.image, [{ x: 5, y: 5 }, { x: 70, y: -1 }]).catch((e) => e);
    expect(err).toBeInstanceOf(DealkitInputError);
    expect(err.message).toMatch(/click #1: click at \(70, -1\) is outside the 64x64 image/);
    await expect(m.detect(ex.image, [{ x: NaN, y: 2 }])).rejects.toThrow(/click #0: coordinates must be finite/);
    m.dispose();
  });

  it("allocates queries at inference by the inference budget (inferenceCountScale / inferenceCountMargin), not the training rule", async () => {
    // No decoder, no NMS, no threshold: every allocated query is a detection. An untrained micro model's heatmap sits
    // at its 0.01 prior, so a 64 px image has far more peaks than either budget; the count estimate is the same
    // whatever the budget, so the margins' difference is the difference in detections.
    const counts: number[] = [];
    for (const inferenceCountMargin of [4, 12]) {
      const m = createDeal({ preset: "micro", decoderLayers: 0, minQueries: 1, maxQueries: 64, countMargin: 40, inferenceCountScale: 1, inferenceCountMargin }, 3);
      const d = await m.detect(ex.image, [{ x: 20, y: 20 }], { scoreThreshold: 0, nmsIou: 1, maxDetections: 1000 });
      counts.push(d.length);
      m.dispose();
    }
    expect(counts[1]! - counts[0]!).toBe(8);
    expect(counts[0]!).toBeLessThan(40); // the training margin alone would allocate at least 40
  });

  it("baseline ignores clicks and returns class detections", async () => {
    const b = createBaseline({ preset: "micro", numClasses: 2, categoryIds: [4, 8] });
    expect(b.kind).toBe("baseline");
    await b.detect(ex.image, []);
    const before = tf.memory().numTensors;
    const d = await b.detect(ex.image, [{ x: 1, y: 1 }], { scoreThreshold: 0 });
    expect(tf.memory().numTensors).toBe(before);
    expect(d.length).toBeGreaterThan(0);
    expect(new Set(d.categoryIds)).toEqual(new Set([...d.categoryIds].filter((c) => c === 4 || c === 8)));
    expect(Array.from(d.clickIndex).every((c) => c === -1)).toBe(true);
    expect(await b.embedClicks()).toEqual([]);
    b.dispose();
    expect(backend).toMatch(/wasm|cpu/);
    expect(createDeal({ preset: "micro" })).toBeInstanceOf(DealModel);
  });
});
