import * as zlib from "node:zlib";
import { DealkitInputError } from "./errors.js";

/**
 * Refuses bytes that are not UTF-8 text before they are decoded: a UTF-16 byte order mark, or NUL bytes in
 * the first 4 KiB (UTF-16 without a BOM, or a binary file). The message says how to convert it.
 *
 * @example
 * checkNotUtf16(fs.readFileSync("gt.json").subarray(0, 4096), "gt.json");
 */
export function checkNotUtf16(buf: Uint8Array, file: string): void {
  const utf16 = (buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff);
  if (utf16 || buf.subarray(0, 4096).includes(0)) {
    throw new DealkitInputError(`is ${utf16 ? "UTF-16" : "binary or UTF-16 (it holds NUL bytes)"}; dealkit reads UTF-8 text: convert it (e.g. iconv -f UTF-16 -t UTF-8)`, { file });
  }
}

/**
 * The text of a file's bytes: UTF-8 with or without a byte order mark (dropped). UTF-16 and invalid UTF-8 are
 * refused with a DealkitInputError naming the file.
 *
 * @example
 * decodeText(fs.readFileSync("labels/a.txt"), "labels/a.txt");
 */
export function decodeText(buf: Uint8Array, file: string): string {
  checkNotUtf16(buf, file);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(buf);
  } catch (err) {
    if (err instanceof TypeError) throw new DealkitInputError("is not valid UTF-8 text; convert it to UTF-8", { file });
    throw new DealkitInputError("is too large to read as one text (gunzip or split it)", { file });
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * The deepest nesting of arrays and objects in JSON text (strings skipped), scanning at most until `limit`
 * is passed. Deeper values than a data file needs would overflow the stack of code that walks them.
 *
 * @example
 * jsonDepth('{"a": [1, [2]]}'); // 3
 */
export function jsonDepth(text: string, limit = Number.POSITIVE_INFINITY): number {
  let d = 0, max = 0, inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++d > max && (max = d) > limit) return max;
    } else if (c === 125 || c === 93) d--;
  }
  return max;
}

/** Nesting deeper than this is refused in data files (COCO needs 4). */
export const MAX_JSON_DEPTH = 64;

/**
 * Parses a JSON file's bytes: gzip (by its magic bytes) is unpacked, the text decoded by {@link decodeText},
 * nesting deeper than {@link MAX_JSON_DEPTH} refused, and invalid JSON reported; every problem is a
 * DealkitInputError naming the file (`invalid` starts the message of a syntax error).
 *
 * @example
 * const coco = parseJsonBytes(fs.readFileSync("gt.json.gz"), "gt.json.gz");
 */
export function parseJsonBytes(bytes: Uint8Array, file: string, invalid = "invalid JSON"): unknown {
  let buf = bytes;
  if (buf.length > 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = zlib.gunzipSync(buf);
    } catch (err) {
      throw new DealkitInputError(`not a valid gzip file (${String((err as Error).message).slice(0, 80)})`, { file });
    }
  } else if (file.endsWith(".gz")) {
    throw new DealkitInputError("is named .gz but is not gzip data", { file });
  }
  const text = decodeText(buf, file);
  if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw new DealkitInputError(`nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels; not a data file`, { file });
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DealkitInputError(`${invalid} (${String((err as Error).message).slice(0, 100)})`, { file });
  }
}
