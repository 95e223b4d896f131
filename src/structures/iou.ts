import { DealkitConfigError } from "../util/errors.js";
import { Boxes, convertBoxArray } from "./boxes.js";

/** How two boxes are compared when matching or merging: intersection over union, or over the smaller box. */
export type MatchMetric = "iou" | "ios";

/**
 * A dense row-major matrix: `data[i * cols + j]` is the value for box i of the first set and box j of the
 * second.
 */
export interface PairwiseMatrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

/** The value at (i, j) of a {@link PairwiseMatrix}. */
export function matrixAt(m: PairwiseMatrix, i: number, j: number): number {
  return m.data[i * m.cols + j]!;
}

function xyxyOf(b: Boxes): Float64Array | Float32Array {
  return b.format === "xyxy" ? b.data : convertBoxArray(b.data, b.format, "xyxy");
}

function checkUnits(a: Boxes, b: Boxes, what: string): void {
  if (a.unit !== b.unit) throw new DealkitConfigError(`${what}: both box sets must have the same unit; got "${a.unit}" and "${b.unit}"`);
}

/** Shared pass: intersection, and the two areas, computed in float64 as torchvision does after upcasting. */
function pairwise(a: Boxes, b: Boxes, what: string, f: (inter: number, areaA: number, areaB: number, i: number, j: number) => number): PairwiseMatrix {
  checkUnits(a, b, what);
  const A = xyxyOf(a);
  const B = xyxyOf(b);
  const n = a.length;
  const m = b.length;
  const areaA = a.area();
  const areaB = b.area();
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const ax1 = A[i * 4]!, ay1 = A[i * 4 + 1]!, ax2 = A[i * 4 + 2]!, ay2 = A[i * 4 + 3]!;
    for (let j = 0; j < m; j++) {
      const w = Math.min(ax2, B[j * 4 + 2]!) - Math.max(ax1, B[j * 4]!);
      const h = Math.min(ay2, B[j * 4 + 3]!) - Math.max(ay1, B[j * 4 + 1]!);
      const inter = (w > 0 ? w : 0) * (h > 0 ? h : 0);
      out[i * m + j] = f(inter, areaA[i]!, areaB[j]!, i, j);
    }
  }
  return { rows: n, cols: m, data: out };
}

/**
 * Pairwise IoU, with torchvision.ops.box_iou semantics: areas are (x2-x1)*(y2-y1), the intersection is
 * clamped at 0, and IoU = inter / (areaA + areaB - inter), so two empty boxes give NaN (0/0) as in torch.
 * Both sets must share a unit; formats may differ.
 *
 * @example
 * const m = boxIou(Boxes.from([[0, 0, 2, 2]], "xyxy"), Boxes.from([[1, 0, 3, 2]], "xyxy"));
 * matrixAt(m, 0, 0); // 1/3
 */
export function boxIou(a: Boxes, b: Boxes): PairwiseMatrix {
  return pairwise(a, b, "boxIou", (inter, aa, ab) => inter / (aa + ab - inter));
}

/**
 * Pairwise intersection over the area of the first box (IoA): the fraction of box i of `a` covered by
 * box j of `b`. Used for ignore regions and tile clipping. An empty box of `a` gives NaN (0/0).
 *
 * @example
 * matrixAt(boxIoa(Boxes.from([[0, 0, 2, 2]], "xyxy"), Boxes.from([[1, 0, 3, 2]], "xyxy")), 0, 0); // 0.5
 */
export function boxIoa(a: Boxes, b: Boxes): PairwiseMatrix {
  return pairwise(a, b, "boxIoa", (inter, aa) => inter / aa);
}

/**
 * Pairwise generalized IoU (torchvision.ops.generalized_box_iou): IoU - (hull - union) / hull.
 *
 * @example
 * matrixAt(generalizedBoxIou(Boxes.from([[0, 0, 1, 1]], "xyxy"), Boxes.from([[2, 0, 3, 1]], "xyxy")), 0, 0); // -1/3
 */
export function generalizedBoxIou(a: Boxes, b: Boxes): PairwiseMatrix {
  const A = xyxyOf(a);
  const B = xyxyOf(b);
  return pairwise(a, b, "generalizedBoxIou", (inter, aa, ab, i, j) => {
    const union = aa + ab - inter;
    const iou = inter / union;
    const w = Math.max(A[i * 4 + 2]!, B[j * 4 + 2]!) - Math.min(A[i * 4]!, B[j * 4]!);
    const h = Math.max(A[i * 4 + 3]!, B[j * 4 + 3]!) - Math.min(A[i * 4 + 1]!, B[j * 4 + 1]!);
    const hull = (w > 0 ? w : 0) * (h > 0 ? h : 0);
    return iou - (hull - union) / hull;
  });
}

// Scalar overlaps of xyxy boxes stored 4 numbers per box in flat arrays (box i at a[4i .. 4i+3]): the one
// implementation NMS, merging, PG-CPP, training targets and the viz matcher share. Unlike the pairwise
// functions above (torchvision semantics: 0/0 is NaN), they return 0 where the union (or the smaller box) is
// empty. The evaluator (src/eval) keeps pycocotools' own arithmetic.

/**
 * The intersection area of box i of `a` and box j of `b` (0 when they do not overlap).
 *
 * @example
 * intersectionXyxy([0, 0, 2, 2], 0, [1, 0, 3, 2], 0); // 2
 */
export function intersectionXyxy(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number): number {
  const iw = Math.min(a[4 * i + 2]!, b[4 * j + 2]!) - Math.max(a[4 * i]!, b[4 * j]!);
  const ih = Math.min(a[4 * i + 3]!, b[4 * j + 3]!) - Math.max(a[4 * i + 1]!, b[4 * j + 1]!);
  return (iw > 0 ? iw : 0) * (ih > 0 ? ih : 0);
}

function areaXyxy(a: ArrayLike<number>, i: number): number {
  return (a[4 * i + 2]! - a[4 * i]!) * (a[4 * i + 3]! - a[4 * i + 1]!);
}

/**
 * IoU of box i of `a` and box j of `b` (xyxy, flat arrays): inter / (areaA + areaB - inter), 0 when they
 * do not overlap or the union is empty.
 *
 * @example
 * iouXyxy([0, 0, 2, 2], 0, [1, 0, 3, 2], 0); // 1/3
 */
export function iouXyxy(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number): number {
  const inter = intersectionXyxy(a, i, b, j);
  const union = areaXyxy(a, i) + areaXyxy(b, j) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Intersection over the smaller of the two boxes (catches a box cut by a slice border); 0 when they do not
 * overlap.
 *
 * @example
 * iosXyxy([0, 0, 4, 4], 0, [1, 1, 3, 3], 0); // 1 (the small box lies inside the large one)
 */
export function iosXyxy(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number): number {
  const inter = intersectionXyxy(a, i, b, j);
  if (inter === 0) return 0;
  const smaller = Math.min(areaXyxy(a, i), areaXyxy(b, j));
  return smaller > 0 ? inter / smaller : 0;
}

/**
 * {@link iouXyxy} or {@link iosXyxy}, by name.
 *
 * @example
 * overlapXyxy(boxes, 0, boxes, 1, "ios");
 */
export function overlapXyxy(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number, metric: MatchMetric): number {
  return metric === "iou" ? iouXyxy(a, i, b, j) : iosXyxy(a, i, b, j);
}

/**
 * Generalized IoU of box i of `a` and box j of `b`: IoU - (hull - union) / hull, where hull is the smallest
 * box holding both (the IoU when the hull is empty).
 *
 * @example
 * giouXyxy([0, 0, 1, 1], 0, [2, 0, 3, 1], 0); // -1/3
 */
export function giouXyxy(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number): number {
  const inter = intersectionXyxy(a, i, b, j);
  const union = areaXyxy(a, i) + areaXyxy(b, j) - inter;
  const iou = union > 0 ? inter / union : 0;
  const hull = (Math.max(a[4 * i + 2]!, b[4 * j + 2]!) - Math.min(a[4 * i]!, b[4 * j]!)) * (Math.max(a[4 * i + 3]!, b[4 * j + 3]!) - Math.min(a[4 * i + 1]!, b[4 * j + 1]!));
  return hull > 0 ? iou - (hull - union) / hull : iou;
}
