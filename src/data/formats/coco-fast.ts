import { DealkitInputError } from "../../util/errors.js";
import type { CocoAccumulator } from "./coco-records.js";
import type { RawParseResult } from "./json-stream.js";

/*
 * A byte-level parser for the common shape of a COCO annotation:
 *   {"id":N,"image_id":N,"category_id":N,"bbox":[x,y,w,h],"area":A,"iscrowd":0|1,"ignore":0|1}
 * in any key order and spacing. It reads numbers straight into the columns, without building objects,
 * which is what makes multi-GB files load at hundreds of MB/s. Anything else (other keys, strings,
 * segmentation, escapes, odd numbers, invalid values) falls back to JSON.parse of that one element and the
 * fully checked path, so results and error messages are those of the JSON.parse reader.
 */

const QUOTE = 34, BACKSLASH = 92, LBRACE = 123, RBRACE = 125, LBRACKET = 91, RBRACKET = 93, COMMA = 44, COLON = 58;
const MINUS = 45, PLUS = 43, DOT = 46, ZERO = 48, NINE = 57, LOWER_E = 101, UPPER_E = 69;

// Keys are told apart by length and a few bytes; verified in full below.
const KEYS = ["id", "image_id", "category_id", "bbox", "area", "iscrowd", "ignore"];
const KEY_BYTES = KEYS.map((k) => Buffer.from(k, "latin1"));
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

const isWs = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9;

// The value of the last number read by parseNumber (module state: parsing is synchronous, never re-entered).
let num = 0;

/** Parses a JSON number at q (strict grammar); sets `num` and returns the position after it, or -1. */
function parseNumber(buf: Buffer, q: number, end: number): number {
  const s = q;
  let neg = false;
  if (buf[q] === MINUS) {
    neg = true;
    q++;
  }
  let c = buf[q]!;
  if (c < ZERO || c > NINE) return -1;
  let m = 0;
  let digits = 0;
  if (c === ZERO) {
    q++;
  } else {
    while (q < end && (c = buf[q]!) >= ZERO && c <= NINE) {
      m = m * 10 + (c - ZERO);
      digits++;
      q++;
    }
  }
  let frac = 0;
  if (buf[q] === DOT) {
    q++;
    const f0 = q;
    while (q < end && (c = buf[q]!) >= ZERO && c <= NINE) {
      m = m * 10 + (c - ZERO);
      digits++;
      q++;
    }
    frac = q - f0;
    if (frac === 0) return -1;
  }
  c = buf[q]!;
  if (c === LOWER_E || c === UPPER_E || digits > 15) {
    // Rare: exponents or long mantissas. Number() of the text is exactly what JSON.parse gives.
    if (c === LOWER_E || c === UPPER_E) {
      q++;
      if (buf[q] === MINUS || buf[q] === PLUS) q++;
      const e0 = q;
      while (q < end && (c = buf[q]!) >= ZERO && c <= NINE) q++;
      if (q === e0) return -1;
    }
    num = Number(buf.toString("latin1", s, q));
    return q;
  }
  // m < 10^15 is exact and 10^frac (frac <= 15) too, so the division is correctly rounded (Clinger).
  num = frac ? m / POW10[frac]! : m;
  if (neg) num = -num;
  return q;
}

function skipWs(buf: Buffer, q: number, end: number): number {
  while (q < end && isWs(buf[q]!)) q++;
  return q;
}

/**
 * The end of the element starting at q, for the fallback: the position of the top-level comma or closing
 * bracket after it, or -1 when the buffer ends first (the element is incomplete).
 */
function elementEnd(buf: Buffer, q: number, end: number): number {
  let d = 0, s = false, e = false;
  for (; q < end; q++) {
    const c = buf[q]!;
    if (s) {
      if (e) e = false;
      else if (c === BACKSLASH) e = true;
      else if (c === QUOTE) s = false;
    } else if (c === QUOTE) s = true;
    else if (c === LBRACE || c === LBRACKET) d++;
    else if (c === RBRACE || c === RBRACKET) {
      if (d === 0) return q;
      d--;
    } else if (c === COMMA && d === 0) return q;
  }
  return -1;
}

/** The index in KEYS of the key bytes buf[k0, k0 + klen), or -1. */
function keyIndex(buf: Buffer, k0: number, klen: number): number {
  for (let k = 0; k < KEY_BYTES.length; k++) {
    const kb = KEY_BYTES[k]!;
    if (kb.length !== klen) continue;
    let j = 0;
    while (j < klen && buf[k0 + j] === kb[j]) j++;
    if (j === klen) return k;
  }
  return -1;
}

const fields = new Float64Array(10); // id, image_id, category_id, x, y, w, h, area, iscrowd, ignore

/**
 * Parses the annotation elements in `buf[start, end)` into `acc`, stopping before an element that the
 * buffer cuts off (see {@link RawParseResult}). `fileOffset` (the file position of `start`) and `file`
 * locate JSON syntax errors.
 */
export function parseAnnotationBytes(buf: Buffer, start: number, end: number, acc: CocoAccumulator, firstIndex: number, fileOffset = 0, file?: string): RawParseResult {
  let p = start;
  let index = firstIndex;
  let ok: boolean;
  for (;;) {
    p = skipWs(buf, p, end);
    if (p >= end) return { elements: index - firstIndex, next: p, done: false };
    if (buf[p] === RBRACKET && index === 0) return { elements: 0, next: p, done: true };
    const elStart = p;
    ok = buf[p] === LBRACE;
    p++;
    fields.fill(NaN);
    let seen = 0;
    while (ok) {
      p = skipWs(buf, p, end);
      if (buf[p] === RBRACE && seen === 0) {
        p++;
        break;
      }
      if (buf[p] !== QUOTE) { ok = false; break; }
      const k0 = ++p;
      while (p < end && buf[p] !== QUOTE && buf[p] !== BACKSLASH) p++;
      if (buf[p] !== QUOTE) { ok = false; break; }
      const key = keyIndex(buf, k0, p - k0);
      if (key < 0) { ok = false; break; }
      p = skipWs(buf, p + 1, end);
      if (buf[p] !== COLON) { ok = false; break; }
      p = skipWs(buf, p + 1, end);
      if (key === 3) {
        if (buf[p] !== LBRACKET) { ok = false; break; }
        for (let j = 0; j < 4; j++) {
          p = parseNumber(buf, skipWs(buf, p + 1, end), end);
          if (p < 0) break;
          fields[3 + j] = num;
          p = skipWs(buf, p, end);
          if (buf[p] !== (j < 3 ? COMMA : RBRACKET)) { p = -1; break; }
        }
        if (p < 0) { ok = false; break; }
        p++;
      } else {
        p = parseNumber(buf, p, end);
        if (p < 0) { ok = false; break; }
        fields[key < 3 ? key : key + 3] = num;
      }
      seen++;
      p = skipWs(buf, p, end);
      if (buf[p] === COMMA) { p++; continue; }
      if (buf[p] === RBRACE) { p++; break; }
      ok = false;
    }
    // The element must be followed by a comma or the closing bracket inside the buffer before it counts.
    if (ok) {
      p = skipWs(buf, p, end);
      if (p >= end) return { elements: index - firstIndex, next: elStart, done: false };
      const crowd = fields[8]!, ign = fields[9]!;
      ok = (buf[p] === COMMA || buf[p] === RBRACKET) && (Number.isNaN(crowd) || crowd === 0 || crowd === 1) && (Number.isNaN(ign) || ign === 0 || ign === 1);
      if (ok) ok = acc.pushPlain(fields[0]!, fields[1]!, fields[2]!, fields[3]!, fields[4]!, fields[5]!, fields[6]!, fields[7]!, crowd === 1 ? 1 : 0, ign === 1 ? 1 : 0);
    }
    if (!ok) {
      // Fallback: this element through JSON.parse and the checked path (which also reports errors).
      p = elementEnd(buf, elStart, end);
      if (p < 0) return { elements: index - firstIndex, next: elStart, done: false };
      let el: unknown;
      try {
        el = JSON.parse(buf.toString("utf8", elStart, p));
      } catch (err) {
        throw new DealkitInputError(`invalid JSON (${(err as Error).message}) at byte ${fileOffset + elStart - start}`, { file });
      }
      acc.addAnnotation(el, index);
    }
    index++;
    if (buf[p] === RBRACKET) return { elements: index - firstIndex, next: p, done: true };
    p++; // the comma
  }
}
