import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { Boxes, boxIoa, boxIou, convertBoxArray, generalizedBoxIou, matrixAt } from "../../src/structures/index.js";

// Reference values from torchvision (test/fixtures/make_box_refs.py), never from the code under test.
const refs = JSON.parse(fs.readFileSync(path.join(__dirname, "../fixtures/box_refs.json"), "utf8")) as Record<string, number[][]>;

function expectMatrix(m: { rows: number; cols: number; data: Float64Array }, ref: number[][]): void {
  expect(m.rows).toBe(ref.length);
  expect(m.cols).toBe(ref[0]!.length);
  ref.forEach((row, i) => row.forEach((v, j) => expect(matrixAt(m, i, j)).toBeCloseTo(v, 10)));
}

describe("Boxes against torchvision", () => {
  const a = Boxes.from(refs.a_xyxy!, "xyxy");
  const b = Boxes.from(refs.b_xyxy!, "xyxy");

  it("converts formats like box_convert", () => {
    a.to("xywh").toRows().forEach((r, i) => r.forEach((v, k) => expect(v).toBeCloseTo(refs.a_xywh![i]![k]!, 10)));
    a.to("cxcywh").toRows().forEach((r, i) => r.forEach((v, k) => expect(v).toBeCloseTo(refs.a_cxcywh![i]![k]!, 10)));
    // and back
    a.to("cxcywh").to("xywh").to("xyxy").toRows().forEach((r, i) => r.forEach((v, k) => expect(v).toBeCloseTo(refs.a_xyxy![i]![k]!, 10)));
  });

  it("computes box_iou", () => expectMatrix(boxIou(a, b), refs.iou!));
  it("computes box_iou from other formats", () => expectMatrix(boxIou(a.to("cxcywh"), b.to("xywh")), refs.iou!));
  it("computes generalized_box_iou", () => expectMatrix(generalizedBoxIou(a, b), refs.giou!));
});

describe("Boxes basics", () => {
  it("computes IoA over the first box", () => {
    const m = boxIoa(Boxes.from([[0, 0, 2, 2]], "xyxy"), Boxes.from([[1, 0, 3, 2], [0, 0, 10, 10]], "xyxy"));
    expect(Array.from(m.data)).toEqual([0.5, 1]);
  });
  it("gives NaN for two empty boxes, as torch does", () => {
    expect(Number.isNaN(boxIou(Boxes.from([[1, 1, 1, 1]], "xyxy"), Boxes.from([[1, 1, 1, 1]], "xyxy")).data[0])).toBe(true);
  });
  it("refuses mixed units and bad formats", () => {
    expect(() => boxIou(Boxes.from([[0, 0, 1, 1]], "xyxy", "norm"), Boxes.from([[0, 0, 1, 1]], "xyxy"))).toThrow(/same unit/);
    expect(() => new Boxes(new Float64Array(4), "xyzw" as never)).toThrow(/"xyxy", "xywh", "cxcywh"/);
    expect(() => new Boxes(new Float64Array(5), "xyxy")).toThrow(/multiple of 4/);
  });
  it("normalizes, clips, translates and selects without touching the input", () => {
    const data = new Float64Array([-2, 4, 12, 6]);
    const b = new Boxes(data, "xywh");
    expect(b.toNorm(20, 10).toRows()).toEqual([[-0.1, 0.4, 0.6, 0.6]]);
    expect(b.toNorm(20, 10).toPx(20, 10).toRows()).toEqual([[-2, 4, 12, 6]]);
    expect(b.clip(8, 8).toRows()).toEqual([[0, 4, 8, 4]]);
    expect(b.translate(1, 2).toRows()).toEqual([[-1, 6, 12, 6]]);
    expect(b.area()[0]).toBe(72);
    expect(Array.from(data)).toEqual([-2, 4, 12, 6]);
    const f32 = new Boxes(new Float32Array([0, 0, 1, 1, 2, 2, 3, 3]), "xyxy");
    const s = f32.select([1]);
    expect(s.data).toBeInstanceOf(Float32Array);
    expect(s.toRows()).toEqual([[2, 2, 3, 3]]);
    expect(Array.from(convertBoxArray(new Float64Array([5, 5, 2, 4]), "cxcywh", "xyxy"))).toEqual([4, 3, 6, 7]);
  });
});
