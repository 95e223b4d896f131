import { deflateSync } from "node:zlib";
import { encode as encodeJpeg } from "jpeg-js";
import sharp from "sharp";
import type { RgbImage } from "../structures/image.js";
import { writeFileAtomic } from "../util/fs.js";

// Shared SVG helpers for the image builders (detections, gallery, plotly scene). Pure and synchronous,
// except svgToPngBytes / saveSvgPng, which rasterise through sharp.

/** Colours of match outcomes: true positive, false positive, false negative (missed ground truth), click. */
export const MATCH_COLOURS = { tp: "#1a9850", fp: "#d73027", fn: "#f39c12", click: "#00e5ff" } as const;

/** Tableau 10, one colour per category (by position of the id in the sorted ids, so -1 works too). */
export const CATEGORY_COLOURS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

/** Escapes text for SVG/XML content and attribute values. */
export function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** A number for SVG attributes: at most 2 decimals, no trailing zeros (stable snapshots, short output). */
export function num(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/** A colour per category id, stable for a given set of ids. */
export function categoryColour(categoryId: number, allIds: readonly number[]): string {
  const sorted = [...new Set(allIds)].sort((a, b) => a - b);
  const k = Math.max(0, sorted.indexOf(categoryId));
  return CATEGORY_COLOURS[k % CATEGORY_COLOURS.length]!;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * PNG bytes of an RGB image, synchronously (zlib; no sharp), so pure builders can embed images.
 *
 * @example
 * const png = encodeRgbPng({ width: 1, height: 1, data: new Uint8Array([255, 0, 0]) });
 */
export function encodeRgbPng(image: RgbImage): Uint8Array {
  const { width, height, data } = image;
  const raw = new Uint8Array(height * (width * 3 + 1));
  for (let y = 0; y < height; y++) raw.set(data.subarray(y * width * 3, (y + 1) * width * 3), y * (width * 3 + 1) + 1);
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const parts = [
    Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw, { level: 6 })),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * The image shrunk (box filter) so that its longer side is at most `maxSide`; the image itself when it
 * already fits. Used to embed huge scenes in SVG and plotly figures.
 */
export function downscaleRgb(image: RgbImage, maxSide: number): RgbImage {
  const scale = Math.min(1, maxSide / Math.max(image.width, image.height));
  if (scale >= 1) return image;
  const w = Math.max(1, Math.round(image.width * scale));
  const h = Math.max(1, Math.round(image.height * scale));
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const sy0 = Math.floor((y * image.height) / h), sy1 = Math.max(sy0 + 1, Math.floor(((y + 1) * image.height) / h));
    for (let x = 0; x < w; x++) {
      const sx0 = Math.floor((x * image.width) / w), sx1 = Math.max(sx0 + 1, Math.floor(((x + 1) * image.width) / w));
      let r = 0, g = 0, b = 0;
      for (let sy = sy0; sy < sy1; sy++) {
        for (let sx = sx0; sx < sx1; sx++) {
          const o = 3 * (sy * image.width + sx);
          r += image.data[o]!;
          g += image.data[o + 1]!;
          b += image.data[o + 2]!;
        }
      }
      const n = (sy1 - sy0) * (sx1 - sx0);
      out.set([Math.round(r / n), Math.round(g / n), Math.round(b / n)], 3 * (y * w + x));
    }
  }
  return { width: w, height: h, data: out };
}

/** A PNG data URI of the image, downscaled to `maxSide` first when given. */
export function rgbPngDataUri(image: RgbImage, maxSide = Infinity): string {
  return `data:image/png;base64,${Buffer.from(encodeRgbPng(downscaleRgb(image, maxSide))).toString("base64")}`;
}

/** How an embedded raster is encoded: "jpeg" (small; default for whole images) or "png" (lossless). */
export type EmbedFormat = "jpeg" | "png";

/**
 * JPEG bytes of an RGB image, synchronously (jpeg-js; no chroma subsampling, so thin coloured details keep
 * their colour). Quality 1-100, default 85: a 512 px generated scene takes ~1/6 of its PNG's bytes.
 *
 * @example
 * const jpg = encodeRgbJpeg({ width: 1, height: 1, data: new Uint8Array([255, 0, 0]) });
 */
export function encodeRgbJpeg(image: RgbImage, quality = 85): Uint8Array {
  const { width, height, data } = image;
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0, j = 0; i < width * height; i++, j += 3) {
    rgba[4 * i] = data[j]!;
    rgba[4 * i + 1] = data[j + 1]!;
    rgba[4 * i + 2] = data[j + 2]!;
    rgba[4 * i + 3] = 255;
  }
  return new Uint8Array(encodeJpeg({ width, height, data: rgba }, quality).data);
}

/**
 * A data URI of the image (downscaled to `maxSide` first when given): JPEG (default; `quality` 1-100, default
 * 85) or PNG.
 *
 * @example
 * svgImage(rgbDataUri(scene, 2048), 0, 0, scene.width, scene.height);
 */
export function rgbDataUri(image: RgbImage, maxSide = Infinity, format: EmbedFormat = "jpeg", quality = 85): string {
  if (format === "png") return rgbPngDataUri(image, maxSide);
  return `data:image/jpeg;base64,${Buffer.from(encodeRgbJpeg(downscaleRgb(image, maxSide), quality)).toString("base64")}`;
}

/** The pixels of the region (clipped to the image; integer px), for native-resolution insets and crops. */
export function cropRgbRegion(image: RgbImage, x1: number, y1: number, x2: number, y2: number): { image: RgbImage; x: number; y: number } {
  const x = Math.max(0, Math.floor(x1)), y = Math.max(0, Math.floor(y1));
  const w = Math.max(1, Math.min(image.width, Math.ceil(x2)) - x), h = Math.max(1, Math.min(image.height, Math.ceil(y2)) - y);
  const data = new Uint8Array(w * h * 3);
  for (let r = 0; r < h; r++) {
    const src = ((y + r) * image.width + x) * 3;
    data.set(image.data.subarray(src, src + w * 3), r * w * 3);
  }
  return { image: { width: w, height: h, data }, x, y };
}

/** An `<image>` element showing `href` over the rectangle, nearest-neighbour scaled (pixels stay crisp when zoomed). */
export function svgImage(href: string, x: number, y: number, width: number, height: number): string {
  return `<image href="${href}" x="${num(x)}" y="${num(y)}" width="${num(width)}" height="${num(height)}" preserveAspectRatio="none" style="image-rendering:pixelated" image-rendering="optimizeSpeed"/>`;
}

/** A complete SVG document of the given size around `body`. */
export function svgDocument(width: number, height: number, body: string, background = "#ffffff"): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}" font-family="DejaVu Sans, Arial, sans-serif">` +
    `<rect width="100%" height="100%" fill="${background}"/>${body}</svg>`
  );
}

/**
 * PNG bytes of an SVG document, rendered by sharp (librsvg). `density` scales the output (72 = 1:1).
 *
 * @example
 * const png = await svgToPngBytes(detectionsSvg(image, dets));
 */
export async function svgToPngBytes(svg: string, density = 72): Promise<Uint8Array> {
  return new Uint8Array(await sharp(Buffer.from(svg, "utf8"), { density }).png().toBuffer());
}

/**
 * Writes an SVG document as a PNG file (atomically), e.g. a detections view for a report.
 *
 * @example
 * await saveSvgPng(detectionsSvg(image, dets, { groundTruth }), "out/detections.png");
 */
export async function saveSvgPng(svg: string, file: string, density = 72): Promise<void> {
  writeFileAtomic(file, await svgToPngBytes(svg, density));
}
