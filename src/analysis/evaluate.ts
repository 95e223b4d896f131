import * as aq from "arquero";
import { cocoEvaluate, cocoLoadDt, cocoLoadGt, type CocoDetectionJson, type CocoGtJson, type EvalProtocolName } from "../eval/index.js";
import type { AnalysisImage } from "./types.js";

/**
 * The bridge from analysis images (ground truth + a model's detections) to the project's pycocotools-exact
 * evaluator (src/eval/), so ablation and generalisation numbers are the same numbers `dealkit eval` gives.
 */

/** Options of {@link analysisToCoco}. Default classAgnostic true. */
export interface AnalysisToCocoOptions {
  /**
   * Class-agnostic use (P2SOD): a detection whose category is not among the ground truth's (-1 from the
   * baseline or a click without a category) is filed under the first category, so the evaluator keeps it.
   * Default true.
   */
  classAgnostic?: boolean;
}

/**
 * COCO JSON (ground truth and detection results) for analysis images: xyxy -> xywh, domains kept, crowd /
 * ignore regions as iscrowd.
 *
 * @example
 * const { gt, dt } = analysisToCoco(images);
 */
export function analysisToCoco(images: readonly AnalysisImage[], options: AnalysisToCocoOptions = {}): { gt: CocoGtJson; dt: CocoDetectionJson[] } {
  const agnostic = options.classAgnostic ?? true;
  const cats = new Set<number>();
  for (const im of images) for (const c of im.gtCategoryIds) cats.add(c);
  if (cats.size === 0) cats.add(1);
  const catList = [...cats].sort((a, b) => a - b);
  const gt: CocoGtJson = { images: [], annotations: [], categories: catList.map((id) => ({ id, name: String(id) })) };
  const dt: CocoDetectionJson[] = [];
  let annId = 1;
  for (const im of images) {
    gt.images.push({ id: im.imageId, ...(im.domain ? { domain: im.domain } : {}) });
    const b = im.gtBoxesXyxy;
    for (let g = 0; g < im.gtCategoryIds.length; g++) {
      const w = b[4 * g + 2]! - b[4 * g]!;
      const h = b[4 * g + 3]! - b[4 * g + 1]!;
      gt.annotations.push({
        id: annId++, image_id: im.imageId, category_id: im.gtCategoryIds[g]!, bbox: [b[4 * g]!, b[4 * g + 1]!, w, h],
        area: im.gtAreaPx2?.[g] ?? w * h, iscrowd: im.gtIgnore?.[g] ? 1 : 0,
      });
    }
    const d = im.detections;
    for (let i = 0; i < d.length; i++) {
      let c = d.categoryIds[i]!;
      if (agnostic && !cats.has(c)) c = catList[0]!;
      const x1 = d.boxesXyxy[4 * i]!, y1 = d.boxesXyxy[4 * i + 1]!;
      // An inverted box (x2 < x1) has no area: width / height 0, as the evaluator requires non-negative sizes.
      const w = Math.max(0, d.boxesXyxy[4 * i + 2]! - x1), h = Math.max(0, d.boxesXyxy[4 * i + 3]! - y1);
      dt.push({ image_id: im.imageId, category_id: c, bbox: [x1, y1, w, h], score: d.scores[i]! });
    }
  }
  return { gt, dt };
}

/** The short metric names {@link p2sodMetrics} adds beside the evaluator's labels. */
export const P2SOD_METRIC_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  ap25: "AP@.25|all|1500",
  ap50: "AP@.50|all|1500",
  ap75: "AP@.75|all|1500",
  ap: "AP@[.50:.95]|all|1500",
  apVt: "AP@[.50:.95]|verytiny|1500",
  apT: "AP@[.50:.95]|tiny|1500",
  apS: "AP@[.50:.95]|small|1500",
  apM: "AP@[.50:.95]|medium|1500",
});

/**
 * Evaluates analysis images with a protocol of src/eval (default "p2sod": class-agnostic, AP .25/.5/.75 and
 * per AI-TOD size bin) and returns the summary numbers under short names (ap25, ap50, ap75, ap, apVt, apT,
 * apS, apM; -1 from the evaluator, "no ground truth", becomes NaN). Fits {@link AblationOptions.evaluate}.
 *
 * @example
 * const m = p2sodMetrics(images); m.ap50;
 */
export function p2sodMetrics(images: readonly AnalysisImage[], protocol: EvalProtocolName = "p2sod"): Record<string, number> {
  const { gt, dt } = analysisToCoco(images);
  const g = cocoLoadGt(gt);
  const ev = cocoEvaluate(g, cocoLoadDt(dt, g), { protocol });
  const out: Record<string, number> = {};
  for (const [short, label] of Object.entries(P2SOD_METRIC_ALIASES)) {
    const v = ev.results.stats[label];
    if (v !== undefined) out[short] = v < 0 ? NaN : v;
  }
  return out;
}

/**
 * P2SOD metrics per domain (plus "all"), as an arquero table: domain, numImages, then one column per metric.
 *
 * @example
 * p2sodByDomain(images).print();
 */
export function p2sodByDomain(images: readonly AnalysisImage[]): aq.ColumnTable {
  const domains = [...new Set(images.map((i) => i.domain ?? "all"))].sort();
  const groups = domains.length > 1 || domains[0] !== "all" ? [...domains, "all"] : ["all"];
  return aq.from(
    groups.map((d) => {
      const imgs = d === "all" ? images : images.filter((i) => (i.domain ?? "all") === d);
      return { domain: d, numImages: imgs.length, ...p2sodMetrics(imgs) };
    }),
  );
}
