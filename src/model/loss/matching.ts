import { munkres } from "munkres";
import { convertBoxArray } from "../../structures/boxes.js";
import { giouXyxy, iouXyxy } from "../../structures/iou.js";
import type { SampleTarget } from "./targets.js";

/** Weights of the matching cost (DETR / RT-DETR defaults): class 2, L1 5, GIoU 2. */
export const MATCH_COST = { cls: 2, l1: 5, giou: 2, alpha: 0.25, gamma: 2 } as const;

/** A matched pair: query j of the sample matched to ground-truth object k, with their IoU. */
export interface MatchPair {
  query: number;
  gt: number;
  iou: number;
}

/**
 * Hungarian set matching of one sample's first `active` queries to its ground truth, minimising
 * 2 * focal class cost + 5 * L1 + 2 * (-GIoU) (DETR's cost). Uses the `munkres` package (v2, rectangular
 * matrices, O(n^3)); each object gets exactly one query when there are at least as many queries.
 *
 * @param boxes the sample's predicted normalised cxcywh boxes, 4 per query
 * @param probs the sample's sigmoid scores, `classes` per query
 */
export function hungarianMatch(boxes: ArrayLike<number>, probs: ArrayLike<number>, classes: number, active: number, target: SampleTarget): MatchPair[] {
  const n = target.boxesCxcywhNorm.length;
  if (n === 0 || active === 0) return [];
  const gtFlat = target.boxesCxcywhNorm.flat();
  // Corners in float64 for the overlap terms (exact halves: cx - w / 2 as the cxcywh -> xyxy conversion computes it).
  const predXyxy = convertBoxArray(Float64Array.from({ length: active * 4 }, (_, i) => boxes[i]!), "cxcywh", "xyxy");
  const gtXyxy = convertBoxArray(Float64Array.from(gtFlat), "cxcywh", "xyxy");
  const cost: number[][] = [];
  const ious: number[][] = [];
  const { alpha, gamma } = MATCH_COST;
  for (let j = 0; j < active; j++) {
    const row: number[] = [];
    const iouRow: number[] = [];
    for (let k = 0; k < n; k++) {
      const p = Math.min(1 - 1e-8, Math.max(1e-8, probs[j * classes + target.labels[k]!]!));
      const pos = alpha * (1 - p) ** gamma * -Math.log(p);
      const neg = (1 - alpha) * p ** gamma * -Math.log(1 - p);
      let l1 = 0;
      for (let c = 0; c < 4; c++) l1 += Math.abs(boxes[j * 4 + c]! - gtFlat[k * 4 + c]!);
      const iou = iouXyxy(predXyxy, j, gtXyxy, k);
      const giou = giouXyxy(predXyxy, j, gtXyxy, k);
      const c = MATCH_COST.cls * (pos - neg) + MATCH_COST.l1 * l1 - MATCH_COST.giou * giou;
      row.push(Number.isFinite(c) ? c : 1e6);
      iouRow.push(iou);
    }
    cost.push(row);
    ious.push(iouRow);
  }
  return munkres(cost).map(([query, gt]) => ({ query, gt, iou: ious[query]![gt]! }));
}
