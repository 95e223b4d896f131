import { createHash } from "node:crypto";
import * as fs from "node:fs";

/**
 * A short content hash (sha256, hex, 16 chars) of strings, numbers, typed arrays or JSON values, for model
 * and data fingerprints and cache keys.
 *
 * @example
 * contentFingerprint("deal-tiny", new Float32Array([1, 2])); // "3f1c..." (same inputs, same hash)
 */
export function contentFingerprint(...parts: unknown[]): string {
  const h = createHash("sha256");
  for (const p of parts) {
    if (ArrayBuffer.isView(p)) {
      h.update(`<${p.constructor.name}:${p.byteLength}>`);
      h.update(new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
    } else h.update(JSON.stringify(p) ?? "undefined");
    h.update("\u0000");
  }
  return h.digest("hex").slice(0, 16);
}

/**
 * The fingerprint of a file's bytes (e.g. a checkpoint).
 *
 * @example
 * fileFingerprint("datasets/models/deal-tiny/manifest.json");
 */
export function fileFingerprint(file: string): string {
  return contentFingerprint(fs.readFileSync(file));
}
