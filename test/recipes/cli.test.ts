import { runPredictCommand } from "../../src/cli/commands/predict.js";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { saveImagePng } from "../../src/data/images.js";
import { useFastBackend } from "../train/backend.js";
import { squaresImage, tmpFolder, writeMicroCheckpoint, writeSmallCoco } from "./fixtures.js";

const dir = tmpFolder("cli");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await useFastBackend();
});

/** Runs `dealkit ...args` in-process; returns what it wrote to stdout and stderr. */
async function dealkit(...args: string[]): Promise<{ out: string; err: string }> {
  let out = "", err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => ((err += String(s)), true));
  try {
    await main(["node", "dealkit", ...args]);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  return { out, err };
}

describe("dealkit predict", () => {
  it("names the ground truth the results belong to and prints a progress line every n images on stderr", async () => {
    const { gt, images } = await writeSmallCoco(dir);
    const model = writeMicroCheckpoint(dir);
    const dt = path.join(dir, "dt.json");
    const { out, err } = await dealkit("predict", "--model", model, "--gt", gt, "--images", images, "--progress-every", "1", "--backend", "wasm", "--out", dt);
    expect(err.split("\n").filter((l) => l.startsWith("predict: "))).toHaveLength(2);
    expect(err).toMatch(/predict: 1\/2 images .*\npredict: 2\/2 images/);
    expect(out).toContain(`results belong to ${path.resolve(gt)}: dealkit eval --gt ${path.resolve(gt)} --dt ${dt}`);
    expect(JSON.parse(fs.readFileSync(dt, "utf8")).length).toBeGreaterThan(0);
  });

  it("runs on a folder of photos with a clicks file", async () => {
    const photos = path.join(dir, "photos");
    await saveImagePng(path.join(photos, "x.png"), squaresImage(64, [[8, 8, 10, 10]]));
    const clicks = path.join(dir, "clicks.json");
    fs.writeFileSync(clicks, JSON.stringify({ "x.png": [{ x: 13, y: 13, categoryId: 1 }] }));
    const dt = path.join(dir, "own.json");
    const { out } = await dealkit("predict", "--model", writeMicroCheckpoint(dir), "--images", photos, "--clicks-file", clicks, "--backend", "wasm", "--out", dt);
    expect(out).toContain(`results belong to ${path.join(dir, "own.images.json")} (the image list)`);
  });

  it("refuses a bad --slice", async () => {
    const o = { model: "deal-tiny", slice: "8", out: path.join(dir, "x.json"), clicks: "per-category", sampler: "center", seed: "0", scoreThreshold: "0.001", maxDetections: "100", progressEvery: "10", backend: "cpu" };
    await expect(runPredictCommand(o)).rejects.toThrow(/--slice must be an integer in \[16, 16384\]; got "8"/);
  });
});
