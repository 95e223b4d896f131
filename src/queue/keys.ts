import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { VERSION } from "../version.js";

/** What a shard's result depends on: its stored result is found again by these, and only these. */
export interface ShardKeyParts {
  /** Job kind: "predict", "eval" or "ablate". */
  kind: string;
  /** Model fingerprint ({@link checkpointFingerprint}), or "" for jobs without a model (eval). */
  model: string;
  /** Data fingerprint: sha256 of the files the job reads ({@link fileSha256}). */
  data: string;
  /** Which part of the work: e.g. images [start, end) of the data set's order. */
  shard: { start: number; end: number } | Record<string, unknown>;
  /** Every setting that changes the result (protocol parameters, prompt setting, seed, ...). */
  settings: Record<string, unknown>;
}

/**
 * The content key of a shard: sha256 of its kind, model and data fingerprints, shard and settings (and dealkit's
 * version), hex. A re-submitted job with the same key is answered from the stored result; a job whose key
 * differs in anything is computed anew. Settings are serialised with sorted keys, so their order does not matter.
 *
 * @example
 * shardKey({ kind: "eval", model: "", data: "ab12...", shard: { start: 0, end: 100 }, settings: { protocol: "coco" } });
 */
export function shardKey(p: ShardKeyParts): string {
  return createHash("sha256").update(stableJson({ v: VERSION, ...p })).digest("hex");
}

/**
 * sha256 of a file's bytes, hex, read in 1 MiB pieces (bounded memory for large files).
 *
 * @example
 * fileSha256("instances_test.json");
 */
export function fileSha256(file: string): string {
  const h = createHash("sha256");
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest("hex");
}

/**
 * JSON with object keys sorted at every level, undefined fields left out (a stable serialisation for hashing).
 *
 * @example
 * stableJson({ b: 1, a: 2 }); // '{"a":2,"b":1}'
 */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}
