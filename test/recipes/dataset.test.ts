import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { saveImagePng } from "../../src/data/images.js";
import { openDataset } from "../../src/recipes/index.js";
import { DealkitConfigError, DealkitInputError } from "../../src/util/errors.js";
import { squaresImage, tmpFolder, writeSmallCoco } from "./fixtures.js";

const dir = tmpFolder("dataset");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The error a promise rejects with. */
async function failure(p: Promise<unknown>): Promise<any> {
  return p.then(() => {
    throw new Error("expected a failure");
  }, (e) => e);
}

describe("openDataset on an annotation file", () => {
  it("reads a COCO file with its image root, every ground-truth column filled", async () => {
    const { gt, images } = await writeSmallCoco(path.join(dir, "coco"));
    const o = await openDataset({ gt, images });
    expect(o.dataset.images.map((im) => im.id)).toEqual([7, 9]);
    expect(o.gtFile).toBe(path.resolve(gt));
    expect(o.annotated).toBe(true);
    const g = o.dataset.groundTruth(7);
    // Hand-derived: bbox [10, 10, 8, 8] -> corners [10, 10, 18, 18]; [40, 30, 6, 6] -> [40, 30, 46, 36].
    expect(Array.from(g.gtBoxesXyxy)).toEqual([10, 10, 18, 18, 40, 30, 46, 36]);
    expect(Array.from(g.gtBoxesXywh!)).toEqual([10, 10, 8, 8, 40, 30, 6, 6]);
    expect(Array.from(g.gtCategoryIds)).toEqual([1, 2]);
    expect(Array.from(g.gtAreaPx2!)).toEqual([64, 36]);
    expect(Array.from(g.gtIds!)).toEqual([1, 2]);
    expect([g.width, g.height]).toEqual([64, 64]);
    const val = await openDataset({ gt, images, split: "val" });
    expect(val.dataset.images.map((im) => im.fileName)).toEqual(["sub/b.png"]);
  });

  it("reads the other formats through the same spec (VisDrone labels folder)", async () => {
    const vd = path.join(dir, "visdrone");
    fs.mkdirSync(path.join(vd, "annotations"), { recursive: true });
    await saveImagePng(path.join(vd, "images", "0001.png"), squaresImage(64, [[5, 6, 7, 8]]));
    fs.writeFileSync(path.join(vd, "annotations", "0001.txt"), "5,6,7,8,1,4,0,0\n30,30,4,4,0,0,0,0\n");
    const o = await openDataset({ gt: path.join(vd, "annotations"), images: path.join(vd, "images"), format: "visdrone" });
    expect(o.gtFile).toBeUndefined();
    const g = o.dataset.groundTruth(1);
    expect(Array.from(g.gtBoxesXyxy)).toEqual([5, 6, 12, 14, 30, 30, 34, 34]);
    expect(Array.from(g.gtIgnore!)).toEqual([0, 1]); // category 0: an ignored region
  });

  it("names the file, record and field of every bad spec", async () => {
    const { gt, images, coco } = await writeSmallCoco(path.join(dir, "bad"));
    let e = await failure(openDataset({ gt, images, format: "pascal" }));
    expect(e).toBeInstanceOf(DealkitConfigError);
    expect(e.message).toMatch(/--format must be one of "coco", "aitod", "tinyperson", "visdrone", "yolo", "dota"; got "pascal"/);

    e = await failure(openDataset({ gt }));
    expect(e).toBeInstanceOf(DealkitInputError);
    expect(e.message).toBe(`${gt}: needs an image root: give --images DIR, the folder its image file names are relative to`);

    e = await failure(openDataset({ gt, images: path.join(dir, "nowhere") }));
    expect(e.message).toBe(`${path.join(dir, "nowhere")}: image folder not found`);

    const missing = path.join(dir, "bad", "missing.json");
    fs.writeFileSync(missing, JSON.stringify({ ...coco, images: [...coco.images, { id: 11, width: 64, height: 64, file_name: "c.png" }] }));
    e = await failure(openDataset({ gt: missing, images }));
    expect(e.file).toBe(missing);
    expect(e.record).toBe("image 11");
    expect(e.field).toBe("file_name");
    expect(e.message).toContain(`image file not found: ${path.join(path.resolve(images), "c.png")}`);

    const empty = path.join(dir, "bad", "empty.json");
    fs.writeFileSync(empty, JSON.stringify({ images: [], annotations: [], categories: coco.categories }));
    e = await failure(openDataset({ gt: empty, images }));
    expect(e.message).toBe(`${empty}: field "images": lists no images: there is nothing to train on or predict for`);

    e = await failure(openDataset({ gt, images, split: "test" }));
    expect(e.message).toMatch(/field "split": no image has split "test"; the splits in this file are "train", "val"/);

    e = await failure(openDataset({ gt: path.join(dir, "none.json"), images }));
    expect(e.message).toBe(`${path.join(dir, "none.json")}: no such file or folder`);
  });

  it("rejects mixed or wrong data options", async () => {
    await expect(openDataset({ data: "default", gt: "x.json" })).rejects.toThrow(/either --data .* or --gt FILE with --images DIR, not both/);
    await expect(openDataset({ data: dir })).rejects.toThrow(/not a TinySet-mini folder \(no manifest.json\)/);
    await expect(openDataset({ data: path.join(dir, "nowhere") })).rejects.toThrow(/no such folder/);
    await expect(openDataset({ data: "default", split: "dev" })).rejects.toThrow(/--split must be one of "train", "val", "test", "heldout-categories", "heldout-dataset"; got "dev"/);
    await expect(openDataset({ data: "default", images: dir })).rejects.toThrow(/--images goes with --gt/);
    await expect(openDataset({ data: "default", format: "yolo" })).rejects.toThrow(/--format and --classes describe an annotation file: they go with --gt FILE --images DIR/);
  });
});

describe("openDataset on a folder of unannotated images", () => {
  it("lists the images in path order with their sizes, and says when there are none", async () => {
    const photos = path.join(dir, "photos");
    await saveImagePng(path.join(photos, "z.png"), squaresImage(32, []));
    await saveImagePng(path.join(photos, "a", "b.png"), squaresImage(40, []));
    const o = await openDataset({ images: photos });
    expect(o.annotated).toBe(false);
    expect(o.gtFile).toBeUndefined();
    expect(o.dataset.images.map((im) => [im.id, im.fileName, im.width])).toEqual([[1, "a/b.png", 40], [2, "z.png", 32]]);
    fs.mkdirSync(path.join(dir, "no-photos"));
    await expect(openDataset({ images: path.join(dir, "no-photos") })).rejects.toThrow(/no-photos: no image files/);
  });
});
