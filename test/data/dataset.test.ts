import { describe, expect, it } from "vitest";
import { AnnotationBuilder, Dataset } from "../../src/data/index.js";
import { DealkitInputError } from "../../src/util/errors.js";
import { smallCoco } from "./fixtures.js";

describe("Dataset", () => {
  const ds = Dataset.fromCoco(smallCoco(), { file: "t.json", root: "/data/x" });

  it("reads images, categories and columnar annotations", () => {
    expect(ds.images.length).toBe(3);
    expect(ds.numAnnotations).toBe(3);
    expect(Array.from(ds.annotations.bboxXywh.subarray(4, 8))).toEqual([5.5, 6, 7, 8]);
    expect(ds.category(2)).toEqual({ id: 2, name: "person", heldOut: true });
    expect(ds.image(1)).toMatchObject({ fileName: "a.png", domain: "uav", split: "train", extra: { license: 3 } });
    expect(ds.annotation(1)).toMatchObject({ id: 11, iscrowd: true, ignore: true, area: 50 });
    expect(ds.annotation(2).attributes).toEqual({ occlusion: 2 });
    expect(ds.imagePath(2)).toBe("/data/x/sub/b.png");
  });

  it("queries per image, category and domain", () => {
    expect(Array.from(ds.annotationsOfImage(1))).toEqual([0, 2]);
    expect(Array.from(ds.annotationsOfImage(3))).toEqual([]);
    expect(Array.from(ds.annotationsOfCategory(2))).toEqual([1, 2]);
    expect(ds.domains()).toEqual(["microscopy", "uav"]);
    expect(Array.from(ds.imagesOfDomain("uav"))).toEqual([0]);
    expect(Array.from(ds.annotationsOfDomain("microscopy"))).toEqual([1]);
    expect(ds.boxesOfImage(1).toRows()).toEqual([[1, 2, 3, 4], [0, 0, 2, 2]]);
  });

  it("round-trips through toCoco", () => {
    const coco = ds.toCoco();
    expect(coco).toEqual(smallCoco());
    expect(Dataset.fromCoco(coco).toCoco()).toEqual(coco);
  });

  it("filters images with their annotations", () => {
    const uav = ds.filterImages((im) => im.domain === "uav");
    expect(uav.images.map((i) => i.id)).toEqual([1]);
    expect(Array.from(uav.annotations.ids)).toEqual([10, 12]);
  });

  it("builds from parts and rejects unknown ids", () => {
    const b = new AnnotationBuilder();
    b.add({ imageId: 1, categoryId: 1, bboxXywh: [0, 0, 2, 2] });
    const parts = { images: [{ id: 1, width: 4, height: 4, fileName: "x.png" }], categories: [{ id: 1, name: "a" }], annotations: b.build() };
    expect(new Dataset(parts).numAnnotations).toBe(1);
    const bad = new AnnotationBuilder();
    bad.add({ imageId: 9, categoryId: 1, bboxXywh: [0, 0, 2, 2] });
    expect(() => new Dataset({ ...parts, annotations: bad.build() })).toThrow(DealkitInputError);
    expect(() => new Dataset({ ...parts, annotations: bad.build() })).toThrow(/annotation 1: field "image_id": unknown image id 9/);
  });

  it("grows columns, keeping absent attributes NaN", () => {
    const b = new AnnotationBuilder(16);
    b.add({ imageId: 1, categoryId: 1, bboxXywh: [0, 0, 1, 1], attributes: { occlusion: 2 } });
    for (let i = 0; i < 100; i++) b.add({ imageId: 1, categoryId: 1, bboxXywh: [i, 0, 1, 1] });
    const cols = b.build();
    expect(cols.ids.length).toBe(101);
    expect(cols.attributes.occlusion![0]).toBe(2);
    expect(cols.attributes.occlusion!.slice(1).every((v) => Number.isNaN(v))).toBe(true);
    expect(cols.bboxXywh[100 * 4]).toBe(99);
  });
});
