/**
 * MIME bundles: what a Jupyter display carries (one entry per MIME type; the frontend picks the richest it can
 * render). Binary data (PNG) is base64 text, JSON types are objects.
 */
export type MimeBundle = Record<string, string | object>;

/** Where a bundle goes instead of the kernel: tests and reports collect bundles through this. */
export type DisplaySink = (bundle: MimeBundle, displayId?: string, update?: boolean) => void;

/** Options every `show*` function takes. */
export interface ShowOptions {
  /**
   * Receives the bundle instead of the kernel (default: the running tslab kernel; outside a kernel the bundle
   * is not published anywhere).
   */
  sink?: DisplaySink;
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * Escapes text for HTML element content and attribute values.
 *
 * @example
 * escapeHtml("a < b"); // "a &lt; b"
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** Base64 of bytes (Buffer and plain Uint8Array alike). */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/**
 * JSON safe to place inside an inline `<script>`: `</script>`, `<!--` and the JS line separators are escaped.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value ?? null)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}
