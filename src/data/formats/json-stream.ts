import * as fs from "node:fs";
import { DealkitInputError } from "../../util/errors.js";

/** What the scanner hands out while it reads a file. */
export interface JsonScanHandlers {
  /**
   * A batch of elements of a streamed array. `key` is the top-level key ("" when the file itself is an
   * array); `firstIndex` is the index of `elements[0]` in that array.
   */
  onElements(key: string, elements: unknown[], firstIndex: number): void;
  /** A top-level value that is not streamed (parsed whole). */
  onValue(key: string, value: unknown): void;
  /**
   * For keys in `rawKeys`: a parser of the array's bytes, for a caller faster than JSON.parse. It gets
   * `bytes[start, end)` (the array's remaining bytes in this buffer, possibly ending mid-element), parses
   * the complete elements, and says where it stopped; the rest comes again with the next chunk.
   */
  onRaw?(key: string, bytes: Buffer, start: number, end: number, firstIndex: number, fileOffset: number): RawParseResult;
}

/** What an `onRaw` parser did: elements parsed, the position after them (and their commas), and whether
 * it reached the closing bracket (then `next` is the bracket's position). */
export interface RawParseResult {
  elements: number;
  next: number;
  done: boolean;
}

/** Options of {@link scanJsonFile}. Defaults: chunkBytes 16 MiB, batchBytes 1 MiB. */
export interface JsonScanOptions {
  /** Top-level keys whose arrays are streamed element by element; others are parsed whole. */
  streamKeys: readonly string[];
  /** Bytes read from the file at a time. Default 16 MiB. */
  chunkBytes?: number;
  /** Elements are parsed in batches of about this many bytes. Default 1 MiB. */
  batchBytes?: number;
  /** Streamed keys whose bytes go to `onRaw` instead of JSON.parse. */
  rawKeys?: readonly string[];
}

const QUOTE = 34, BACKSLASH = 92, LBRACE = 123, RBRACE = 125, LBRACKET = 91, RBRACKET = 93, COMMA = 44, COLON = 58;
const isWs = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9;

interface ArrayState {
  depth: number;
  inString: boolean;
  escape: boolean;
}

/**
 * Scans array bytes from `p` to `n`, tracking nesting and strings in `st`. Returns the position of the first
 * top-level comma at or after `minCut`, or of the array's closing bracket (or a stray top-level `}`), or -1
 * when the buffer ends first.
 */
function scanArray(work: Buffer, p: number, n: number, minCut: number, st: ArrayState): number {
  let d = st.depth, s = st.inString, e = st.escape;
  for (; p < n; p++) {
    const c = work[p]!;
    if (s) {
      if (e) e = false;
      else if (c === BACKSLASH) e = true;
      else if (c === QUOTE) s = false;
    } else if (c === QUOTE) s = true;
    else if (c === LBRACE || c === LBRACKET) d++;
    else if (c === RBRACE || c === RBRACKET) {
      if (d === 0) break;
      d--;
    } else if (c === COMMA && d === 0 && p >= minCut) break;
  }
  st.depth = d; st.inString = s; st.escape = e;
  return p < n ? p : -1;
}

const enum Phase { Start, Key, InKey, Colon, ValueStart, Array, Generic, End }

/**
 * Reads a JSON file whose top level is an object (or an array) with bounded memory: the arrays under
 * `streamKeys` are cut at top-level commas into batches of about `batchBytes`, and each batch is handed to
 * `JSON.parse` (the fast native parser) as `[...]`; other top-level values are parsed whole. Memory is one
 * chunk plus one batch, whatever the file size. Strings and escapes are tracked, so braces and commas inside
 * strings are safe. Malformed JSON throws DealkitInputError naming the file and the byte offset.
 *
 * @example
 * scanJsonFile("big.json", { streamKeys: ["annotations"] }, { onElements: (k, els) => n += els.length, onValue: () => {} });
 */
export function scanJsonFile(file: string, options: JsonScanOptions, handlers: JsonScanHandlers): void {
  const chunkBytes = options.chunkBytes ?? 16 << 20;
  const batchBytes = options.batchBytes ?? 1 << 20;
  const streamKeys = new Set(options.streamKeys);
  const rawKeys = new Set(options.rawKeys ?? []);
  const fd = fs.openSync(file, "r");
  const chunk = Buffer.allocUnsafe(chunkBytes);
  let carry: Buffer = Buffer.alloc(0);
  let base = 0; // file offset of work[0]
  let phase = Phase.Start;
  let key = "";
  let depth = 0;
  let inString = false;
  let escape = false;
  let tokenStart = 0; // key start, value start or batch start (relative to work)
  let count = 0; // elements handed out for the current array
  let first = true;
  let rawMode = false; // in an array parsed by onRaw: its carried bytes were not consumed yet
  let keyState = 0; // in an object: 0 after "{" (a key or "}"), 1 after "," (a key), 2 after a value ("," or "}")
  let cut = false; // the current array was cut at a comma (so an empty last batch is a trailing comma)
  const st: ArrayState = { depth: 0, inString: false, escape: false };

  const fail = (problem: string, at: number): never => {
    throw new DealkitInputError(`${problem} at byte ${at}`, { file });
  };
  const parse = (text: string, at: number): unknown => {
    try {
      return JSON.parse(text);
    } catch (err) {
      return fail(`invalid JSON (${(err as Error).message})`, at);
    }
  };

  try {
    for (;;) {
      const got = fs.readSync(fd, chunk, 0, chunkBytes, null);
      const eof = got === 0;
      const work = carry.length ? Buffer.concat([carry, chunk.subarray(0, got)]) : chunk.subarray(0, got);
      // Carried bytes were scanned already; only the token they belong to needs them again.
      let pos = rawMode ? 0 : carry.length;
      if (first && work.length >= 3 && work[0] === 0xef && work[1] === 0xbb && work[2] === 0xbf) pos = 3;
      first = false;
      const n = work.length;
      const flush = (a: number, b: number): void => {
        const text = work.toString("utf8", a, b);
        // An empty batch is still reported, so that an empty array is seen.
        const els = (/\S/.test(text) ? parse("[" + text + "]", base + a) : []) as unknown[];
        handlers.onElements(key, els, count);
        count += els.length;
      };
      scan: while (pos < n) {
        switch (phase) {
          case Phase.Start: {
            const c = work[pos]!;
            if (isWs(c)) { pos++; break; }
            if (c === LBRACE) { phase = Phase.Key; keyState = 0; pos++; break; }
            if (c === LBRACKET) {
              key = ""; phase = Phase.Array; depth = 0; inString = false; count = 0; cut = false;
              tokenStart = ++pos;
              break;
            }
            fail("expected a JSON object or array", base + pos);
            break;
          }
          case Phase.Key: {
            const c = work[pos]!;
            if (isWs(c)) { pos++; break; }
            if (c === COMMA) {
              if (keyState !== 2) fail("unexpected comma", base + pos);
              keyState = 1; pos++; break;
            }
            if (c === RBRACE) {
              if (keyState === 1) fail('a trailing comma before "}"', base + pos);
              phase = Phase.End; pos++; break;
            }
            if (keyState === 2) fail('expected "," or "}"', base + pos);
            if (c !== QUOTE) fail("expected a key", base + pos);
            tokenStart = pos++;
            phase = Phase.InKey;
            escape = false;
            break;
          }
          case Phase.InKey: {
            const c = work[pos++]!;
            if (escape) escape = false;
            else if (c === BACKSLASH) escape = true;
            else if (c === QUOTE) {
              key = parse(work.toString("utf8", tokenStart, pos), base + tokenStart) as string;
              phase = Phase.Colon;
            }
            break;
          }
          case Phase.Colon: {
            const c = work[pos++]!;
            if (isWs(c)) break;
            if (c !== COLON) fail(`expected ":" after key "${key}"`, base + pos - 1);
            phase = Phase.ValueStart;
            break;
          }
          case Phase.ValueStart: {
            const c = work[pos]!;
            if (isWs(c)) { pos++; break; }
            depth = 0; inString = false; escape = false;
            if (c === LBRACKET && streamKeys.has(key)) {
              phase = Phase.Array; count = 0; cut = false;
              tokenStart = ++pos;
            } else {
              phase = Phase.Generic;
              tokenStart = pos;
            }
            break;
          }
          case Phase.Array: {
            if (handlers.onRaw && rawKeys.has(key)) {
              const r = handlers.onRaw(key, work, pos, n, count, base + pos);
              count += r.elements;
              if (!r.done) {
                tokenStart = r.next;
                pos = n;
                rawMode = true;
                break;
              }
              rawMode = false;
              pos = r.next + 1;
              phase = key === "" ? Phase.End : Phase.Key;
              keyState = 2;
              break;
            }
            // The hot loop lives in scanArray (a small function V8 optimises well).
            st.depth = depth; st.inString = inString; st.escape = escape;
            const p = scanArray(work, pos, n, tokenStart + batchBytes, st);
            depth = st.depth; inString = st.inString; escape = st.escape;
            if (p < 0) {
              pos = n;
              break;
            }
            if (work[p] === COMMA) {
              flush(tokenStart, p);
              tokenStart = pos = p + 1;
              cut = true;
              break;
            }
            if (work[p] !== RBRACKET) fail("unbalanced braces", base + p);
            if (cut && !/\S/.test(work.toString("utf8", tokenStart, p))) fail('a trailing comma before "]"', base + p);
            flush(tokenStart, p);
            depth = 0; inString = false; escape = false;
            pos = p + 1;
            phase = key === "" ? Phase.End : Phase.Key;
            keyState = 2;
            break;
          }
          case Phase.Generic: {
            const c = work[pos]!;
            if (inString) {
              if (escape) escape = false;
              else if (c === BACKSLASH) escape = true;
              else if (c === QUOTE) inString = false;
            } else if (c === QUOTE) inString = true;
            else if (c === LBRACE || c === LBRACKET) depth++;
            else if ((c === RBRACE || c === RBRACKET) && depth > 0) depth--;
            else if ((c === COMMA || c === RBRACE) && depth === 0) {
              handlers.onValue(key, parse(work.toString("utf8", tokenStart, pos), base + tokenStart));
              phase = c === RBRACE ? Phase.End : Phase.Key;
              keyState = 1;
            }
            pos++;
            break;
          }
          case Phase.End: {
            if (!isWs(work[pos]!)) fail("unexpected data after the end of the JSON value", base + pos);
            pos++;
            break;
          }
        }
      }
      if (eof) {
        if (phase !== Phase.End) fail("the file ends inside a JSON value (truncated?)", base + n);
        return;
      }
      const keepFrom = phase === Phase.InKey || phase === Phase.Array || phase === Phase.Generic ? tokenStart : n;
      carry = Buffer.from(work.subarray(keepFrom));
      base += keepFrom;
      tokenStart -= keepFrom;
    }
  } finally {
    fs.closeSync(fd);
  }
}
