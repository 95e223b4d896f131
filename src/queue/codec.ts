import type { CocoMatchData } from "../eval/match.js";
import { DealkitInputError } from "../util/errors.js";

const MAGIC = "dealkit.match.v1";
type Arr = Int32Array | Uint8Array | Float64Array;
const FIELDS = ["catStart", "slotDet", "slotImg", "slotRank", "state", "groupImg", "groupCat", "groupNpig", "matchedGt", "matchedIou"] as const;
const KINDS: Record<(typeof FIELDS)[number], "i32" | "u8" | "f64"> = {
  catStart: "i32", slotDet: "i32", slotImg: "i32", slotRank: "i32", state: "u8", groupImg: "i32", groupCat: "i32", groupNpig: "i32",
  matchedGt: "i32", matchedIou: "f64",
};

/**
 * A {@link CocoMatchData} as bytes (a JSON header line, then each array's bytes, 8-byte aligned), for storing a
 * shard's per-image evaluation in Redis. {@link decodeMatch} reads it back exactly.
 *
 * @example
 * const back = decodeMatch(encodeMatch(cocoMatch(gt, dt, params)));
 */
export function encodeMatch(m: CocoMatchData): Buffer {
  const arrays: { name: string; kind: string; length: number }[] = [];
  const parts: Buffer[] = [];
  let offset = 0;
  for (const f of FIELDS) {
    const a = m[f] as Arr | undefined;
    if (a === undefined) continue;
    arrays.push({ name: f, kind: KINDS[f], length: a.length });
    const b = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    parts.push(b);
    const pad = (8 - (b.byteLength % 8)) % 8;
    if (pad) parts.push(Buffer.alloc(pad));
    offset += b.byteLength + pad;
  }
  const header = JSON.stringify({
    magic: MAGIC, params: m.params, similarity: m.similarity, nImgs: m.nImgs, nCats: m.nCats, recorded: m.recorded ?? null, arrays, bytes: offset,
  });
  let head = Buffer.from(header + "\n", "utf8");
  const pad = (8 - (head.byteLength % 8)) % 8;
  head = Buffer.concat([head, Buffer.from(" ".repeat(pad))]);
  return Buffer.concat([head, ...parts]);
}

/**
 * Reads {@link encodeMatch}'s bytes back; `what` names the stored entry in errors (bad header, truncated).
 *
 * @example
 * const m = decodeMatch(await redis.getBuffer(resultKeyOf(key)), key);
 */
export function decodeMatch(buf: Buffer, what = "stored shard result"): CocoMatchData {
  const nl = buf.indexOf(10);
  let h: { magic: string; params: CocoMatchData["params"]; similarity: CocoMatchData["similarity"]; nImgs: number; nCats: number; recorded: CocoMatchData["recorded"] | null; arrays: { name: string; kind: string; length: number }[]; bytes: number };
  try {
    h = JSON.parse(buf.subarray(0, nl).toString("utf8"));
  } catch {
    throw new DealkitInputError("not a dealkit shard evaluation (bad header)", { file: what });
  }
  if (h.magic !== MAGIC) throw new DealkitInputError(`not a dealkit shard evaluation (magic ${String(h.magic)})`, { file: what });
  let pos = nl + 1;
  pos += (8 - (pos % 8)) % 8;
  if (buf.byteLength - pos !== h.bytes) throw new DealkitInputError(`truncated: ${buf.byteLength - pos} of ${h.bytes} bytes`, { file: what });
  // Copy into a fresh, aligned buffer so that typed arrays can view it.
  const body = new ArrayBuffer(h.bytes);
  new Uint8Array(body).set(buf.subarray(pos));
  const out: Record<string, unknown> = { params: h.params, similarity: h.similarity, nImgs: h.nImgs, nCats: h.nCats };
  if (h.recorded) out.recorded = h.recorded;
  let off = 0;
  for (const a of h.arrays) {
    const C = a.kind === "i32" ? Int32Array : a.kind === "u8" ? Uint8Array : Float64Array;
    out[a.name] = new C(body, off, a.length);
    const bytes = a.length * C.BYTES_PER_ELEMENT;
    off += bytes + ((8 - (bytes % 8)) % 8);
  }
  return out as unknown as CocoMatchData;
}
