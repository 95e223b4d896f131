import {
  cocoMatch, cocoSummarize, evalFindThreshold, MATCH_TP, type CocoAccumulated,
} from "../eval/index.js";
import { DealkitConfigError } from "../util/errors.js";
import {
  bootstrapDtData, bootstrapGtData, bootstrapProtocol, bootstrapSpecs, type BootstrapDt, type BootstrapGt, type ImageWeightedOptions,
} from "./bootstrap-input.js";

/**
 * The evaluator re-weighted by image: match once (pycocotools' per-image matching does not depend on the other
 * images), then accumulate and summarise for any image multiset given as integer weights. This is what makes a
 * 1000-sample bootstrap take seconds.
 */

/** numpy's `np.spacing(1)`, as in cocoAccumulate's precision denominator. */
const EPS = 2.220446049250313e-16;

/** Summary numbers of one detector for any image multiset. */
export interface ImageWeightedEvaluator {
  /** The metric labels, in the order of {@link ImageWeightedEvaluator.evaluate}'s values. */
  labels: string[];
  /** Number of images (the GT's, in ascending id order: weight i belongs to `gt.imgIds[i]`). */
  nImgs: number;
  /**
   * The metric values when image i counts `weights[i]` times (non-negative integers): the numbers cocoEvaluate
   * gives on a GT/DT where each image is copied that many times under new ids that sort next to the original.
   */
  evaluate(weights: ArrayLike<number>): Float64Array;
}

/** One (area range, maxDets, IoU threshold) setting: its non-ignored slots as blocks of one image and one score. */
interface Setting {
  a: number;
  m: number;
  t: number;
  /** Blocks `kBlk[k] .. kBlk[k+1]-1` belong to accumulated category k. */
  kBlk: Int32Array;
  /** Entries `blkStart[b] .. blkStart[b+1]-1` form block b (same category, score and image). */
  blkStart: Int32Array;
  blkImg: Int32Array;
  /** Per entry: 1 for a true positive, 0 for a false positive. */
  entTp: Uint8Array;
  /** Per block: `image * 2 + tp` for a one-entry block (nearly all), `-1 - b` for a longer one. */
  code: Int32Array;
  /** Entries in longer blocks (each copy of such a block may add a point per entry). */
  multiEntries: number;
}

function buildSetting(match: ReturnType<typeof cocoMatch>, score: Float64Array, a: number, m: number, t: number): Setting {
  const p = match.params;
  const T = p.iouThrs.length;
  const nSlots = match.slotDet.length;
  const maxDet = p.maxDets[m]!;
  const cut = maxDet < p.maxDets[p.maxDets.length - 1]!;
  const base = (a * T + t) * nSlots;
  const K = match.nCats;
  const kBlk = new Int32Array(K + 1);
  const blkStart: number[] = [];
  const blkImg: number[] = [];
  const entTp: number[] = [];
  for (let k = 0; k < K; k++) {
    kBlk[k] = blkImg.length;
    let prevImg = -1;
    let prevScore = NaN;
    for (let s = match.catStart[k]!; s < match.catStart[k + 1]!; s++) {
      const st = match.state[base + s]!;
      if (st === 0 || (cut && match.slotRank[s]! >= maxDet)) continue;
      const img = match.slotImg[s]!;
      const sc = score[match.slotDet[s]!]!;
      // Same image and same score as the previous entry: the copies of an image repeat this whole block.
      if (img !== prevImg || sc !== prevScore) {
        blkStart.push(entTp.length);
        blkImg.push(img);
        prevImg = img;
        prevScore = sc;
      }
      entTp.push(st === MATCH_TP ? 1 : 0);
    }
  }
  kBlk[K] = blkImg.length;
  blkStart.push(entTp.length);
  const code = new Int32Array(blkImg.length);
  let multiEntries = 0;
  for (let b = 0; b < blkImg.length; b++) {
    const len = blkStart[b + 1]! - blkStart[b]!;
    if (len > 1) multiEntries += len;
    code[b] = len === 1 ? blkImg[b]! * 2 + entTp[blkStart[b]!]! : -1 - b;
  }
  return { a, m, t, kBlk, blkStart: Int32Array.from(blkStart), blkImg: Int32Array.from(blkImg), entTp: Uint8Array.from(entTp), code, multiEntries };
}

/**
 * Builds an {@link ImageWeightedEvaluator}: `cocoMatch` once, then per call an exact re-accumulation with image
 * multiplicities (only the settings the metrics need). Exact: with all weights 1 the values equal
 * `cocoEvaluate(gt, dt, same protocol)`'s bit for bit; with weights w they equal cocoEvaluate on the GT and
 * detections where image i is copied w[i] times under consecutive new ids in place of the original (this fixes
 * how score ties between the copies are broken; ties never reorder within pycocotools' per-image matching).
 *
 * Why it is exact: precision interpolated at a recall threshold is the largest precision at any point with at
 * least that recall, and that maximum is always reached at the end of a run of true positives, so only run ends
 * are kept; a run of w copies of one entry is one step of w.
 *
 * @example
 * const ev = imageWeightedEvaluator(gt, dt, { metrics: ["AP@.50|all|1500"] });
 * ev.evaluate(new Int32Array(ev.nImgs).fill(1)); // = cocoEvaluate(gt, dt, { protocol: "p2sod", classAgnostic: true })
 */
export function imageWeightedEvaluator(gtIn: BootstrapGt, dtIn: BootstrapDt, options: ImageWeightedOptions = {}): ImageWeightedEvaluator {
  const gt = bootstrapGtData(gtIn);
  const dt = bootstrapDtData(dtIn, gt, "detections");
  const protocol = bootstrapProtocol(options);
  const params = protocol.params;
  const specs = bootstrapSpecs(protocol, options.metrics);
  const match = cocoMatch(gt, dt, params);
  const T = params.iouThrs.length, R = params.recThrs.length, K = match.nCats, A = params.areaRanges.length, M = params.maxDets.length;
  const recThrs = Float64Array.from(params.recThrs);
  const nImgs = gt.imgIds.length;

  // The (a, m, t) settings the specs read; other entries of the arrays stay -1 and are never read.
  const settings: Setting[] = [];
  const seen = new Set<number>();
  for (const spec of specs) {
    const a = params.areaRanges.findIndex((r) => r.label === spec.area);
    const m = params.maxDets.indexOf(spec.maxDets);
    if (a < 0 || m < 0) continue;
    for (const v of spec.iouThrs) {
      const t = evalFindThreshold(params.iouThrs, v);
      const key = (a * M + m) * T + t;
      if (t < 0 || seen.has(key)) continue;
      seen.add(key);
      settings.push(buildSetting(match, dt.score, a, m, t));
    }
  }
  const nGroups = match.groupImg.length;
  const acc: CocoAccumulated = {
    shape: [T, R, K, A, M],
    precision: new Float64Array(T * R * K * A * M).fill(-1),
    recall: new Float64Array(T * K * A * M).fill(-1),
  };
  const npig = new Float64Array(K * A);
  let ptTp = new Float64Array(1024);
  let ptFp = new Float64Array(1024);
  const labels = specs.map((s) => s.label);

  const wts = new Int32Array(nImgs);
  /** Makes room for `need` points. */
  const room = (need: number) => {
    if (need <= ptTp.length) return;
    const cap = Math.max(need, ptTp.length * 2);
    const g1 = new Float64Array(cap); g1.set(ptTp); ptTp = g1;
    const g2 = new Float64Array(cap); g2.set(ptFp); ptFp = g2;
  };

  function evaluate(weights: ArrayLike<number>): Float64Array {
    if (weights.length !== nImgs) throw new DealkitConfigError(`weights must have one entry per image (${nImgs}); got ${weights.length}`);
    let maxW = 0;
    for (let i = 0; i < nImgs; i++) {
      const w = weights[i]!;
      if (!(Number.isInteger(w) && w >= 0 && w <= 0x7fffffff)) throw new DealkitConfigError(`weights must be non-negative integers; got ${w} at image index ${i}`);
      wts[i] = w;
      if (w > maxW) maxW = w;
    }
    npig.fill(0);
    for (let a = 0; a < A; a++) {
      for (let g = 0; g < nGroups; g++) npig[match.groupCat[g]! * A + a]! += wts[match.groupImg[g]!]! * match.groupNpig[a * nGroups + g]!;
    }
    for (const st of settings) {
      const { a, m, t, kBlk, blkStart, blkImg, entTp, code } = st;
      room(kBlk[K]! + st.multiEntries * maxW + 1);
      const pTp = ptTp, pFp = ptFp;
      for (let k = 0; k < K; k++) {
        const np = npig[k * A + a]!;
        const recIdx = ((t * K + k) * A + a) * M + m;
        if (np === 0) {
          acc.recall[recIdx] = -1;
          for (let r = 0; r < R; r++) acc.precision[(((t * R + r) * K + k) * A + a) * M + m] = -1;
          continue;
        }
        // Cumulative (tp, fp) before every false positive that follows a true positive (so at the end of every
        // run of true positives), and at the end. Entries of weight 0 may add a point that repeats an earlier
        // prefix: harmless, the points only feed a maximum. Branch-free for one-entry blocks.
        let tp = 0, fp = 0, n = 0, last = 0;
        const bEnd = kBlk[k + 1]!;
        for (let b = kBlk[k]!; b < bEnd; b++) {
          const c = code[b]!;
          if (c >= 0) {
            const isTp = c & 1;
            const w = wts[c >>> 1]!;
            pTp[n] = tp;
            pFp[n] = fp;
            n += last & (isTp ^ 1);
            tp += w * isTp;
            fp += w * (isTp ^ 1);
            last = isTp;
            continue;
          }
          const s = blkStart[-1 - c]!, e = blkStart[-c]!;
          const w = wts[blkImg[-1 - c]!]!;
          for (let r = 0; r < w; r++) {
            for (let i = s; i < e; i++) {
              const isTp = entTp[i]!;
              pTp[n] = tp;
              pFp[n] = fp;
              n += last & (isTp ^ 1);
              tp += isTp;
              fp += isTp ^ 1;
              last = isTp;
            }
          }
        }
        pTp[n] = tp;
        pFp[n] = fp;
        n++;
        acc.recall[recIdx] = tp / np;
        // q[r] = the largest precision among points with recall >= recThrs[r] (0 if none), as cocoAccumulate.
        let p = n - 1;
        let best = 0;
        for (let r = R - 1; r >= 0; r--) {
          const thr = recThrs[r]!;
          while (p >= 0 && pTp[p]! / np >= thr) {
            const pr = pTp[p]! / (pFp[p]! + pTp[p]! + EPS);
            if (pr > best) best = pr;
            p--;
          }
          acc.precision[(((t * R + r) * K + k) * A + a) * M + m] = best;
        }
      }
    }
    return Float64Array.from(cocoSummarize(acc, params, specs), (s) => s.value);
  }

  return { labels, nImgs, evaluate };
}
