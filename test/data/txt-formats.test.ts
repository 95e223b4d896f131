import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Dataset, readDota, readVisDrone, readYolo, saveImagePng, writeCoco, readCoco, writeYolo, readDataset } from "../../src/data/index.js";
import { smallCoco, tmpDir } from "./fixtures.js";

const dir = tmpDir("txt");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function put(rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
}
const blank = (w: number, h: number) => ({ width: w, height: h, data: new Uint8Array(w * h * 3) });

beforeAll(async () => {
  await saveImagePng(path.join(dir, "vd/images/0001.png"), blank(100, 80));
  await saveImagePng(path.join(dir, "vd/images/0002.png"), blank(60, 40));
});

describe("VisDrone-DET", () => {
  it("reads boxes, ignored regions, others, truncation and occlusion", async () => {
    put("vd/annotations/0001.txt", "10,20,5,6,1,4,0,1\n0,0,30,30,0,0,0,0\n50,50,4,4,1,11,1,2,\n\n");
    put("vd/annotations/0002.txt", "1,1,2,2,0,1,0,0\r\n");
    const ds = await readVisDrone(path.join(dir, "vd/annotations"), { imagesDir: path.join(dir, "vd/images") });
    expect(ds.images.map((i) => [i.id, i.fileName, i.width, i.height])).toEqual([[1, "0001.png", 100, 80], [2, "0002.png", 60, 40]]);
    expect(ds.categories.map((c) => c.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(ds.annotation(0)).toEqual({ id: 1, imageId: 1, categoryId: 4, bboxXywh: [10, 20, 5, 6], area: 30, iscrowd: false, ignore: false, attributes: { truncation: 0, occlusion: 1 } });
    expect(ds.annotation(1)).toMatchObject({ categoryId: 0, iscrowd: true, ignore: true });
    expect(ds.annotation(2)).toMatchObject({ categoryId: 11, ignore: false, attributes: { truncation: 1, occlusion: 2 } });
    expect(ds.annotation(3)).toMatchObject({ imageId: 2, categoryId: 1, ignore: true }); // score 0 in ground truth
    const ign = await readVisDrone(path.join(dir, "vd/annotations"), { imagesDir: path.join(dir, "vd/images"), others: "ignore", ignoredRegions: "drop" });
    expect(ign.numAnnotations).toBe(3);
    expect(ign.annotation(1)).toMatchObject({ categoryId: 11, ignore: true });
    // VisDrone -> COCO keeps everything
    const f = path.join(dir, "vd.json");
    writeCoco(ds, f);
    expect((await readCoco(f)).toCoco()).toEqual(ds.toCoco());
  });

  it("reports the file, line and field", async () => {
    put("vd2/annotations/0001.txt", "10,20,5,6,1,4,0,1\n10,20,x,6,1,4,0,1\n");
    await expect(readVisDrone(path.join(dir, "vd2/annotations"), { imageSizes: { "0001.jpg": { width: 10, height: 10 } } })).rejects.toThrow(
      /vd2\/annotations\/0001\.txt: line 2: field "w": not a number: "x"$/,
    );
    put("vd3/annotations/0001.txt", "10,20,5,6,1,14,0,1\n");
    await expect(readVisDrone(path.join(dir, "vd3/annotations"), { imageSizes: { "0001.jpg": { width: 100, height: 100 } } })).rejects.toThrow(/0001\.txt: line 1: field "category": category must be an integer 0-11, got 14/);
    put("vd4/annotations/0001.txt", "8,8,5,6,1,4,0,1\n");
    const ds = await readVisDrone(path.join(dir, "vd4/annotations"), { imageSizes: { "0001.jpg": { width: 10, height: 10 } } });
    expect(ds.warnings[0]).toMatchObject({ code: "box-outside-image", record: "line 1", field: "bbox" });
    expect(ds.warnings[0]!.file).toMatch(/vd4\/annotations\/0001\.txt$/);
    await expect(readVisDrone(path.join(dir, "vd4/annotations"))).rejects.toThrow(/image sizes are needed/);
  });
});

describe("YOLO", () => {
  it("round-trips COCO -> YOLO -> COCO for what YOLO can hold", async () => {
    const src = Dataset.fromCoco(smallCoco());
    const out = path.join(dir, "yolo");
    const warnings = writeYolo(src, out);
    expect(warnings.map((w) => w.code)).toEqual(["dropped-annotation"]); // the crowd/ignore box
    expect(fs.readFileSync(path.join(out, "classes.txt"), "utf8")).toBe("car\nperson\n");
    expect(fs.readFileSync(path.join(out, "labels/a.txt"), "utf8")).toBe("0 0.025 0.05 0.03 0.05\n1 0.01 0.0125 0.02 0.025\n");
    expect(fs.readFileSync(path.join(out, "labels/sub/b.txt"), "utf8")).toBe("");
    const sizes = Object.fromEntries(src.images.map((i) => [i.fileName, { width: i.width, height: i.height }]));
    const back = await readYolo(path.join(out, "labels"), { imageSizes: sizes });
    expect(back.categories).toEqual([{ id: 1, name: "car" }, { id: 2, name: "person" }]);
    // images are numbered in file-name order
    const sizesOf = (d: Dataset) => d.images.map((i) => [i.fileName, i.width, i.height]).sort();
    expect(back.images.map((i) => i.fileName)).toEqual(["a.png", "c.png", "sub/b.png"]);
    expect(sizesOf(back)).toEqual(sizesOf(src));
    const kept = [0, 2];
    expect(back.numAnnotations).toBe(2);
    kept.forEach((row, j) => {
      const a = back.annotation(j), b = src.annotation(row);
      expect(a.categoryId).toBe(b.categoryId);
      expect(back.image(a.imageId)!.fileName).toBe(src.image(b.imageId)!.fileName);
      a.bboxXywh.forEach((v, k) => expect(v).toBeCloseTo(b.bboxXywh[k]!, 6));
    });
  });

  it("reports bad lines", async () => {
    put("y2/labels/a.txt", "0 0.5 0.5 0.1 0.1\n3 0.5 0.5 0.1 0.1\n");
    put("y2/classes.txt", "car\nperson\n");
    await expect(readYolo(path.join(dir, "y2/labels"), { imageSizes: { "a.png": { width: 10, height: 10 } } })).rejects.toThrow(/a\.txt: line 2: field "class": class must be an integer 0-1, got 3/);
    put("y3/labels/a.txt", "0 0.5 0.5 0.1\n");
    await expect(readYolo(path.join(dir, "y3/labels"), { classNames: ["x"], imageSizes: { "a.png": { width: 10, height: 10 } } })).rejects.toThrow(/a\.txt: line 1: expected 5 numbers/);
  });

  it("reads image sizes from an image folder", async () => {
    put("y4/labels/0001.txt", "0 0.5 0.5 0.1 0.25\n");
    const ds = await readDataset("yolo", path.join(dir, "y4/labels"), { images: path.join(dir, "vd/images"), classes: path.join(dir, "y2/classes.txt") });
    expect(ds.annotation(0).bboxXywh).toEqual([45, 30, 10, 20]);
    expect(ds.images).toHaveLength(2);
  });
});

describe("DOTA", () => {
  it("turns polygons into horizontal boxes and keeps difficult and the header", async () => {
    put("dota/labelTxt/P0001.txt", "imagesource:GoogleEarth\ngsd:0.146\n10 10 20 12 18 30 8 28 plane 0\n1 1 3 1 3 3 1 3 small-vehicle 1\n");
    const ds = await readDota(path.join(dir, "dota/labelTxt"), { imageSizes: { "P0001.png": { width: 100, height: 100 } } });
    expect(ds.categories).toEqual([{ id: 1, name: "plane" }, { id: 2, name: "small-vehicle" }]);
    expect(ds.images[0]!.extra).toEqual({ imagesource: "GoogleEarth", gsd: 0.146 });
    expect(ds.annotation(0)).toMatchObject({ categoryId: 1, bboxXywh: [8, 10, 12, 20], ignore: false, attributes: { difficult: 0 } });
    expect(ds.annotation(1)).toMatchObject({ categoryId: 2, bboxXywh: [1, 1, 2, 2], ignore: true, attributes: { difficult: 1 } });
    const f = path.join(dir, "dota.json");
    writeCoco(ds, f);
    expect((await readCoco(f)).toCoco()).toEqual(ds.toCoco());
    put("dota2/labelTxt/P0001.txt", "10 10 20 12 18 30 8 plane 0\n");
    await expect(readDota(path.join(dir, "dota2/labelTxt"), { imageSizes: { "P0001.png": { width: 100, height: 100 } } })).rejects.toThrow(/P0001\.txt: line 1: field "y4": not a number: "plane"/);
  });
});
