import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTrainCommand } from "../../src/cli/commands/train.js";
import { loadModel, modelForData, trainFromSpec } from "../../src/recipes/index.js";
import { readManifest } from "../../src/train/checkpoint.js";
import { useFastBackend } from "../train/backend.js";
import { tmpFolder, writeSmallCoco } from "./fixtures.js";

const dir = tmpFolder("train");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await useFastBackend();
});

describe("trainFromSpec", () => {
  it("trains on a COCO file with its image folder, the baseline with one class per category of the data", async () => {
    const { gt, images } = await writeSmallCoco(dir);
    const out = path.join(dir, "base");
    const r = await trainFromSpec({ kind: "baseline", preset: "micro", data: { gt, images }, steps: 2, batchSize: 2, seed: 1, out });
    expect(r.step).toBe(2);
    expect(r.images).toBe(2);
    expect(r.categoryIds).toEqual([1, 2]);
    const m = readManifest(out);
    expect(m.step).toBe(2);
    expect(m.config.kind).toBe("baseline");
    expect(m.config.categoryIds).toEqual([1, 2]);
    expect(fs.existsSync(path.join(dir, "base-train-log.jsonl"))).toBe(true);
    loadModel(out).model.dispose();
  });

  it("is what `dealkit train --gt --images` runs, and the same seed gives the same weights", async () => {
    const { gt, images } = await writeSmallCoco(dir);
    const common = { model: "deal", preset: "micro", gt, images, split: "train", steps: "2", seed: "3", prompting: "pgcpp", batch: "2", lr: "0.001", cycles: "1", checkpointEvery: "0", quiet: true };
    const a = await runTrainCommand({ ...common, out: path.join(dir, "a") });
    const b = await trainFromSpec({ kind: "deal", preset: "micro", data: { gt, images, split: "train" }, steps: 2, seed: 3, prompting: "pgcpp", batchSize: 2, lr: 0.001, promptCycles: 1, checkpointEvery: 0, out: path.join(dir, "b") });
    expect(a.images).toBe(1);
    expect(a.history.map((h) => h.loss)).toEqual(b.history.map((h) => h.loss));
    const bytes = (d: string) => fs.readFileSync(path.join(d, readManifest(d).weights.file));
    expect(bytes(path.join(dir, "a")).equals(bytes(path.join(dir, "b")))).toBe(true);
    await expect(runTrainCommand({ ...common, steps: "0", out: path.join(dir, "c") })).rejects.toThrow(/--steps must be an integer in \[1, 10000000\]; got "0"/);
  });
});

describe("modelForData", () => {
  it("sizes the baseline's classes from the data and leaves DEAL class-free", () => {
    const base = modelForData("baseline", [3, 8], { preset: "micro" });
    expect(base.config.numClasses).toBe(2);
    expect(base.config.categoryIds).toEqual([3, 8]);
    base.dispose();
    const deal = modelForData("deal", [3, 8], { preset: "micro" });
    expect(deal.config.categoryIds).toEqual([]);
    deal.dispose();
  });
});
