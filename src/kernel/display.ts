import { escapeHtml, toBase64, type MimeBundle, type ShowOptions } from "./mime.js";
import { clearKernelOutput, publishToKernel } from "./tslab.js";

/**
 * Sends a bundle to `options.sink`, else to the running tslab kernel. Returns false when it went nowhere
 * (outside a kernel and without a sink): display is then a no-op, as library code never prints.
 */
export function publish(bundle: MimeBundle, options: ShowOptions = {}, displayId?: string, update = false): boolean {
  if (options.sink) {
    options.sink(bundle, displayId, update);
    return true;
  }
  return publishToKernel(bundle, displayId, update);
}

/**
 * Clears the running cell's output in the dealkit kernel (Jupyter's clear_output), e.g. before redrawing a
 * chart in a loop; with `wait`, the output is cleared only when the next output arrives (no flicker). Returns
 * false, doing nothing, outside the dealkit kernel.
 *
 * @example
 * for (const epoch of epochs) { clearOutput(true); showHtml(lossTable(epoch)); }
 */
export function clearOutput(wait = false): boolean {
  return clearKernelOutput(wait);
}

/** A short text stand-in for HTML (tags dropped), for text/plain. */
export function htmlToText(html: string, maxChars = 200): string {
  const text = html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text || "[HTML]";
}

/**
 * The bundle for an HTML fragment (text/html plus a text/plain stand-in).
 *
 * @example
 * htmlBundle("<b>hi</b>"); // { "text/html": "<b>hi</b>", "text/plain": "hi" }
 */
export function htmlBundle(html: string): MimeBundle {
  return { "text/html": html, "text/plain": htmlToText(html) };
}

/**
 * Shows an HTML fragment in the cell output; a no-op outside a kernel.
 *
 * @example
 * showHtml("<h3>Results</h3>");
 */
export function showHtml(html: string, options: ShowOptions = {}): void {
  publish(htmlBundle(html), options);
}

/** Width and height from a PNG's IHDR chunk, or null when the bytes are not a PNG. */
export function pngSize(png: Uint8Array): { width: number; height: number } | null {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.length < 24 || sig.some((b, i) => png[i] !== b)) return null;
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Options of {@link pngHtml}. */
export interface ImageHtmlOptions {
  /** Alternative text. Default "". */
  alt?: string;
  /** CSS width, e.g. "400px" or "100%". Default: the image's own size. */
  width?: string;
}

function imgTag(src: string, options: ImageHtmlOptions): string {
  const style = options.width ? ` style="width:${escapeHtml(options.width)};height:auto"` : "";
  return `<img src="${src}" alt="${escapeHtml(options.alt ?? "")}"${style}>`;
}

/**
 * An `<img>` holding the PNG as a data URI (works in exported HTML, offline).
 *
 * @example
 * pngHtml(bytes, { alt: "tile 3", width: "256px" });
 */
export function pngHtml(png: Uint8Array, options: ImageHtmlOptions = {}): string {
  return imgTag(`data:image/png;base64,${toBase64(png)}`, options);
}

/** The bundle for PNG bytes: image/png plus a text/plain description. Throws for bytes that are not a PNG. */
export function pngBundle(png: Uint8Array): MimeBundle {
  const size = pngSize(png);
  if (!size) throw new TypeError(`pngBundle: the ${png.length} bytes given are not a PNG (bad signature)`);
  return { "image/png": toBase64(png), "text/plain": `<PNG image ${size.width}x${size.height}>` };
}

/**
 * Shows PNG bytes (e.g. from sharp or @napi-rs/canvas); a no-op outside a kernel.
 *
 * @example
 * showPng(await sharp(svgBytes).png().toBuffer());
 */
export function showPng(png: Uint8Array, options: ShowOptions = {}): void {
  publish(pngBundle(png), options);
}

/** Options of {@link svgHtml}. */
export interface SvgHtmlOptions extends ImageHtmlOptions {
  /**
   * Put the `<svg>` element itself in the HTML (selectable text, styles from the page) instead of an `<img>`
   * with a data URI (isolated ids and styles: safe for many figures on one page). Default false.
   */
  inline?: boolean;
}

/**
 * HTML showing an SVG document: an `<img>` with a base64 data URI, or the inline `<svg>`. Jupyter's HTML
 * export (nbconvert) empties image/svg+xml outputs, so dealkit always shows SVG as HTML.
 *
 * @example
 * svgHtml('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
 */
export function svgHtml(svg: string, options: SvgHtmlOptions = {}): string {
  const body = svg.replace(/^\s*<\?xml[^>]*\?>\s*/, "").replace(/^\s*<!DOCTYPE[^>]*>\s*/i, "");
  if (!/^\s*<svg[\s>]/i.test(body)) throw new TypeError("svgHtml: the text given does not start with an <svg> element");
  if (options.inline) return `<div class="dealkit-svg">${body}</div>`;
  return imgTag(svgDataUri(body), options);
}

/**
 * A `data:image/svg+xml,` URI of an SVG document, percent-encoded rather than base64: the base64 of embedded
 * rasters and plain text pass through unchanged, so the URI is about the SVG's own size (base64 would add a
 * third). Safe inside a double-quoted HTML attribute.
 *
 * @example
 * svgDataUri('<svg xmlns="http://www.w3.org/2000/svg"/>'); // "data:image/svg+xml,%3Csvg xmlns=%22http..."
 */
export function svgDataUri(svg: string): string {
  const encode = (run: string) => encodeURIComponent(run).replace(/'/g, "%27");
  return `data:image/svg+xml,${svg.replace(/[^A-Za-z0-9 +/=:;,.\-_!*()~@$[\]]+/g, encode)}`;
}

/** The bundle for an SVG document: text/html (see {@link svgHtml}) plus text/plain. */
export function svgBundle(svg: string, options: SvgHtmlOptions = {}): MimeBundle {
  return { "text/html": svgHtml(svg, options), "text/plain": "<SVG image>" };
}

/**
 * Shows an SVG document as HTML (kept by HTML exports); a no-op outside a kernel.
 *
 * @example
 * showSvg(boxesOverlaySvg, { width: "600px" });
 */
export function showSvg(svg: string, options: SvgHtmlOptions & ShowOptions = {}): void {
  publish(svgBundle(svg, options), options);
}
