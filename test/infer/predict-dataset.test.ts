import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Dataset } from "../../src/data/dataset.js";
import { saveImagePng } from "../../src/data/images.js";
import type { CocoResult } from "../../src/data/formats/coco-results.js";
import { mergeClassAgnostic, predictDataset } from "../../src/infer/predict-dataset.js";
import type { Click, Detections, PromptableDetector } from "../../src/structures/index.js";

// A stub detector with hand-made outputs per prompt category (xyxy px, score). The prompt of category 1 also
// lands on the category-2 object (a cross-prompt duplicate):
//   cat 1: [10,10,20,20] 0.9 (its own object), [30,30,35,35] 0.3 (on the cat-2 object)
//   cat 2: [30,31,35,36] 0.8 (its own object), [0,0,4,4] 0.2 (elsewhere)
// IoU([30,30,35,35], [30,31,35,36]) = inter 5*4 = 20 / union (25 + 25 - 20) = 2/3 by hand; the others do not overlap.
const OUTPUTS: Record<number, [number, number, number, number, number][]> = {
  1: [[10, 10, 20, 20, 0.9], [30, 30, 35, 35, 0.3]],
  2: [[30, 31, 35, 36, 0.8], [0, 0, 4, 4, 0.2]],
};

function stub(kind: "deal" | "baseline"): PromptableDetector {
  const detect = async (_img: unknown, clicks: readonly Click[]): Promise<Detections> => {
    const cats = kind === "deal" ? [...new Set(clicks.map((c) => c.categoryId!))] : [1, 2];
    const rows = cats.flatMap((c) => OUTPUTS[c]!.map((o) => ({ c, o })));
    return {
      length: rows.length,
      boxesXyxy: Float32Array.from(rows.flatMap((r) => r.o.slice(0, 4))),
      scores: Float32Array.from(rows.map((r) => r.o[4])),
      categoryIds: Int32Array.from(rows.map((r) => r.c)),
      clickIndex: Int32Array.from(rows.map(() => 0)),
    };
  };
  return { kind, inputSize: 40, detect, embedClicks: async () => [], detectWithEmbeddings: async () => detect(null, []), dispose: () => {} };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-predict-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function dataset(): Promise<Dataset> {
  await saveImagePng(path.join(dir, "a.png"), { width: 40, height: 40, data: new Uint8Array(40 * 40 * 3) });
  return Dataset.fromCoco(
    {
      images: [{ id: 1, width: 40, height: 40, file_name: "a.png" }],
      categories: [{ id: 1, name: "car" }, { id: 2, name: "person" }],
      annotations: [
        { id: 1, image_id: 1, category_id: 1, bbox: [10, 10, 10, 10], area: 100, iscrowd: 0 },
        { id: 2, image_id: 1, category_id: 2, bbox: [30, 30, 5, 5], area: 25, iscrowd: 0 },
      ],
    },
    { root: dir },
  );
}

const summary = (r: CocoResult[]) => r.map((d) => [d.category_id, ...d.bbox, d.score]);
const ALL = [[1, 10, 10, 10, 10, 0.9], [1, 30, 30, 5, 5, 0.3], [2, 30, 31, 5, 5, 0.8], [2, 0, 0, 4, 4, 0.2]];
const MERGED = [[1, 10, 10, 10, 10, 0.9], [2, 30, 31, 5, 5, 0.8], [2, 0, 0, 4, 4, 0.2]];

describe("predictDataset classAgnosticMerge", () => {
  for (const kind of ["deal", "baseline"] as const) {
    it(`${kind}: off by default; at IoU 0.5 the lower-scoring cross-prompt duplicate goes, the rest stays`, async () => {
      const ds = await dataset();
      expect(summary(await predictDataset(stub(kind), ds))).toEqual(ALL);
      expect(summary(await predictDataset(stub(kind), ds, { classAgnosticMerge: 0.5 }))).toEqual(MERGED);
      // IoU 2/3 is below 0.7: nothing merges.
      expect(summary(await predictDataset(stub(kind), ds, { classAgnosticMerge: 0.7 }))).toEqual(ALL);
    });
  }
  it("rejects a threshold outside (0, 1]", async () => {
    const ds = await dataset();
    await expect(predictDataset(stub("deal"), ds, { classAgnosticMerge: 0 })).rejects.toThrow(/classAgnosticMerge/);
    expect(() => mergeClassAgnostic([], 1.5)).toThrow(/classAgnosticMerge/);
  });
});

describe("mergeClassAgnostic", () => {
  it("merges within an image only, keeps input order and does not modify the input", () => {
    const input: CocoResult[] = [
      { image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], score: 0.6 },
      { image_id: 2, category_id: 2, bbox: [0, 0, 10, 10], score: 0.5 },
      { image_id: 1, category_id: 2, bbox: [1, 0, 10, 10], score: 0.9 }, // IoU 90 / 110 = 0.82 with the first
    ];
    const copy = structuredClone(input);
    expect(mergeClassAgnostic(input, 0.5)).toEqual([input[1], input[2]]);
    expect(input).toEqual(copy);
    // IoU 0.82 < 0.9: both kept.
    expect(mergeClassAgnostic(input, 0.9)).toEqual(input);
  });
});
