import { cocoLoadDt, cocoLoadGt, type CocoDtData, type CocoGtData } from "../../eval/index.js";
import type { Detections } from "../../structures/detections.js";
import { DealkitInputError } from "../../util/errors.js";
import type { AnalysisImage } from "../types.js";
import type { TideCompatInput } from "./types.js";

/**
 * COCO files in, error-analysis inputs out: {@link tideCompatInputFromCoco} for the tidecv 1.0.1 mode and
 * {@link analysisImagesFromCoco} for dealkit's pycocotools-consistent {@link runTide}. Both validate with the
 * evaluator's loaders, so a bad file gets the same message (file, record, field) as `dealkit eval`.
 */

function rawArray(json: unknown, key: string): Record<string, unknown>[] {
  if (Array.isArray(json)) return json as Record<string, unknown>[];
  return ((json as Record<string, unknown>)[key] ?? []) as Record<string, unknown>[];
}

/**
 * The TIDE view of a COCO ground-truth object and results array (already parsed). Validation is
 * `cocoLoadGt` / `cocoLoadDt`'s; then, as TIDE's COCO loaders do: images keep the file's order, annotations
 * and detections keep file order, categories not listed in `categories` are kept (TIDE evaluates them), and
 * `iscrowd` makes an ignore region. Where TIDE's loader would crash or silently skip, this throws a
 * {@link DealkitInputError}: an annotation of an unlisted image, a detection of an image not in the GT.
 *
 * @example
 * const input = tideCompatInputFromCoco(cocoReadJsonFile("gt.json"), cocoReadJsonFile("dt.json"), "gt.json", "dt.json");
 */
export function tideCompatInputFromCoco(gtJson: unknown, dtJson: unknown, gtFile = "gt.json", dtFile = "dt.json"): TideCompatInput {
  const gt = cocoLoadGt(gtJson, gtFile);
  const dt = cocoLoadDt(dtJson, gt, dtFile);
  const images = rawArray(gtJson, "images");
  const anns = rawArray(gtJson, "annotations");
  const dets = rawArray(dtJson, "annotations");
  for (let i = 0; i < gt.n; i++) {
    if (gt.img[i] === -1) {
      throw new DealkitInputError(`image_id ${anns[i]!.image_id} is not listed in "images" (tidecv's COCO loader fails on it too)`, {
        file: gtFile, record: `annotation #${i} (id ${gt.annId[i]})`, field: "image_id",
      });
    }
  }
  return {
    imageIds: images.map((im) => im.id as number),
    gt: anns.map((a, i) => ({
      imageId: a.image_id as number,
      categoryId: a.category_id as number,
      bboxXywh: [gt.x[i]!, gt.y[i]!, gt.w[i]!, gt.h[i]!],
      crowd: gt.crowd[i] === 1,
    })),
    detections: dets.map((d, i) => ({
      imageId: d.image_id as number,
      categoryId: d.category_id as number,
      bboxXywh: [dt.x[i]!, dt.y[i]!, dt.w[i]!, dt.h[i]!],
      score: dt.score[i]!,
    })),
  };
}

/**
 * Analysis images (for {@link runTide} and {@link decomposeErrors}) from loaded COCO ground truth and detections,
 * the pycocotools way: images in ascending id order, annotations and detections of unlisted categories left
 * out (the loaders' warnings say how many), `iscrowd` as ignore, the `area` field kept. Boxes and scores stay
 * float64 (stored in the Float32Array-typed fields), so that thresholds and score ties fall exactly where
 * pycocotools puts them.
 *
 * @example
 * const { gt, dt } = cocoLoadFiles("gt.json", "dt.json");
 * const run = runTide(analysisImagesFromCoco(gt, dt));
 */
export function analysisImagesFromCoco(gt: CocoGtData, dt: CocoDtData): AnalysisImage[] {
  const gtRows: number[][] = Array.from(gt.imgIds, () => []);
  const dtRows: number[][] = Array.from(gt.imgIds, () => []);
  for (let i = 0; i < gt.n; i++) if (gt.img[i]! >= 0 && gt.cat[i]! >= 0) gtRows[gt.img[i]!]!.push(i);
  for (let i = 0; i < dt.n; i++) if (dt.cat[i]! >= 0) dtRows[dt.img[i]!]!.push(i);
  const xyxy = (d: CocoGtData | CocoDtData, rows: number[]): Float64Array =>
    Float64Array.from(rows.flatMap((i) => [d.x[i]!, d.y[i]!, d.x[i]! + d.w[i]!, d.y[i]! + d.h[i]!]));
  return Array.from(gt.imgIds, (imageId, k) => {
    const g = gtRows[k]!;
    const d = dtRows[k]!;
    const detections: Detections = {
      length: d.length,
      boxesXyxy: xyxy(dt, d) as unknown as Float32Array,
      scores: Float64Array.from(d, (i) => dt.score[i]!) as unknown as Float32Array,
      categoryIds: Int32Array.from(d, (i) => gt.catIds[dt.cat[i]!]!),
      clickIndex: new Int32Array(d.length).fill(-1),
    };
    return {
      imageId,
      domain: gt.imgDomains[k],
      gtBoxesXyxy: xyxy(gt, g),
      gtCategoryIds: Int32Array.from(g, (i) => gt.catIds[gt.cat[i]!]!),
      gtIgnore: Uint8Array.from(g, (i) => gt.crowd[i]!),
      gtIds: Int32Array.from(g, (i) => gt.annId[i]!),
      gtAreaPx2: Float64Array.from(g, (i) => gt.area[i]!),
      detections,
    };
  });
}
