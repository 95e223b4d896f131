import { DealkitInputError } from "../util/errors.js";
import { accumulateCategory, type CocoAccumulated } from "./accumulate.js";
import type { CocoMatchData } from "./match.js";
import { evalSortByScoreDesc } from "./order.js";
import type { EvalParams } from "./params.js";

/**
 * Compact per-image match results for accumulating at scale: per category, the slots of an image range in
 * pycocotools' order (descending score, then image, then rank) with only what accumulate() reads of them: the
 * score (to merge ranges), the rank in its image (for maxDets) and the match state per (area, IoU threshold);
 * and the non-ignored GT count per (category, area). Ranges merge exactly category by category, so a data set
 * of millions of boxes is accumulated holding one category of one evaluation at a time
 * ({@link cocoAccumulateStreamed}). Image and detection indices are dropped (no oLRP, no per-image queries).
 */
export interface CompactCategory {
  score: Float64Array;
  rank: Int32Array;
  /** `state[(a*T + t)*n + slot]`: MATCH_IGNORED, MATCH_TP or MATCH_FP. */
  state: Uint8Array;
}

/** The header of an encoded compact range: sizes, npig, and where each category's bytes are. */
export interface CompactHeader {
  magic: string;
  K: number;
  A: number;
  T: number;
  /** Non-ignored GT per (k, a): `npig[k*A + a]`. */
  npig: number[];
  /** Per category: byte offset (from the start of the buffer) and slot count. */
  cats: { offset: number; n: number }[];
  /** Bytes in all. */
  bytes: number;
}

const MAGIC = "dealkit.compact.v1";
/** Bytes before the header JSON: its length, as a little-endian u32 (then padding to 8). */
const PREFIX = 8;

/** Bytes of one category's arrays (score f64, rank i32, state u8 x A*T), each padded to 8. */
function catBytes(n: number, AT: number): number {
  const pad = (b: number) => b + ((8 - (b % 8)) % 8);
  return pad(8 * n) + pad(4 * n) + pad(AT * n);
}

/**
 * A {@link cocoMatch} result (of an image range) as compact bytes: a prefix, a JSON {@link CompactHeader}, then
 * per category its scores (f64), ranks (i32) and states (u8), each 8-byte aligned. `score` is the detections'
 * scores (file order, as `dt.score`). Read the header with {@link readCompactHeader} and one category's slice
 * with {@link decodeCompactCategory}.
 *
 * @example
 * const bytes = encodeCompactMatch(cocoMatch(gt, dt, params), dt.score);
 */
export function encodeCompactMatch(m: CocoMatchData, score: Float64Array): Buffer {
  const A = m.params.areaRanges.length;
  const T = m.params.iouThrs.length;
  const K = m.nCats;
  const nSlots = m.slotDet.length;
  const nGroups = m.groupImg.length;
  const npig = new Array<number>(K * A).fill(0);
  for (let a = 0; a < A; a++) for (let g = 0; g < nGroups; g++) npig[m.groupCat[g]! * A + a]! += m.groupNpig[a * nGroups + g]!;
  // The header's size does not depend on the offsets' digits much: lay out with a generous fixed header size.
  const counts = Array.from({ length: K }, (_, k) => m.catStart[k + 1]! - m.catStart[k]!);
  const provisional = JSON.stringify({ magic: MAGIC, K, A, T, npig, cats: counts.map((n) => ({ offset: 1e15, n })), bytes: 1e15 });
  const headLen = Buffer.byteLength(provisional) + 64;
  const dataStart = PREFIX + headLen + ((8 - ((PREFIX + headLen) % 8)) % 8);
  const cats: { offset: number; n: number }[] = [];
  let off = dataStart;
  for (const n of counts) {
    cats.push({ offset: off, n });
    off += catBytes(n, A * T);
  }
  const buf = Buffer.alloc(off);
  const header: CompactHeader = { magic: MAGIC, K, A, T, npig, cats, bytes: off };
  const h = Buffer.from(JSON.stringify(header), "utf8");
  buf.writeUInt32LE(h.byteLength, 0);
  h.copy(buf, PREFIX);
  for (let k = 0; k < K; k++) {
    const { offset, n } = cats[k]!;
    const cs = m.catStart[k]!;
    const view = new DataView(buf.buffer, buf.byteOffset + offset, catBytes(n, A * T));
    const sc = new Float64Array(n);
    const rk = new Int32Array(n);
    for (let s = 0; s < n; s++) {
      sc[s] = score[m.slotDet[cs + s]!]!;
      rk[s] = m.slotRank[cs + s]!;
    }
    const st = new Uint8Array(A * T * n);
    for (let b = 0; b < A * T; b++) st.set(m.state.subarray(b * nSlots + cs, b * nSlots + cs + n), b * n);
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    bytes.set(new Uint8Array(sc.buffer), 0);
    const o2 = 8 * n + ((8 - ((8 * n) % 8)) % 8);
    bytes.set(new Uint8Array(rk.buffer), o2);
    const o3 = o2 + 4 * n + ((8 - ((4 * n) % 8)) % 8);
    bytes.set(st, o3);
  }
  return buf;
}

/**
 * The header of {@link encodeCompactMatch}'s bytes, from the buffer's first bytes (at least the prefix and
 * the header: {@link compactHeaderBytes} says how many); `what` names the entry in errors.
 */
export function readCompactHeader(head: Buffer, what = "compact match result"): CompactHeader {
  if (head.byteLength < PREFIX) throw new DealkitInputError("truncated compact match result", { file: what });
  const len = head.readUInt32LE(0);
  if (head.byteLength < PREFIX + len) throw new DealkitInputError(`truncated compact match header: ${head.byteLength} of ${PREFIX + len} bytes`, { file: what });
  let h: CompactHeader;
  try {
    h = JSON.parse(head.subarray(PREFIX, PREFIX + len).toString("utf8")) as CompactHeader;
  } catch {
    throw new DealkitInputError("not a dealkit compact match result (bad header)", { file: what });
  }
  if (h.magic !== MAGIC) throw new DealkitInputError(`not a dealkit compact match result (magic ${String(h.magic)})`, { file: what });
  return h;
}

/** How many bytes hold the prefix and header of an encoded compact result whose first 8 bytes are `prefix`. */
export function compactHeaderBytes(prefix: Buffer): number {
  return PREFIX + prefix.readUInt32LE(0);
}

/** Byte range `[start, end)` of category `k` in an encoded compact result. */
export function compactCategoryRange(h: CompactHeader, k: number): { start: number; end: number } {
  const c = h.cats[k]!;
  return { start: c.offset, end: c.offset + catBytes(c.n, h.A * h.T) };
}

/** Category `k` of an encoded compact result, from its bytes (the range {@link compactCategoryRange} gives). */
export function decodeCompactCategory(h: CompactHeader, k: number, bytes: Buffer): CompactCategory {
  const n = h.cats[k]!.n;
  const AT = h.A * h.T;
  if (bytes.byteLength !== catBytes(n, AT)) throw new DealkitInputError(`compact category ${k}: ${bytes.byteLength} bytes, expected ${catBytes(n, AT)}`, { field: "bytes" });
  const body = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(body).set(bytes);
  const o2 = 8 * n;
  const o3 = o2 + 4 * n + ((8 - ((4 * n) % 8)) % 8);
  return { score: new Float64Array(body, 0, n), rank: new Int32Array(body, o2, n), state: new Uint8Array(body, o3, AT * n) };
}

/**
 * One category's slots of several image ranges (ascending, disjoint, in that order) merged into the order one
 * evaluation of all of them gives: a stable sort by descending score of the ranges' slots laid end to end (ties
 * keep image order, as in pycocotools' mergesort).
 */
export function mergeCompactCategory(parts: readonly CompactCategory[], AT: number): CompactCategory {
  let n = 0;
  for (const p of parts) n += p.score.length;
  const score = new Float64Array(n);
  const rankCat = new Int32Array(n);
  let o = 0;
  for (const p of parts) {
    score.set(p.score, o);
    rankCat.set(p.rank, o);
    o += p.score.length;
  }
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const order = evalSortByScoreDesc(idx, score);
  const outScore = new Float64Array(n);
  const rank = new Int32Array(n);
  const state = new Uint8Array(AT * n);
  // Where each position's slot lives: (part, slot in part).
  const partOf = new Int32Array(n);
  const slotOf = new Int32Array(n);
  o = 0;
  parts.forEach((p, pi) => {
    for (let s = 0; s < p.score.length; s++) { partOf[o] = pi; slotOf[o] = s; o++; }
  });
  for (let i = 0; i < n; i++) {
    const q = order[i]!;
    outScore[i] = score[q]!;
    rank[i] = rankCat[q]!;
    const p = parts[partOf[q]!]!;
    const pn = p.score.length;
    const s = slotOf[q]!;
    for (let b = 0; b < AT; b++) state[b * n + i] = p.state[b * pn + s]!;
  }
  return { score: outScore, rank, state };
}

/** Where {@link cocoAccumulateStreamed} reads the compact results of the image ranges (in range order). */
export interface CompactSource {
  header: CompactHeader;
  /** Category `k`'s bytes of this range. */
  category(k: number): Buffer | Promise<Buffer>;
}

/**
 * pycocotools' accumulate() over the compact results of disjoint, ascending image ranges, one category at a
 * time: each category's slots of every range are read, merged ({@link mergeCompactCategory}) and accumulated
 * ({@link accumulateCategory}, the code {@link cocoAccumulate} runs), then dropped. The result is the one
 * cocoAccumulate gives for all images in one process, bit for bit; memory holds one category's slots at a time.
 *
 * @example
 * const acc = await cocoAccumulateStreamed(params, sources);
 * cocoSummarize(acc, params, protocol.summary);
 */
export async function cocoAccumulateStreamed(params: EvalParams, sources: readonly CompactSource[]): Promise<CocoAccumulated> {
  const T = params.iouThrs.length;
  const R = params.recThrs.length;
  const A = params.areaRanges.length;
  const M = params.maxDets.length;
  if (sources.length === 0) throw new DealkitInputError("no compact results to accumulate", { field: "sources" });
  const K = sources[0]!.header.K;
  for (const s of sources) {
    if (s.header.K !== K || s.header.A !== A || s.header.T !== T) throw new DealkitInputError("compact results disagree on categories, areas or thresholds: they come from different evaluations", { field: "sources" });
  }
  const out: CocoAccumulated = { shape: [T, R, K, A, M], precision: new Float64Array(T * R * K * A * M).fill(-1), recall: new Float64Array(T * K * A * M).fill(-1) };
  const scratch = { rc: new Float64Array(1), pr: new Float64Array(1) };
  for (let k = 0; k < K; k++) {
    const npig = new Float64Array(A);
    for (const s of sources) for (let a = 0; a < A; a++) npig[a]! += s.header.npig[k * A + a]!;
    const parts: CompactCategory[] = [];
    for (const s of sources) parts.push(decodeCompactCategory(s.header, k, await s.category(k)));
    const merged = mergeCompactCategory(parts, A * T);
    parts.length = 0;
    accumulateCategory(out, params, k, (a) => npig[a]!, merged.state, merged.score.length, merged.rank, 0, merged.score.length, scratch);
  }
  return out;
}

/**
 * The in-memory {@link CompactSource} of encoded bytes (tests, and ranges evaluated in this process).
 *
 * @example
 * const acc = await cocoAccumulateStreamed(params, buffers.map(compactSourceOf));
 */
export function compactSourceOf(buf: Buffer): CompactSource {
  const header = readCompactHeader(buf);
  return { header, category: (k) => { const r = compactCategoryRange(header, k); return buf.subarray(r.start, r.end); } };
}
