import { MATCH_TP, type CocoMatchData } from "./match.js";

/** numpy's `np.spacing(1)`, added to pycocotools' precision denominator. */
const EPS = 2.220446049250313e-16;

/**
 * pycocotools' `eval` arrays after `accumulate()`: `precision[t][r][k][a][m]` (flattened row-major, shape
 * `[T, R, K, A, M]`) and `recall[t][k][a][m]`, -1 where a setting has no non-ignored GT.
 */
export interface CocoAccumulated {
  /** `[T, R, K, A, M]`. */
  shape: [number, number, number, number, number];
  precision: Float64Array;
  recall: Float64Array;
}

/** Options of {@link cocoAccumulate}. */
export interface CocoAccumulateOptions {
  /** Only images whose index has a non-zero entry take part (pycocotools' `params.imgIds` subset). */
  imgMask?: Uint8Array;
}

/**
 * pycocotools' `accumulate()` over a {@link cocoMatch} result. For each category, area range, maxDets M and
 * IoU threshold: the first M detections of each image, ranked by descending score (ties: lower image index,
 * then group order); TP = matched and not ignored, FP = unmatched and not ignored; `rc = tp/npig`,
 * `pr = tp/(tp+fp+eps)`; precision made non-increasing from the right; `q[r] = pr[first i with rc[i] >=
 * recThrs[r]]`, 0 beyond the end. Ignored detections are skipped: they repeat their neighbour's values, so
 * the result is the same bit for bit.
 *
 * @example
 * const acc = cocoAccumulate(cocoMatch(gt, dt, params));
 */
export function cocoAccumulate(match: CocoMatchData, options: CocoAccumulateOptions = {}): CocoAccumulated {
  const p = match.params;
  const T = p.iouThrs.length;
  const R = p.recThrs.length;
  const K = match.nCats;
  const A = p.areaRanges.length;
  const M = p.maxDets.length;
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  const mask = options.imgMask;
  const nSlots = match.slotDet.length;
  const nGroups = match.groupImg.length;
  const { catStart, slotRank, slotImg, state, groupCat, groupImg, groupNpig } = match;

  // npig per (k, a) over the selected images.
  const npig = new Float64Array(K * A);
  for (let a = 0; a < A; a++) {
    for (let g = 0; g < nGroups; g++) {
      if (mask && !mask[groupImg[g]!]) continue;
      npig[groupCat[g]! * A + a]! += groupNpig[a * nGroups + g]!;
    }
  }
  let maxLen = 1;
  for (let k = 0; k < K; k++) maxLen = Math.max(maxLen, catStart[k + 1]! - catStart[k]!);
  const rc = new Float64Array(maxLen);
  const pr = new Float64Array(maxLen);

  const scratch = { rc, pr };
  for (let k = 0; k < K; k++) {
    accumulateCategory({ shape: [T, R, K, A, M], precision, recall }, p, k, (a) => npig[k * A + a]!, state, nSlots, slotRank, catStart[k]!, catStart[k + 1]!, scratch, mask ? { mask, slotImg } : undefined);
  }
  return { shape: [T, R, K, A, M], precision, recall };
}

/**
 * {@link cocoAccumulate} for one category `k`, into `out`: its slots are `[cs, ce)` of `state` (laid out
 * `state[(a*T + t)*stride + slot]`) and `rank` (rank in its image), in pycocotools' order (descending score, then
 * image, then rank); `npig(a)` its non-ignored GT count per area range. What the one-process accumulation and the
 * streamed, category-by-category one ({@link cocoAccumulateStreamed}) both run, so they agree bit for bit.
 */
export function accumulateCategory(
  out: CocoAccumulated, p: CocoMatchData["params"], k: number, npig: (a: number) => number, state: Uint8Array, stride: number, rank: ArrayLike<number>,
  cs: number, ce: number, scratch: { rc: Float64Array; pr: Float64Array }, masked?: { mask: Uint8Array; slotImg: Int32Array },
): void {
  const [T, R, K, A, M] = out.shape;
  const { precision, recall } = out;
  const recThrs = p.recThrs;
  const maxDetLast = p.maxDets[M - 1]!;
  let { rc, pr } = scratch;
  if (rc.length < ce - cs) {
    rc = scratch.rc = new Float64Array(ce - cs);
    pr = scratch.pr = new Float64Array(ce - cs);
  }
  const mask = masked?.mask;
  const slotImg = masked?.slotImg;
  for (let a = 0; a < A; a++) {
    const np = npig(a);
    if (np === 0) continue;
    for (let m = 0; m < M; m++) {
      const maxDet = p.maxDets[m]!;
      const cut = maxDet < maxDetLast;
      for (let t = 0; t < T; t++) {
        const base = (a * T + t) * stride;
        let n = 0;
        let tp = 0;
        let fp = 0;
        for (let s = cs; s < ce; s++) {
          const st = state[base + s]!;
          if (st === 0) continue;
          if (cut && rank[s]! >= maxDet) continue;
          if (mask && !mask[slotImg![s]!]) continue;
          if (st === MATCH_TP) tp++;
          else fp++;
          rc[n] = tp / np;
          pr[n] = tp / (fp + tp + EPS);
          n++;
        }
        recall[((t * K + k) * A + a) * M + m] = n > 0 ? rc[n - 1]! : 0;
        for (let i = n - 1; i > 0; i--) if (pr[i]! > pr[i - 1]!) pr[i - 1] = pr[i]!;
        let ptr = 0;
        for (let r = 0; r < R; r++) {
          const thr = recThrs[r]!;
          while (ptr < n && rc[ptr]! < thr) ptr++;
          precision[(((t * R + r) * K + k) * A + a) * M + m] = ptr < n ? pr[ptr]! : 0;
        }
      }
    }
  }
}
