import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tf } from "../../src/backend/tf.js";
import { saveImagePng } from "../../src/data/images.js";
import { detectSliced } from "../../src/infer/sliced.js";
import { loadModel, openDataset, predictFromSpec, readClicksFile, resolveModelDir, SHIPPED_MODELS } from "../../src/recipes/index.js";
import { useFastBackend } from "../train/backend.js";
import { squaresImage, tmpFolder, writeMicroCheckpoint, writeSmallCoco } from "./fixtures.js";

const dir = tmpFolder("predict");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await useFastBackend();
});

describe("loadModel", () => {
  it("resolves the shipped names to datasets/models and loads a checkpoint folder", () => {
    for (const name of SHIPPED_MODELS) expect(resolveModelDir(name)).toMatch(new RegExp(`datasets[/\\\\]models[/\\\\]${name}$`));
    const ckpt = writeMicroCheckpoint(dir);
    const before = tf.memory().numTensors;
    const m = loadModel(ckpt);
    expect(m.name).toBe("ckpt-deal");
    expect(m.model.kind).toBe("deal");
    expect(m.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    m.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
  it("lists the shipped names when given neither", () => {
    expect(() => loadModel(path.join(dir, "nothing"))).toThrow(/nothing: not a model: give a shipped model \(deal-tiny, deal-tiny-random, baseline-tiny\), a reference \(template\) or a checkpoint folder/);
  });
});

describe("readClicksFile", () => {
  it("maps file names to clicks and names the file, image, click and field of each problem", async () => {
    const photos = path.join(dir, "photos");
    await saveImagePng(path.join(photos, "a.png"), squaresImage(64, [[10, 10, 8, 8]]));
    const ds = (await openDataset({ images: photos })).dataset;
    const file = path.join(dir, "clicks.json");
    const write = (v: unknown) => fs.writeFileSync(file, JSON.stringify(v));
    write({ "a.png": [{ x: 14, y: 14, categoryId: 3 }, { x: 50, y: 50 }] });
    expect(readClicksFile(file, ds).get(1)).toEqual([{ x: 14, y: 14, categoryId: 3 }, { x: 50, y: 50 }]);
    write({ "b.png": [] });
    expect(() => readClicksFile(file, ds)).toThrow(`${file}: "b.png": no image "b.png" in the data`);
    write({ "a.png": [{ x: "14", y: 14 }] });
    expect(() => readClicksFile(file, ds)).toThrow(`${file}: "a.png" click #0: field "x": must be a finite number of pixels, got "14"`);
    write({ "a.png": [{ x: 1, y: 1 }, { x: 99, y: 1 }] });
    expect(() => readClicksFile(file, ds)).toThrow(`${file}: "a.png" click #1: click at (99, 1) is outside the 64x64 image`);
    write({ "a.png": [{ x: 1, y: 1, categoryId: 1.5 }] });
    expect(() => readClicksFile(file, ds)).toThrow(/field "categoryId": must be an integer, got 1.5/);
    write([1, 2]);
    expect(() => readClicksFile(file, ds)).toThrow(/must hold an object from image file name to a list of clicks/);
    fs.writeFileSync(file, "{ nope");
    expect(() => readClicksFile(file, ds)).toThrow(/cannot read clicks/);
  });
});

describe("predictFromSpec", () => {
  it("runs on unannotated images with clicks per image, writes the results and the image list they belong to", async () => {
    const photos = path.join(dir, "own");
    await saveImagePng(path.join(photos, "p1.png"), squaresImage(64, [[10, 10, 8, 8], [40, 40, 8, 8]]));
    await saveImagePng(path.join(photos, "p2.png"), squaresImage(64, [[20, 20, 6, 6]]));
    const clicks = path.join(dir, "own-clicks.json");
    fs.writeFileSync(clicks, JSON.stringify({ "p1.png": [{ x: 14, y: 14, categoryId: 5 }] }));
    const model = writeMicroCheckpoint(dir);
    const out = path.join(dir, "own-dt.json");
    const progress: number[] = [];
    const r = await predictFromSpec({ model, data: { images: photos }, clicksFile: clicks, scoreThreshold: 0, out, onProgress: (done) => progress.push(done) });
    expect(progress).toEqual([1, 2]);
    expect(r.images).toBe(2);
    // DEAL detects only where clicked: image 1 (p1.png); p2.png has no clicks.
    expect(r.results.length).toBeGreaterThan(0);
    expect(new Set(r.results.map((d) => d.image_id))).toEqual(new Set([1]));
    expect(new Set(r.results.map((d) => d.category_id))).toEqual(new Set([5]));
    expect(JSON.parse(fs.readFileSync(out, "utf8"))).toEqual(r.results);
    expect(r.gtFile).toBe(path.join(dir, "own-dt.images.json"));
    const list = JSON.parse(fs.readFileSync(r.gtFile!, "utf8"));
    expect(list.images.map((im: { id: number; file_name: string }) => [im.id, im.file_name])).toEqual([[1, "p1.png"], [2, "p2.png"]]);
    expect(list.categories).toEqual([{ id: 5, name: "5" }]);
    // The list records the results written with it (readers refuse a pair a crash left mismatched).
    expect(list.dealkit_results).toEqual({ file: "own-dt.json", sha256: createHash("sha256").update(fs.readFileSync(out)).digest("hex") });
    await expect(predictFromSpec({ model, data: { images: photos } })).rejects.toThrow(/ckpt-deal takes clicks, and unannotated images have none to sample: give --clicks-file/);
    const base = await predictFromSpec({ model: writeMicroCheckpoint(dir, "baseline"), data: { images: photos }, scoreThreshold: 0 });
    expect(new Set(base.results.map((d) => d.image_id))).toEqual(new Set([1, 2])); // no clicks needed
    await expect(predictFromSpec({ model: "deal-huge", data: { images: photos } })).rejects.toThrow(/deal-huge: not a model/);
  });

  it("runs on a COCO file and names it as the ground truth; sliced inference gives what detectSliced gives", async () => {
    const { gt, images } = await writeSmallCoco(path.join(dir, "coco"));
    const model = writeMicroCheckpoint(dir);
    const whole = await predictFromSpec({ model, data: { gt, images }, scoreThreshold: 0 });
    expect(whole.gtFile).toBe(path.resolve(gt));
    expect(new Set(whole.results.map((d) => d.image_id))).toEqual(new Set([7, 9]));

    const sliced = await predictFromSpec({ model, data: { gt, images, split: "train" }, scoreThreshold: 0, slice: 32, overlap: 0.25 });
    // The same clicks (centre of one object per category, seed 0 as predictDataset samples them), by hand:
    // image 7 holds category 1 at [10, 10, 8, 8] and category 2 at [40, 30, 6, 6].
    const clicks = [{ x: 14, y: 14, categoryId: 1 }, { x: 43, y: 33, categoryId: 2 }];
    const m = loadModel(model);
    const direct = await detectSliced(m.model, { ...squaresImage(64, [[10, 10, 8, 8], [40, 30, 6, 6]]) }, clicks, { scoreThreshold: 0, sliceSize: 32, overlap: 0.25 });
    m.model.dispose();
    expect(direct.detections.length).toBeGreaterThan(0);
    expect(sliced.results.length).toBe(direct.detections.length);
    expect(sliced.results.map((d) => d.score)).toEqual(Array.from(direct.detections.scores, (s) => Math.round(s * 1e5) / 1e5));
    await expect(predictFromSpec({ model, data: { gt, images }, overlap: 0.2 })).rejects.toThrow(/--overlap goes with --slice/);
    await expect(predictFromSpec({ model, data: { gt, images }, sliceBatch: 2 })).rejects.toThrow(/--slice-batch goes with --slice/);
    const oneByOne = await predictFromSpec({ model, data: { gt, images, split: "train" }, scoreThreshold: 0, slice: 32, overlap: 0.25, sliceBatch: 1 });
    expect(oneByOne.results).toEqual(sliced.results);
  });
});
