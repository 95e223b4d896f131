import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Dataset, readCoco, readCocoStreaming, readCocoSync, writeCoco, parseCocoResults, writeCocoResults, readCocoResults, detectionsOfImage } from "../../src/data/index.js";
import { DealkitInputError } from "../../src/util/errors.js";
import { smallCoco, tmpDir } from "./fixtures.js";

const dir = tmpDir("coco");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function writeJson(name: string, obj: unknown): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, JSON.stringify(obj));
  return f;
}

function catchError(fn: () => unknown): DealkitInputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DealkitInputError) return err;
    throw err;
  }
  throw new Error("expected a DealkitInputError");
}

describe("COCO files", () => {
  it("round-trips through writeCoco / readCoco", async () => {
    const ds = Dataset.fromCoco(smallCoco());
    const f = path.join(dir, "rt.json");
    writeCoco(ds, f);
    const back = await readCoco(f);
    expect(back.toCoco()).toEqual(smallCoco());
    expect(JSON.parse(fs.readFileSync(f, "utf8"))).toEqual(smallCoco());
  });

  it("reads TinyPerson ignore categories and flags", () => {
    const coco = smallCoco();
    (coco.categories as unknown[]).push({ id: 3, name: "ignore" });
    (coco.annotations as unknown[]).push({ id: 13, image_id: 3, category_id: 3, bbox: [1, 1, 5, 5], iscrowd: 0 });
    const plain = Dataset.fromCoco(coco, { variant: "aitod" });
    expect(plain.annotation(3).ignore).toBe(false);
    const tp = Dataset.fromCoco(coco, { variant: "tinyperson" });
    expect(tp.annotation(3).ignore).toBe(true);
    expect(tp.annotation(1).ignore).toBe(true); // the `ignore` flag itself
    expect(tp.annotation(0).ignore).toBe(false);
  });

  it("names file, record and field in errors", () => {
    const cases: [(c: any) => void, RegExp][] = [
      [(c) => delete c.annotations[1].bbox, /^t\.json: annotation 11: field "bbox": missing required field$/],
      [(c) => (c.annotations[0].bbox = [1, 2, "3", 4]), /^t\.json: annotation 10: field "bbox": must be 4 finite numbers/],
      [(c) => (c.annotations[0].bbox = [1, 2, -3, 4]), /^t\.json: annotation 10: field "bbox": width and height must be >= 0/],
      [(c) => (c.annotations[2].image_id = 99), /^t\.json: annotation 12: field "image_id": unknown image id 99$/],
      [(c) => (c.annotations[2].category_id = 7), /^t\.json: annotation 12: field "category_id": unknown category id 7$/],
      [(c) => (c.annotations[2].id = 10), /^t\.json: annotation 10: field "id": duplicate annotation id 10/],
      [(c) => (c.images[2].id = 1), /^t\.json: image 1: field "id": duplicate image id 1/],
      [(c) => (c.images[1].width = 0), /^t\.json: image 2: field "width": must be > 0, got 0$/],
      [(c) => (c.images[1].height = "50"), /^t\.json: image 2: field "height": must be an integer, got "50"$/],
      [(c) => delete c.images[0].id, /^t\.json: images\[0\]: field "id": missing required field$/],
      [(c) => (c.images[0].file_name = "../../etc/passwd"), /^t\.json: image 1: field "file_name": "\.\.\/\.\.\/etc\/passwd" points outside/],
      [(c) => (c.images[0].file_name = "/abs/a.png"), /image 1: field "file_name": .* points outside/],
      [(c) => (c.categories[0].name = 5), /^t\.json: category 1: field "name": must be a string/],
      [(c) => (c.annotations[0].iscrowd = 2), /^t\.json: annotation 10: field "iscrowd": must be 0, 1, true or false/],
      [(c) => delete c.images, /^t\.json: field "images": missing required top-level array$/],
    ];
    for (const [k, [mutate, re]] of cases.entries()) {
      const c = smallCoco();
      mutate(c);
      expect(catchError(() => Dataset.fromCoco(c, { file: "t.json" })).message, `case ${k}`).toMatch(re);
    }
  });

  it("collects all errors in collect mode", () => {
    const c = smallCoco() as any;
    c.annotations[0].image_id = 99;
    c.annotations[1].category_id = 42;
    const ds = Dataset.fromCoco(c, { file: "t.json", errors: "collect" });
    const errors = ds.warnings.filter((w) => w.severity === "error");
    expect(errors.map((e) => [e.record, e.field, e.code])).toEqual([
      ["annotation 10", "image_id", "unknown-id"],
      ["annotation 11", "category_id", "unknown-id"],
    ]);
  });

  it("applies the box policy to boxes past the image", () => {
    const c = smallCoco() as any;
    c.annotations[0].bbox = [95, 70, 10, 20]; // image 1 is 100x80
    c.annotations[0].area = 200;
    const keep = Dataset.fromCoco(c, { file: "t.json" });
    expect(keep.annotation(0).bboxXywh).toEqual([95, 70, 10, 20]);
    expect(keep.warnings).toHaveLength(1);
    expect(keep.warnings[0]).toMatchObject({ severity: "warning", code: "box-outside-image", record: "annotation 10", field: "bbox", file: "t.json" });
    const clip = Dataset.fromCoco(c, { boxPolicy: "clip" });
    expect(clip.annotation(0).bboxXywh).toEqual([95, 70, 5, 10]);
    expect(clip.annotation(0).area).toBe(50);
    expect(c.annotations[0].bbox).toEqual([95, 70, 10, 20]); // input untouched
    const reject = Dataset.fromCoco(c, { boxPolicy: "reject" });
    expect(Array.from(reject.annotations.ids)).toEqual([11, 12]);
    expect(reject.warnings[0]!.message).toMatch(/dropped/);
  });

  it("warns once about dropped segmentation and keeps numeric attributes", () => {
    const c = smallCoco() as any;
    for (const a of c.annotations) a.segmentation = [[0, 0, 1, 1, 1, 0]];
    c.annotations[0].uncertain = true;
    const ds = Dataset.fromCoco(c);
    expect(ds.warnings.map((w) => w.code)).toEqual(["dropped-field"]);
    expect(ds.annotation(0).attributes).toEqual({ uncertain: 1 });
  });

  it("streams a file larger than the threshold to the same data set as JSON.parse", () => {
    // Strings with braces, commas, escapes and unicode inside, and enough rows for many batches and chunks.
    const c = smallCoco() as any;
    c.info = { description: 'braces } ] { [ , and "quotes" \\ and é ✓', year: 2026 };
    c.licenses = [{ id: 1, name: "x,}" }];
    c.extra_top = 5;
    for (let i = 0; i < 3000; i++) {
      c.annotations.push({ id: 100 + i, image_id: 1 + (i % 3), category_id: 1 + (i % 2), bbox: [i % 40, (i * 7) % 40, 1.25 + (i % 9), 2.5], iscrowd: 0, note: "}{" });
    }
    c.images.push({ id: 4, width: 10, height: 10, file_name: 'we"ird, {name}.png' });
    const f = writeJson("big.json", c);
    const size = fs.statSync(f).size;
    const inMemory = readCocoSync(f);
    const streamed = readCocoSync(f, { streamThresholdBytes: size - 1, chunkBytes: 4096, batchBytes: 1000 });
    expect(streamed.toCoco()).toEqual(inMemory.toCoco());
    expect(streamed.warnings).toEqual(inMemory.warnings);
    expect(streamed.numAnnotations).toBe(3003);
    // tiny chunks: tokens split at every position
    expect(readCocoStreaming(f, { chunkBytes: 7, batchBytes: 64 }).toCoco()).toEqual(inMemory.toCoco());
  });

  it("streams plain annotations through the byte-level parser to exactly the JSON.parse values", () => {
    const c = smallCoco() as any;
    const nums = ["0", "-0", "1.5", "0.1", "0.30000000000000004", "123456789012345678", "1e3", "2.5E-7", "-1.25e+2", "17.000", "0.0000001", "3.14159265358979", "1234.5678901234567"];
    const lines: string[] = [];
    for (let i = 0; i < 400; i++) {
      const x = nums[i % nums.length]!.replace("-", ""), w = nums[(i * 7 + 3) % nums.length]!.replace(/^-/, "");
      const wpos = Number(w) > 0 ? w : "2";
      const parts = [`"id":${1000 + i}`, `"image_id":${1 + (i % 3)}`, `"category_id":${1 + (i % 2)}`, `"bbox":[ ${x} ,${x},${wpos}, 4.25]`, `"iscrowd":${i % 5 === 0 ? 1 : 0}`];
      if (i % 2) parts.push(`"area":${nums[(i * 3) % nums.length]!.replace(/^-/, "")}`);
      if (i % 11 === 0) parts.push(`"ignore": ${i % 22 === 0 ? "true" : "1"}`);
      if (i % 13 === 0) parts.push(`"segmentation":[[1,2,3,4,5,6]]`);
      if (i % 17 === 0) parts.push(`"occluded":${i % 3}`);
      if (i % 4 === 1) parts.reverse();
      lines.push(`{ ${parts.join(i % 3 ? "," : " ,\n ")} }`);
    }
    const text = JSON.stringify({ ...c, annotations: [] }).replace('"annotations":[]', `"annotations":[\n${lines.join(",\n")}\n]`);
    const f = path.join(dir, "plain.json");
    fs.writeFileSync(f, text);
    const inMemory = readCocoSync(f);
    expect(inMemory.numAnnotations).toBe(400);
    for (const [chunkBytes, batchBytes] of [[1 << 20, 1 << 20], [4096, 512], [13, 1]]) {
      const streamed = readCocoStreaming(f, { chunkBytes, batchBytes });
      expect(streamed.toCoco()).toEqual(inMemory.toCoco());
      expect(streamed.warnings).toEqual(inMemory.warnings);
      for (const k of ["ids", "bboxXywh", "area"] as const) expect(Object.is(streamed.annotations[k][1], inMemory.annotations[k][1])).toBe(true);
    }
    // -0 survives exactly (Object.is), as JSON.parse gives it
    const neg = path.join(dir, "negzero.json");
    fs.writeFileSync(neg, JSON.stringify(smallCoco()).replace('"bbox":[1,2,3,4]', '"bbox":[-0,2,3,4]'));
    expect(Object.is(readCocoStreaming(neg).annotations.bboxXywh[0], -0)).toBe(true);
    // errors inside streamed annotations keep their messages
    const bad = path.join(dir, "badann.json");
    expect(text).toContain('"id":1007,');
    fs.writeFileSync(bad, text.replace('"id":1007,', '"id":1007.5,'));
    expect(catchError(() => readCocoStreaming(bad)).message).toMatch(/badann\.json: annotation 1007\.5: field "id": must be an integer, got 1007\.5$/);
    fs.writeFileSync(bad, text.replace('"id":1007,', '"id":1007,,'));
    expect(catchError(() => readCocoStreaming(bad)).message).toMatch(/badann\.json: invalid JSON .* at byte \d+$/);
  });

  it("streams arrays in any order and reports malformed files with the byte offset", () => {
    const f = path.join(dir, "order.json");
    const c = smallCoco();
    fs.writeFileSync(f, `\n{ "annotations" : ${JSON.stringify(c.annotations)} , "categories":${JSON.stringify(c.categories)},"images":${JSON.stringify(c.images)}, "info": {"description":"tiny"} }\n`);
    expect(readCocoStreaming(f, { chunkBytes: 16 }).toCoco()).toEqual(smallCoco());
    const bad = path.join(dir, "bad.json");
    fs.writeFileSync(bad, `{"images":[{"id":1,"width":2,"height":2,"file_name":"a"},{"id":2 "width":3}],"categories":[]}`);
    expect(catchError(() => readCocoStreaming(bad)).message).toMatch(/bad\.json: invalid JSON .* at byte 11$/);
    const empty = path.join(dir, "empty.json");
    fs.writeFileSync(empty, `{"images":[],"categories":[],"annotations":[ ]}`);
    expect(readCocoStreaming(empty).numAnnotations).toBe(0);
    const c2 = smallCoco();
    fs.writeFileSync(bad, JSON.stringify(c2).replace(/\}\]\}$/, "},]}"));
    for (const chunkBytes of [7, 1 << 16]) expect(catchError(() => readCocoStreaming(bad, { chunkBytes })).message).toMatch(/bad\.json: invalid JSON/);
    const truncated = path.join(dir, "trunc.json");
    fs.writeFileSync(truncated, `{"images":[{"id":1,"width":2,"height":2,"file_name":"a"}`);
    expect(catchError(() => readCocoStreaming(truncated)).message).toMatch(/ends inside a JSON value/);
    expect(catchError(() => readCocoSync(truncated)).message).toMatch(/trunc\.json: invalid JSON/);
  });
});

describe("COCO results", () => {
  it("round-trips and validates", async () => {
    const ds = Dataset.fromCoco(smallCoco());
    const res = parseCocoResults([
      { image_id: 1, category_id: 1, bbox: [0, 0, 4, 4], score: 0.9 },
      { image_id: 2, category_id: 2, bbox: [1, 1, 2, 2], score: 0.5 },
    ], { dataset: ds });
    const f = path.join(dir, "res.json");
    writeCocoResults(f, res);
    const back = await readCocoResults(f, { dataset: ds });
    expect(back).toEqual(res);
    expect(Array.from(detectionsOfImage(back, 2).boxesXyxy)).toEqual([1, 1, 3, 3]);
    expect(() => parseCocoResults([{ image_id: 7, category_id: 1, bbox: [0, 0, 1, 1], score: 1 }], { dataset: ds, file: "r.json" })).toThrow(/^r\.json: detection #0: field "image_id": unknown image id 7$/);
    expect(() => parseCocoResults([{ image_id: 1, category_id: 1, bbox: [0, 0, 1, 1] }], { file: "r.json" })).toThrow(/detection #0: field "score": missing/);
  });
});
