import * as fs from "node:fs";
import * as path from "node:path";
import { fixturesDir } from "../eval/fixtures.js";
import type { AnalysisImage } from "../../src/analysis/types.js";
import type { Detections } from "../../src/structures/index.js";

/** The COCO fixtures with pycocotools reference numbers (test/fixtures/coco, or $DEALKIT_FIXTURES). */
export const COCO_FIXTURES = fixturesDir();

/** Detections from rows [x1, y1, x2, y2, score, categoryId]; `exact` keeps float64 boxes (fixture fidelity). */
export function dets(rows: readonly (readonly number[])[], exact = false): Detections {
  const flat = rows.flatMap((r) => r.slice(0, 4));
  return {
    length: rows.length,
    boxesXyxy: exact ? (Float64Array.from(flat) as unknown as Float32Array) : Float32Array.from(flat),
    scores: Float32Array.from(rows.map((r) => r[4]!)),
    categoryIds: Int32Array.from(rows.map((r) => r[5]!)),
    clickIndex: new Int32Array(rows.length).fill(-1),
  };
}

/** An image from ground-truth rows [x1, y1, x2, y2, categoryId, ignore?] and detection rows. */
export function image(imageId: number, gt: readonly (readonly number[])[], det: readonly (readonly number[])[], domain?: string, exact = false): AnalysisImage {
  return {
    imageId,
    domain,
    gtBoxesXyxy: Float64Array.from(gt.flatMap((r) => r.slice(0, 4))),
    gtCategoryIds: Int32Array.from(gt.map((r) => r[4]!)),
    gtIgnore: Uint8Array.from(gt.map((r) => r[5] ?? 0)),
    detections: dets(det, exact),
  };
}

interface CocoGt {
  images: { id: number }[];
  annotations: { id: number; image_id: number; category_id: number; bbox: number[]; iscrowd: number }[];
}
interface CocoDt {
  image_id: number;
  category_id: number;
  bbox: number[];
  score: number;
}

/** Loads a fixture case as analysis images (xywh -> xyxy; detections keep file order) plus expected.json. */
export function loadCocoCase(name: string): { images: AnalysisImage[]; expected: Record<string, unknown> } {
  const dir = path.join(COCO_FIXTURES, name);
  const gt = JSON.parse(fs.readFileSync(path.join(dir, "gt.json"), "utf8")) as CocoGt;
  const dt = JSON.parse(fs.readFileSync(path.join(dir, "dt.json"), "utf8")) as CocoDt[];
  const expected = JSON.parse(fs.readFileSync(path.join(dir, "expected.json"), "utf8")) as Record<string, unknown>;
  const images = gt.images.map((im) => {
    const anns = gt.annotations.filter((a) => a.image_id === im.id);
    const ds = dt.filter((d) => d.image_id === im.id);
    return image(
      im.id,
      anns.map((a) => [a.bbox[0]!, a.bbox[1]!, a.bbox[0]! + a.bbox[2]!, a.bbox[1]! + a.bbox[3]!, a.category_id, a.iscrowd]),
      ds.map((d) => [d.bbox[0]!, d.bbox[1]!, d.bbox[0]! + d.bbox[2]!, d.bbox[1]! + d.bbox[3]!, d.score, d.category_id]),
      undefined,
      true,
    );
  });
  return { images, expected };
}
