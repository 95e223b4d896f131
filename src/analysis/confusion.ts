import * as aq from "arquero";
import { Boxes } from "../structures/boxes.js";
import { boxIou } from "../structures/iou.js";
import type { AnalysisImage } from "./types.js";

/** The row / column label of "no object" in {@link confusionMatrix}. */
export const CONFUSION_BACKGROUND = -1;

/** Options of {@link confusionMatrix}. Defaults: iou 0.5, scoreThreshold 0.3. */
export interface ConfusionOptions {
  /** A detection and a ground truth of any category pair up at IoU >= this. Default 0.5. */
  iou?: number;
  /** Detections below this score are left out (the matrix describes what a user would see). Default 0.3. */
  scoreThreshold?: number;
}

/**
 * A detection confusion matrix between categories, for detections that carry the category of the click
 * that produced them. Detections (best score first) pair greedily with the highest-IoU unpaired ground truth
 * of any category; a pair counts (gt category, detected category). Unpaired detections count against
 * background (gtCategoryId -1) and unpaired ground truth as missed (detCategoryId -1). Crowd / ignore ground
 * truth is skipped. Returns a long arquero table: gtCategoryId, detCategoryId, count, fraction (of the row).
 *
 * @example
 * const m = confusionMatrix(images, { scoreThreshold: 0.5 });
 * m.filter((d) => d.gtCategoryId !== d.detCategoryId).print();
 */
export function confusionMatrix(images: readonly AnalysisImage[], options: ConfusionOptions = {}): aq.ColumnTable {
  const thr = options.iou ?? 0.5;
  const minScore = options.scoreThreshold ?? 0.3;
  const counts = new Map<string, number>();
  const add = (g: number, d: number): void => {
    const k = `${g},${d}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  };
  for (const img of images) {
    const gt: number[] = [];
    for (let g = 0; g < img.gtCategoryIds.length; g++) if (!img.gtIgnore?.[g]) gt.push(g);
    const det = img.detections;
    const order: number[] = [];
    for (let d = 0; d < det.length; d++) if (det.scores[d]! >= minScore) order.push(d);
    order.sort((p, q) => det.scores[q]! - det.scores[p]! || p - q);
    const gtBoxes = new Float64Array(gt.length * 4);
    gt.forEach((g, j) => gtBoxes.set(img.gtBoxesXyxy.subarray(4 * g, 4 * g + 4), 4 * j));
    const detBoxes = new Float64Array(order.length * 4);
    order.forEach((d, i) => detBoxes.set(det.boxesXyxy.subarray(4 * d, 4 * d + 4), 4 * i));
    const m = boxIou(new Boxes(detBoxes, "xyxy"), new Boxes(gtBoxes, "xyxy"));
    const paired = new Uint8Array(gt.length);
    order.forEach((d, i) => {
      let best = -1;
      let bestIou = thr;
      for (let j = 0; j < gt.length; j++) {
        const v = m.data[i * gt.length + j]!;
        if (!paired[j] && v >= bestIou) {
          best = j;
          bestIou = v;
        }
      }
      if (best >= 0) {
        paired[best] = 1;
        add(img.gtCategoryIds[gt[best]!]!, det.categoryIds[d]!);
      } else add(CONFUSION_BACKGROUND, det.categoryIds[d]!);
    });
    gt.forEach((g, j) => {
      if (!paired[j]) add(img.gtCategoryIds[g]!, CONFUSION_BACKGROUND);
    });
  }
  const rows = [...counts].map(([k, count]) => {
    const [g, d] = k.split(",").map(Number) as [number, number];
    return { gtCategoryId: g, detCategoryId: d, count };
  });
  rows.sort((a, b) => a.gtCategoryId - b.gtCategoryId || a.detCategoryId - b.detCategoryId);
  const rowTotal = new Map<number, number>();
  for (const r of rows) rowTotal.set(r.gtCategoryId, (rowTotal.get(r.gtCategoryId) ?? 0) + r.count);
  return aq.from(rows.map((r) => ({ ...r, fraction: r.count / rowTotal.get(r.gtCategoryId)! })));
}
