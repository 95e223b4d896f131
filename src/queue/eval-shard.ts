import type { CocoDtData, CocoGtData } from "../eval/load.js";
import { cocoMatch, type CocoMatchData, type CocoMatchOptions } from "../eval/match.js";
import { evalCountingSort, evalSortByScoreDesc } from "../eval/order.js";
import type { EvalParams } from "../eval/params.js";
import { DealkitInputError } from "../util/errors.js";

/**
 * pycocotools' per-image evaluation ({@link cocoMatch}) of the images `[start, end)` (indices into `gt.imgIds`)
 * alone: the GT and detections of other images are left out, indices stay global (image index into
 * `gt.imgIds`, detection index into the file's order), so shards over disjoint ranges merge exactly
 * ({@link mergeShardMatches}). Pure: `gt` and `dt` are not modified.
 *
 * @example
 * const part = matchImageRange(gt, dt, params, 0, 500, { record });
 */
export function matchImageRange(gt: CocoGtData, dt: CocoDtData, params: EvalParams, start: number, end: number, options: CocoMatchOptions = {}): CocoMatchData {
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= gt.imgIds.length)) {
    throw new DealkitInputError(`image range [${start}, ${end}) is outside the ${gt.imgIds.length} images`, { field: "shard" });
  }
  const inRange = (im: number) => im >= start && im < end;
  const gtPart: CocoGtData = { ...gt, img: gt.img.map((im) => (inRange(im) ? im : -1)) };
  const cat = new Int32Array(dt.n);
  for (let i = 0; i < dt.n; i++) cat[i] = inRange(dt.img[i]!) ? dt.cat[i]! : -1;
  return cocoMatch(gtPart, { ...dt, cat }, params, options);
}

/**
 * Merges per-image evaluations of disjoint, ascending image ranges (in that order) into the one {@link cocoMatch}
 * gives for all images at once, bit for bit: the slots of all shards are ordered as cocoMatch orders them (by
 * category, descending score, then image and rank: a stable sort of the shards' slots laid end to end), the
 * match states and recorded matches follow their slots, and the GT groups are laid end to end (image order).
 * `score` is the detections' scores (file order, as `dt.score`).
 *
 * @example
 * const all = mergeShardMatches([matchImageRange(gt, dt, p, 0, 50), matchImageRange(gt, dt, p, 50, 100)], dt.score);
 */
export function mergeShardMatches(shards: readonly CocoMatchData[], score: Float64Array): CocoMatchData {
  if (shards.length === 0) throw new DealkitInputError("no shard results to merge", { field: "shards" });
  const first = shards[0]!;
  const { params, similarity, nImgs, nCats, recorded } = first;
  const A = params.areaRanges.length;
  const T = params.iouThrs.length;
  for (const s of shards) {
    if (s.nImgs !== nImgs || s.nCats !== nCats || JSON.stringify(s.params) !== JSON.stringify(params) || JSON.stringify(s.recorded) !== JSON.stringify(recorded)) {
      throw new DealkitInputError("shard results disagree on images, categories or parameters: they come from different evaluations", { field: "shards" });
    }
  }
  // Slots laid end to end, category by category and within it shard by shard (each shard already sorted).
  let n = 0;
  for (const s of shards) n += s.slotDet.length;
  const src = new Int32Array(n); // position -> shard slot (shard index in srcShard)
  const srcShard = new Int32Array(n);
  const catOf = new Int32Array(n);
  const scoreOf = new Float64Array(n);
  let p = 0;
  for (let k = 0; k < nCats; k++) {
    shards.forEach((s, si) => {
      for (let j = s.catStart[k]!; j < s.catStart[k + 1]!; j++) {
        src[p] = j; srcShard[p] = si; catOf[p] = k; scoreOf[p] = score[s.slotDet[j]!]!; p++;
      }
    });
  }
  // cocoMatch's chain: stable by descending score, then stable by category.
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const byCat = evalCountingSort(evalSortByScoreDesc(idx, scoreOf), catOf, nCats);
  const order = byCat.order;
  const slotDet = new Int32Array(n);
  const slotImg = new Int32Array(n);
  const slotRank = new Int32Array(n);
  const state = new Uint8Array(A * T * n);
  const withRec = first.matchedGt !== undefined;
  const matchedGt = withRec ? new Int32Array(n) : undefined;
  const matchedIou = withRec ? new Float64Array(n) : undefined;
  for (let i = 0; i < n; i++) {
    const q = order[i]!;
    const s = shards[srcShard[q]!]!;
    const j = src[q]!;
    slotDet[i] = s.slotDet[j]!;
    slotImg[i] = s.slotImg[j]!;
    slotRank[i] = s.slotRank[j]!;
    const sn = s.slotDet.length;
    for (let b = 0; b < A * T; b++) state[b * n + i] = s.state[b * sn + j]!;
    if (withRec) {
      matchedGt![i] = s.matchedGt![j]!;
      matchedIou![i] = s.matchedIou![j]!;
    }
  }
  let nGroups = 0;
  for (const s of shards) nGroups += s.groupImg.length;
  const groupImg = new Int32Array(nGroups);
  const groupCat = new Int32Array(nGroups);
  const groupNpig = new Int32Array(A * nGroups);
  let g0 = 0;
  for (const s of shards) {
    const sg = s.groupImg.length;
    groupImg.set(s.groupImg, g0);
    groupCat.set(s.groupCat, g0);
    for (let a = 0; a < A; a++) groupNpig.set(s.groupNpig.subarray(a * sg, (a + 1) * sg), a * nGroups + g0);
    g0 += sg;
  }
  return {
    params, similarity, nImgs, nCats, catStart: byCat.start, slotDet, slotImg, slotRank, state, groupImg, groupCat, groupNpig,
    ...(withRec ? { matchedGt, matchedIou } : {}), ...(recorded ? { recorded } : {}),
  };
}

/**
 * Splits `n` items into `shards` contiguous ranges [start, end) of near-equal size (the first `n % shards` one
 * larger), in order; never more ranges than items (at least one range).
 *
 * @example
 * shardRanges(10, 3); // [{start: 0, end: 4}, {start: 4, end: 7}, {start: 7, end: 10}]
 */
export function shardRanges(n: number, shards: number): { start: number; end: number }[] {
  const k = Math.max(1, Math.min(shards, n));
  const base = Math.floor(n / k);
  const extra = n % k;
  const out: { start: number; end: number }[] = [];
  let s = 0;
  for (let i = 0; i < k; i++) {
    const e = s + base + (i < extra ? 1 : 0);
    out.push({ start: s, end: e });
    s = e;
  }
  return out;
}
