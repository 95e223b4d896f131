import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { tf } from "../../src/backend/tf.js";
import { createBaseline, createDeal } from "../../src/model/index.js";
import { arraySource, loadCheckpoint, readManifest, saveCheckpoint, trainDetector, DealkitTrainingError } from "../../src/train/index.js";
import { drawExamples } from "./helpers.js";
import { iouXyxy } from "../../src/structures/iou.js";
import { useFastBackend } from "./backend.js";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-train-"));

describe("training", () => {
  beforeAll(async () => {
    await useFastBackend();
  });

  it("a micro DEAL overfits two images: the loss falls 4x and a click finds its object again", async () => {
    const src = arraySource(drawExamples(2, 64, 3, 3));
    const m = createDeal({ preset: "micro" }, 1);
    const r = await trainDetector(m, src, { steps: 400, batchSize: 2, lr: 3e-3, seed: 1, promptCycles: 0, augment: { scaleMin: 1, scaleMax: 1 } });
    const mean = (xs: { loss: number }[]) => xs.reduce((a, x) => a + x.loss, 0) / xs.length;
    expect(mean(r.history.slice(0, 5)) / mean(r.history.slice(-5))).toBeGreaterThan(4);
    // The clicked object itself must come back: a box with IoU >= 0.5 among the detections of its prompt.
    const ex = src.get(0);
    const g = ex.groundTruth;
    const [x1, y1, x2, y2] = [g.gtBoxesXyxy[0]!, g.gtBoxesXyxy[1]!, g.gtBoxesXyxy[2]!, g.gtBoxesXyxy[3]!];
    const dets = await m.detect(ex.image, [{ x: (x1 + x2) / 2, y: (y1 + y2) / 2, categoryId: g.gtCategoryIds[0]! }], { scoreThreshold: 0.05 });
    let best = 0;
    for (let i = 0; i < dets.length; i++) best = Math.max(best, iouXyxy(dets.boxesXyxy, i, [x1, y1, x2, y2], 0));
    expect(best).toBeGreaterThanOrEqual(0.5);
    m.dispose();
  }, 400_000); // ~40 s on an idle machine; much longer when the CPU is shared

  it("leaks no tensors over training steps (deal with pgcpp, deal with the class prior and pixel matching, baseline)", async () => {
    const src = arraySource(drawExamples(3, 64, 8));
    const m = createDeal({ preset: "micro" });
    const c = createDeal({ preset: "micro", classPrior: true, pixelMatch: true, numClasses: 2 });
    const b = createBaseline({ preset: "micro", numClasses: 2, categoryIds: [1, 2] });
    await trainDetector(m, src, { steps: 1, seed: 2 }); // backend warm-up
    await trainDetector(c, src, { steps: 1, seed: 2 });
    const before = tf.memory().numTensors;
    await trainDetector(m, src, { steps: 3, seed: 2, prompting: "pgcpp", promptCycles: 1 });
    await trainDetector(c, src, { steps: 2, seed: 2, prompting: "pgcpp", promptCycles: 1 });
    await trainDetector(b, src, { steps: 2, seed: 2 });
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
    c.dispose();
    b.dispose();
  });

  it("save/load round trip gives identical detections", async () => {
    const src = arraySource(drawExamples(3, 64, 9));
    const dir = tmp();
    const m = createDeal({ preset: "micro" }, 5);
    await trainDetector(m, src, { steps: 5, seed: 3, checkpointDir: dir });
    const img = src.get(0).image;
    const clicks = [{ x: 20, y: 20, categoryId: 1 }];
    const a = await m.detect(img, clicks, { scoreThreshold: 0 });
    const { model, manifest } = loadCheckpoint(dir);
    expect(manifest.step).toBe(5);
    const b = await model.detect(img, clicks, { scoreThreshold: 0 });
    expect(Array.from(b.boxesXyxy)).toEqual(Array.from(a.boxesXyxy));
    expect(Array.from(b.scores)).toEqual(Array.from(a.scores));
    const base = createBaseline({ preset: "micro", numClasses: 2, categoryIds: [1, 2] }, 1);
    saveCheckpoint(dir, { model: base, step: 0 });
    const back = loadCheckpoint(dir).model;
    expect(back.kind).toBe("baseline");
    expect(Array.from((await back.detect(img, [], { scoreThreshold: 0 })).scores)).toEqual(Array.from((await base.detect(img, [], { scoreThreshold: 0 })).scores));
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".bin"))).toHaveLength(1);
    [m, model, base, back].forEach((x) => x.dispose());
  });

  it("resumes after an interrupt with identical losses", async () => {
    const src = arraySource(drawExamples(4, 64, 10));
    const opts = { steps: 8, seed: 7, batchSize: 2, prompting: "pgcpp" as const, promptCycles: 1 };
    const full = createDeal({ preset: "micro" }, 4);
    const ref = await trainDetector(full, src, opts);
    const dir = tmp();
    const first = createDeal({ preset: "micro" }, 4);
    const ac = new AbortController();
    const part = await trainDetector(first, src, { ...opts, checkpointDir: dir, onProgress: (p) => { if (p.step === 3) ac.abort(); }, signal: ac.signal });
    expect(part.interrupted).toBe(true);
    expect(readManifest(dir).step).toBe(3);
    const second = createDeal({ preset: "micro" }, 99); // different init: everything must come from the checkpoint
    const rest = await trainDetector(second, src, { ...opts, checkpointDir: dir, resume: true });
    const losses = [...part.history, ...rest.history].map((h) => h.loss);
    expect(losses).toEqual(ref.history.map((h) => h.loss));
    [full, first, second].forEach((x) => x.dispose());
  });

  it("stops on a NaN loss naming the step, keeping the last good checkpoint", async () => {
    const src = arraySource(drawExamples(2, 64, 12));
    const dir = tmp();
    const m = createDeal({ preset: "micro" });
    await trainDetector(m, src, { steps: 2, seed: 1, checkpointDir: dir });
    const before = fs.readFileSync(path.join(dir, "manifest.json"), "utf8");
    const err = await trainDetector(m, src, { steps: 4, seed: 1, checkpointDir: dir, resume: true, lossWeights: { obj: NaN } }).catch((e) => e);
    expect(err).toBeInstanceOf(DealkitTrainingError);
    expect(err.message).toMatch(/loss is NaN at step 2 \(non-finite terms: obj\)/);
    expect(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")).toBe(before);
    m.dispose();
  });
});
