import type { CocoDtData, CocoGtData } from "./load.js";
import type { EvalParams } from "./params.js";
import { evalCountingSort, evalSortByScoreDesc } from "./order.js";
import { cocoBoxIouXywh, evalNwdXywh, type EvalSimilarity } from "./similarity.js";

/** Detection state in {@link CocoMatchData.state}: not counted (ignored, e.g. matched to a crowd GT). */
export const MATCH_IGNORED = 0;
/** Detection state: a true positive (matched to a non-ignored GT). */
export const MATCH_TP = 1;
/** Detection state: a false positive (unmatched, inside the area range). */
export const MATCH_FP = 2;

/**
 * The outcome of pycocotools' `evaluate()` for every image, category, area range and IoU threshold, in a
 * compact layout that `accumulate` reads sequentially.
 *
 * Detections that take part (the top `maxDets[-1]` of each image/category group) are "slots", ordered as
 * accumulate consumes them: by accumulated category, descending score, ascending image index, then rank in
 * the group (so ties rank lower image ids first, then group order: file order, or category then file
 * order when class-agnostic).
 */
export interface CocoMatchData {
  params: EvalParams;
  similarity: EvalSimilarity;
  /** Number of images (indices into `gt.imgIds`). */
  nImgs: number;
  /** Number of accumulated categories: the GT's categories, or 1 when class-agnostic. */
  nCats: number;
  /** Slots `catStart[k] .. catStart[k+1]-1` belong to accumulated category k. */
  catStart: Int32Array;
  /** Per slot: the detection index (file order), image index and rank within its image/category group. */
  slotDet: Int32Array;
  slotImg: Int32Array;
  slotRank: Int32Array;
  /** `state[(a*T + t)*nSlots + slot]`: MATCH_IGNORED, MATCH_TP or MATCH_FP. */
  state: Uint8Array;
  /** Image/category groups holding any GT: image, accumulated category, and non-ignored GT count per area. */
  groupImg: Int32Array;
  groupCat: Int32Array;
  /** `groupNpig[a*nGroups + g]`: non-ignored GT of group g in area range a. */
  groupNpig: Int32Array;
  /** When requested: per slot, the GT annotation index matched at `recorded` (TP only), else -1. */
  matchedGt?: Int32Array;
  /** When requested: per slot, the similarity (IoU) of that TP match, else 0. */
  matchedIou?: Float64Array;
  recorded?: { areaIndex: number; iouIndex: number };
}

/** Options of {@link cocoMatch}. */
export interface CocoMatchOptions {
  /** Similarity used for matching; default pycocotools IoU. */
  similarity?: EvalSimilarity;
  /** Keep the matched GT of each TP at this (area range, IoU threshold) pair, for localisation extras. */
  record?: { areaIndex: number; iouIndex: number };
}

/** Indices `i < n` with `keep(i)`, ascending (file order). */
function keptIndices(n: number, keep: (i: number) => boolean): Int32Array {
  const out = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) if (keep(i)) out[k++] = i;
  return out.slice(0, k);
}

/**
 * pycocotools' `evaluate()` (computeIoU + evaluateImg) for all images, categories, area ranges and IoU
 * thresholds at once. Pure: inputs are not modified.
 *
 * Per image/category group (per image when class-agnostic): GT in file order (class-agnostic: by category,
 * then file order); detections stably sorted by descending score and cut to `maxDets[-1]`. For every area
 * range the non-ignored GT are scanned first; for every IoU threshold each detection, in order, takes the
 * unmatched (or crowd) GT with the highest IoU >= min(t, 1-1e-10), the later GT winning ties, and stops at
 * the ignored GT once it holds a non-ignored one.
 *
 * @example
 * const m = cocoMatch(gt, dt, evalParams());
 */
export function cocoMatch(gt: CocoGtData, dt: CocoDtData, params: EvalParams, options: CocoMatchOptions = {}): CocoMatchData {
  const similarity = options.similarity ?? { kind: "iou" };
  const nImgs = gt.imgIds.length;
  const useCats = params.useCats;
  const nCats = useCats ? gt.catIds.length : 1;
  const T = params.iouThrs.length;
  const A = params.areaRanges.length;
  const maxDet = params.maxDets[params.maxDets.length - 1]!;
  const thrEff = Float64Array.from(params.iouThrs, (t) => Math.min(t, 1 - 1e-10));
  let floor = Infinity;
  for (const t of thrEff) floor = Math.min(floor, t);
  const areaLo = Float64Array.from(params.areaRanges, (r) => r.lo);
  const areaHi = Float64Array.from(params.areaRanges, (r) => r.hi);

  // pycocotools' orders as chains of stable sorts. GT: by image, then category, then file order.
  // Detections: by image, then (category, -score, file order), or (-score, category, file order) when
  // class-agnostic (its per-image list is concatenated by category, then stably sorted by score).
  const nCatsAll = gt.catIds.length;
  const gcat = gt.cat;
  const dcat = dt.cat;
  const dimg = dt.img;
  const gOrd = evalCountingSort(
    evalCountingSort(keptIndices(gt.n, (i) => gt.img[i]! >= 0 && gcat[i]! >= 0), gcat, nCatsAll).order, gt.img, nImgs,
  );
  let dSeq = keptIndices(dt.n, (i) => dcat[i]! >= 0);
  if (!useCats) dSeq = evalCountingSort(dSeq, dcat, nCatsAll).order;
  dSeq = evalSortByScoreDesc(dSeq, dt.score);
  if (useCats) dSeq = evalCountingSort(dSeq, dcat, nCatsAll).order;
  const dOrd = evalCountingSort(dSeq, dimg, nImgs);
  const gImgStart = gOrd.start;
  const dImgStart = dOrd.start;

  // Rank of each detection in its group; those within maxDets[-1] become slots, listed by (image, rank).
  const rankOf = new Int32Array(dt.n).fill(-1);
  const slotSeq = new Int32Array(dOrd.order.length);
  let nSlots = 0;
  for (let im = 0; im < nImgs; im++) {
    const s = dImgStart[im]!;
    const e = dImgStart[im + 1]!;
    let rank = 0;
    for (let j = s; j < e; j++) {
      const d = dOrd.order[j]!;
      if (useCats && j > s && dcat[d] !== dcat[dOrd.order[j - 1]!]) rank = 0;
      if (rank < maxDet) {
        rankOf[d] = rank;
        slotSeq[nSlots++] = d;
      }
      rank++;
    }
  }
  // Accumulate's order: by category, descending score, then image and rank (a stable sort of the above).
  let slotDet = evalSortByScoreDesc(slotSeq.subarray(0, nSlots), dt.score);
  const catOfDet = useCats ? dcat : new Int32Array(dt.n);
  const bySlotCat = evalCountingSort(slotDet, catOfDet, nCats);
  slotDet = bySlotCat.order;
  const catStart = bySlotCat.start;
  const slotImg = new Int32Array(nSlots);
  const slotRank = new Int32Array(nSlots);
  const slotOf = new Int32Array(dt.n).fill(-1);
  for (let s = 0; s < nSlots; s++) {
    const d = slotDet[s]!;
    slotImg[s] = dimg[d]!;
    slotRank[s] = rankOf[d]!;
    slotOf[d] = s;
  }

  const state = new Uint8Array(A * T * nSlots);
  const matchedGt = options.record ? new Int32Array(nSlots).fill(-1) : undefined;
  const matchedIou = options.record ? new Float64Array(nSlots) : undefined;
  const recA = options.record?.areaIndex ?? -1;
  const recT = options.record?.iouIndex ?? -1;

  // Scratch buffers, grown as needed, reused across groups.
  let cap = 1024;
  let candG = new Int32Array(cap);
  let candS = new Float64Array(cap);
  let candStart = new Int32Array(256);
  let gIdx = new Int32Array(256);
  let gIg = new Uint8Array(256);
  let gCrowd = new Uint8Array(256);
  let gZeroId = new Uint8Array(256);
  let gtm = new Uint8Array(256);
  const groupImgL: number[] = [];
  const groupCatL: number[] = [];
  const groupNpigL: number[] = [];

  const gx = gt.x, gy = gt.y, gw = gt.w, gh = gt.h, garea = gt.area, gcrowd = gt.crowd, gid = gt.annId;
  const dx = dt.x, dy = dt.y, dw = dt.w, dh = dt.h, darea = dt.area;
  const nwdC = similarity.kind === "nwd" ? similarity.c : 0;

  for (let im = 0; im < nImgs; im++) {
    let gj = gImgStart[im]!;
    const gEnd = gImgStart[im + 1]!;
    let dj = dImgStart[im]!;
    const dEnd = dImgStart[im + 1]!;
    while (gj < gEnd || dj < dEnd) {
      // The next group: one category (useCats) or the whole image.
      let cat = 0;
      let gStop = gEnd;
      let dStop = dEnd;
      if (useCats) {
        const cg = gj < gEnd ? gcat[gOrd.order[gj]!]! : Infinity;
        const cd = dj < dEnd ? dcat[dOrd.order[dj]!]! : Infinity;
        cat = Math.min(cg, cd);
        gStop = gj;
        while (gStop < gEnd && gcat[gOrd.order[gStop]!] === cat) gStop++;
        dStop = dj;
        while (dStop < dEnd && dcat[dOrd.order[dStop]!] === cat) dStop++;
      }
      const G = gStop - gj;
      let D = dStop - dj;
      if (D > maxDet) D = maxDet;
      if (G > gIdx.length) {
        const c = G * 2;
        gIdx = new Int32Array(c); gIg = new Uint8Array(c); gCrowd = new Uint8Array(c); gZeroId = new Uint8Array(c); gtm = new Uint8Array(c);
      }
      for (let g = 0; g < G; g++) {
        const a = gOrd.order[gj + g]!;
        gIdx[g] = a;
        gCrowd[g] = gcrowd[a]!;
        gZeroId[g] = gid[a] === 0 ? 1 : 0;
      }
      // Candidate GT per detection (similarity >= the lowest effective threshold), in GT order.
      if (D + 1 > candStart.length) candStart = new Int32Array((D + 1) * 2);
      let nc = 0;
      for (let d = 0; d < D; d++) {
        candStart[d] = nc;
        if (G === 0) continue;
        const di = dOrd.order[dj + d]!;
        const x = dx[di]!, y = dy[di]!, w = dw[di]!, h = dh[di]!;
        if (nc + G > cap) {
          cap = Math.max(cap * 2, nc + G);
          const ng = new Int32Array(cap); ng.set(candG.subarray(0, nc)); candG = ng;
          const ns = new Float64Array(cap); ns.set(candS.subarray(0, nc)); candS = ns;
        }
        for (let g = 0; g < G; g++) {
          const a = gIdx[g]!;
          const s = nwdC > 0
            ? evalNwdXywh(x, y, w, h, gx[a]!, gy[a]!, gw[a]!, gh[a]!, nwdC)
            : cocoBoxIouXywh(x, y, w, h, gx[a]!, gy[a]!, gw[a]!, gh[a]!, gCrowd[g] === 1);
          if (s >= floor) { candG[nc] = g; candS[nc] = s; nc++; }
        }
      }
      candStart[D] = nc;
      if (G > 0) {
        groupImgL.push(im);
        groupCatL.push(cat);
      }

      for (let ai = 0; ai < A; ai++) {
        const lo = areaLo[ai]!, hi = areaHi[ai]!;
        let npig = 0;
        let nIg = 0;
        for (let g = 0; g < G; g++) {
          const ar = garea[gIdx[g]!]!;
          const ig = gCrowd[g] === 1 || ar < lo || ar > hi ? 1 : 0;
          gIg[g] = ig;
          if (ig) nIg++;
          else npig++;
        }
        if (G > 0) groupNpigL.push(npig);
        for (let ti = 0; ti < T; ti++) {
          const thr = thrEff[ti]!;
          const base = (ai * T + ti) * nSlots;
          const rec = matchedGt !== undefined && ai === recA && ti === recT;
          gtm.fill(0, 0, G);
          for (let d = 0; d < D; d++) {
            const di = dOrd.order[dj + d]!;
            const cs = candStart[d]!, ce = candStart[d + 1]!;
            let best = thr;
            let m = -1;
            for (let j = cs; j < ce; j++) {
              const g = candG[j]!;
              if (gIg[g] || gtm[g]) continue;
              const s = candS[j]!;
              if (s < best) continue;
              best = s;
              m = g;
            }
            if (m < 0 && nIg > 0) {
              for (let j = cs; j < ce; j++) {
                const g = candG[j]!;
                if (!gIg[g] || (gtm[g] && !gCrowd[g])) continue;
                const s = candS[j]!;
                if (s < best) continue;
                best = s;
                m = g;
              }
            }
            let st: number;
            if (m < 0) {
              const ar = darea[di]!;
              st = ar < lo || ar > hi ? MATCH_IGNORED : MATCH_FP;
            } else {
              gtm[m] = 1;
              if (gIg[m]) st = MATCH_IGNORED;
              else if (gZeroId[m]) {
                // pycocotools stores the GT id as the match, so a GT with id 0 reads as "unmatched".
                const ar = darea[di]!;
                st = ar < lo || ar > hi ? MATCH_IGNORED : MATCH_FP;
              } else {
                st = MATCH_TP;
                if (rec) {
                  matchedGt![slotOf[di]!] = gIdx[m]!;
                  matchedIou![slotOf[di]!] = best;
                }
              }
            }
            state[base + slotOf[di]!] = st;
          }
        }
      }
      gj = gStop;
      dj = dStop;
    }
  }

  const nGroups = groupImgL.length;
  // groupNpigL was filled group-major (per group, then per area); store it area-major.
  const groupNpig = new Int32Array(A * nGroups);
  for (let g = 0; g < nGroups; g++) for (let a = 0; a < A; a++) groupNpig[a * nGroups + g] = groupNpigL[g * A + a]!;
  return {
    params, similarity, nImgs, nCats, catStart, slotDet, slotImg, slotRank, state,
    groupImg: Int32Array.from(groupImgL), groupCat: Int32Array.from(groupCatL), groupNpig,
    matchedGt, matchedIou, recorded: options.record,
  };
}
