/**
 * How a detection is compared with a GT box during matching. `iou` is pycocotools' (crowd GT: the union is
 * the detection's own area); `nwd` is the normalized Gaussian Wasserstein distance of Wang et al. (2021),
 * `exp(-W2/C)`, for tiny-object extras reported beside the COCO numbers.
 */
export type EvalSimilarity = { kind: "iou" } | { kind: "nwd"; c: number };

/** The NWD paper's constant for AI-TOD (mean absolute object size of the data set, in px). */
export const NWD_DEFAULT_C = 12.8;

/**
 * pycocotools' C `bbIou` for one pair, with the same order of operations (an ulp matters at thresholds):
 * `w = min(dx+dw, gx+gw) - max(dx, gx)`, 0 if `w <= 0`, `h` alike, union `dw*dh` for a crowd GT and
 * `dw*dh + gw*gh - w*h` otherwise. Boxes are `[x, y, w, h]` in px.
 *
 * @example
 * cocoBoxIouXywh(0, 0, 10, 10, 5, 0, 10, 10, false); // 1/3
 */
export function cocoBoxIouXywh(
  dx: number, dy: number, dw: number, dh: number,
  gx: number, gy: number, gw: number, gh: number, crowd: boolean,
): number {
  const w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
  if (w <= 0) return 0;
  const h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
  if (h <= 0) return 0;
  const i = w * h;
  const u = crowd ? dw * dh : dw * dh + gw * gh - i;
  return i / u;
}

/**
 * Normalized Gaussian Wasserstein distance between two `[x, y, w, h]` px boxes (Wang et al., 2021):
 * each box is a 2-D Gaussian N((cx, cy), diag(w²/4, h²/4)); `W2² = |c1-c2|² + ((w1-w2)/2)² + ((h1-h2)/2)²`
 * and `NWD = exp(-sqrt(W2²)/C)`. C defaults to {@link NWD_DEFAULT_C} (12.8, AI-TOD).
 *
 * @example
 * evalNwdXywh(0, 0, 8, 8, 1, 0, 8, 8); // exp(-1/12.8)
 */
export function evalNwdXywh(
  ax: number, ay: number, aw: number, ah: number,
  bx: number, by: number, bw: number, bh: number, c = NWD_DEFAULT_C,
): number {
  const dcx = ax + aw / 2 - (bx + bw / 2);
  const dcy = ay + ah / 2 - (by + bh / 2);
  const dw = (aw - bw) / 2;
  const dh = (ah - bh) / 2;
  return Math.exp(-Math.sqrt(dcx * dcx + dcy * dcy + dw * dw + dh * dh) / c);
}
