import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { DealkitInputError } from "../util/errors.js";

/** A binary file of a checkpoint as its manifest describes it. */
export interface CheckpointBinEntry {
  /** A plain file name inside the checkpoint folder. */
  file: string;
  bytes: number;
  /** SHA-256 of the file's bytes (hex); absent in checkpoints saved before dealkit recorded it. */
  sha256?: string;
  tensors: { name: string; shape: number[]; offset: number }[];
}

/**
 * SHA-256 of bytes, as lowercase hex: the content hash a checkpoint records per binary file.
 *
 * @example
 * sha256Hex(new Uint8Array([1, 2, 3])); // "039058c6..."
 */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

const short = (v: unknown): string => {
  let s: string;
  try {
    s = typeof v === "string" ? JSON.stringify(v) : String(JSON.stringify(v));
  } catch {
    s = typeof v;
  }
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
};

const isInt = (v: unknown, min = 0): v is number => typeof v === "number" && Number.isInteger(v) && v >= min;

/**
 * Checks the manifest entry of a binary file (`weights` or `optimizer`): a plain file name inside the folder
 * (no separators, no `..`), a byte count that is a whole number of float32 values, an optional SHA-256, and
 * tensors that lie inside the file. Throws a DealkitInputError naming the manifest and the field.
 *
 * @example
 * checkBinEntry(manifest.weights, "weights", "ckpt/manifest.json");
 */
export function checkBinEntry(entry: unknown, field: string, manifestFile: string): CheckpointBinEntry {
  const bad = (sub: string, problem: string) => new DealkitInputError(problem, { file: manifestFile, field: `${field}${sub}` });
  if (entry === null || typeof entry !== "object" || Array.isArray(entry)) throw bad("", `must be an object; got ${short(entry)}`);
  const e = entry as Record<string, unknown>;
  if (typeof e.file !== "string" || !/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}$/.test(e.file) || e.file.includes("..")) {
    throw bad(".file", `must be a plain file name inside the checkpoint folder (no path separators or ".."); got ${short(e.file)}`);
  }
  if (!isInt(e.bytes) || e.bytes % 4 !== 0) throw bad(".bytes", `must be a non-negative multiple of 4 (float32 values); got ${short(e.bytes)}`);
  if (e.sha256 !== undefined && (typeof e.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(e.sha256))) {
    throw bad(".sha256", `must be 64 lowercase hex digits; got ${short(e.sha256)}`);
  }
  if (!Array.isArray(e.tensors)) throw bad(".tensors", `must be an array; got ${short(e.tensors)}`);
  const floats = e.bytes / 4;
  e.tensors.forEach((t: unknown, i) => {
    const r = t as Record<string, unknown> | null;
    const at = `.tensors[${i}]`;
    if (r === null || typeof r !== "object") throw bad(at, `must be an object; got ${short(t)}`);
    if (typeof r.name !== "string" || r.name.length === 0 || r.name.length > 200) throw bad(`${at}.name`, `must be a non-empty name; got ${short(r.name)}`);
    if (!Array.isArray(r.shape) || r.shape.length > 8 || !r.shape.every((d) => isInt(d))) {
      throw bad(`${at}.shape`, `must be a list of at most 8 non-negative integers; got ${short(r.shape)}`);
    }
    const size = (r.shape as number[]).reduce((a, b) => a * b, 1);
    if (!isInt(r.offset) || r.offset + size > floats) {
      throw bad(`${at}.offset`, `tensor ${short(r.name)} (${size} values at offset ${short(r.offset)}) does not lie inside the ${floats} values of ${e.file}`);
    }
  });
  return e as unknown as CheckpointBinEntry;
}

/**
 * Reads a checkpoint binary and checks it against its manifest entry: the file is a regular file inside
 * `dir`, has the recorded size and (when recorded) SHA-256, and every tensor's values are finite. Each problem
 * is a DealkitInputError naming the file (and the tensor).
 *
 * @example
 * const data = readCheckedBin("ckpt", manifest.weights);
 */
export function readCheckedBin(dir: string, entry: CheckpointBinEntry): Float32Array {
  const full = path.join(dir, entry.file);
  let st: fs.Stats;
  try {
    st = fs.lstatSync(full);
  } catch {
    throw new DealkitInputError("is missing (the manifest names it)", { file: full });
  }
  if (!st.isFile()) throw new DealkitInputError("is not a regular file (links and folders are refused)", { file: full });
  const buf = fs.readFileSync(full);
  if (buf.byteLength !== entry.bytes) throw new DealkitInputError(`has ${buf.byteLength} bytes; the manifest says ${entry.bytes}`, { file: full });
  if (entry.sha256 !== undefined && sha256Hex(buf) !== entry.sha256) {
    throw new DealkitInputError("content does not match the SHA-256 in the manifest (the file is corrupt or was changed)", { file: full });
  }
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  for (const t of entry.tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    for (let i = t.offset; i < t.offset + size; i++) {
      if (!Number.isFinite(data[i]!)) {
        throw new DealkitInputError(`tensor ${t.name} holds a non-finite value (${data[i]}) at element ${i - t.offset}; the model is refused`, { file: full });
      }
    }
  }
  return data;
}
