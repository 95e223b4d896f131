import { beforeAll, describe, expect, it } from "vitest";
import { tf } from "../../src/backend/tf.js";
import { createDeal, DEFAULT_LOSS_WEIGHTS } from "../../src/model/index.js";
import { drawBatch } from "../../src/train/batch.js";
import { arraySource } from "../../src/train/source.js";
import { Random } from "../../src/util/random.js";
import { useFastBackend } from "./backend.js";
import { drawExamples } from "./helpers.js";

describe("DEAL's decoder round (TrainingSettings.decoderRound)", () => {
  beforeAll(async () => {
    await useFastBackend();
  });

  it("'first' trains the decoder on the one-click prompts, 'last' on every click; the heatmap loss is the same", () => {
    const model = createDeal({ preset: "micro" }, 4);
    const batch = drawBatch(arraySource(drawExamples(4, 64, 31)), model.config.inputSize, 4, new Random(2), true);
    const terms = (decoderRound: "first" | "last" | undefined, promptCycles: number) =>
      tf.tidy(() => {
        // the loss adds cycle clicks to the samples in place: a fresh copy each time
        const r = model.trainingLoss({ ...batch, samples: structuredClone(batch.samples) }, DEFAULT_LOSS_WEIGHTS, { prompting: "pgcpp", promptCycles, objectnessDropout: 0.3, decoderRound });
        return Object.fromEntries(Object.entries(r.terms).map(([k, t]) => [k, t.dataSync()[0]!]));
      });
    const first = terms("first", 1), last = terms("last", 1);
    expect(first.prompt).toBe(last.prompt);
    expect(first.obj).toBe(last.obj);
    expect(first.decoderBox === last.decoderBox && first.decoderScore === last.decoderScore).toBe(false);
    // Settings without a round get the default, "first" (decided on val: src/model/README.md).
    expect(terms(undefined, 1)).toEqual(first);
    // With no extra cycle there is one round: the same decoder terms either way, and they are those of round one.
    const first0 = terms("first", 0), last0 = terms("last", 0);
    expect(first0).toEqual(last0);
    expect(first.decoderBox).toBe(first0.decoderBox);
    expect(first.decoderScore).toBe(first0.decoderScore);
    batch.images.dispose();
    model.dispose();
  });
});
