/**
 * A sample grid for small objects (SVG, pure): each image with its boxes outlined over a dark halo, boxes
 * that would be too small to see ringed by a circle, and a strip of magnified insets (native pixels,
 * nearest-neighbour) of the smallest objects, each tied to its place in the image.
 */
import type { RgbImage } from "../structures/image.js";
import { categoryColour, cropRgbRegion, num, rgbDataUri, rgbPngDataUri, svgDocument, type EmbedFormat, svgImage, xmlEscape } from "./svg.js";

/** One box to draw (xywh, px of the source image). */
export interface SampleBox {
  bboxXywh: readonly [number, number, number, number] | readonly number[];
  categoryId: number;
  /** Ignore regions are drawn dashed grey and never inset. */
  ignore?: boolean;
}

/** One image of the grid. */
export interface SampleView {
  image: RgbImage;
  boxes: readonly SampleBox[];
  /** Shown above the image. */
  title?: string;
}

/** Options of {@link sampleGridSvg}. */
export interface SampleGridOptions {
  /** Images per row (default 3). */
  columns?: number;
  /** Displayed side of each image's longer edge, px (default 256). */
  cellSize?: number;
  /** Magnified insets per image, smallest objects first (default 4; 0 for none). */
  insets?: number;
  /** Boxes whose displayed longer side is below this get a ring around them, px (default 8). */
  ringBelowPx?: number;
  /** Smallest inset crop side, source px (default 12): crops are 3x the object, at least this. */
  minCropPx?: number;
  /** Category names for the legend, by id (no legend when absent). */
  categoryNames?: Readonly<Record<number, string>> | ReadonlyMap<number, string>;
  /** Images larger than this are downscaled before embedding (insets still use native pixels). Default 1024. */
  maxEmbedSide?: number;
  /** Encoding of the embedded image: "jpeg" (quality 85, small) or "png" (lossless). Default "jpeg". */
  embedFormat?: EmbedFormat;
}

const PAD = 10, TITLE_H = 16, GAP = 6, INSET_LABEL_H = 12, LEGEND_ROW_H = 16;

/**
 * An SVG string showing the images in a grid with their boxes and magnified insets of the smallest
 * objects. Box colours follow the category ids present across all samples.
 *
 * @example
 * const svg = sampleGridSvg([{ image, boxes: [{ bboxXywh: [10, 12, 3, 4], categoryId: 1 }], title: "uav" }], { categoryNames: { 1: "car" } });
 * showSvg(svg);
 */
export function sampleGridSvg(samples: readonly SampleView[], options: SampleGridOptions = {}): string {
  const columns = Math.max(1, Math.min(options.columns ?? 3, samples.length || 1));
  const cell = options.cellSize ?? 256;
  const nInsets = Math.max(0, Math.floor(options.insets ?? 4));
  const insetSide = nInsets ? (cell - GAP * (nInsets - 1)) / nInsets : 0;
  const allIds = samples.flatMap((s) => s.boxes.map((b) => b.categoryId));
  const colour = (id: number): string => categoryColour(id, allIds);

  const imageH = (s: SampleView): number => (cell * s.image.height) / Math.max(s.image.width, s.image.height);
  const stripH = nInsets ? GAP + insetSide + INSET_LABEL_H : 0;
  const rows: SampleView[][] = [];
  for (let i = 0; i < samples.length; i += columns) rows.push(samples.slice(i, i + columns));
  const rowH = rows.map((r) => TITLE_H + Math.max(...r.map(imageH)) + stripH);

  const parts: string[] = [];
  let y = PAD;
  rows.forEach((r, ri) => {
    r.forEach((s, ci) => parts.push(sampleCell(s, PAD + ci * (cell + PAD), y, cell, nInsets, insetSide, colour, options)));
    y += rowH[ri]! + PAD;
  });

  const names = options.categoryNames;
  if (names) {
    const ids = [...new Set(allIds)].sort((a, b) => a - b);
    let x = PAD;
    const width = PAD + columns * (cell + PAD);
    for (const id of ids) {
      const label = xmlEscape((names instanceof Map ? names.get(id) : (names as Record<number, string>)[id]) ?? `category ${id}`);
      const w = 22 + label.length * 6.5;
      if (x + w > width - PAD && x > PAD) {
        x = PAD;
        y += LEGEND_ROW_H;
      }
      parts.push(`<rect x="${num(x)}" y="${num(y + 3)}" width="10" height="10" fill="none" stroke="${colour(id)}" stroke-width="2"/>`);
      parts.push(`<text x="${num(x + 14)}" y="${num(y + 12)}" font-size="11" fill="#222">${label}</text>`);
      x += w;
    }
    y += LEGEND_ROW_H;
  }
  return svgDocument(PAD + columns * (cell + PAD), y + PAD, parts.join(""));
}

function sampleCell(
  s: SampleView, x0: number, y0: number, cell: number, nInsets: number, insetSide: number,
  colour: (id: number) => string, options: SampleGridOptions,
): string {
  const { image } = s;
  const scale = cell / Math.max(image.width, image.height);
  const w = image.width * scale, h = image.height * scale;
  const iy = y0 + TITLE_H;
  const out: string[] = [];
  if (s.title) {
    // About 6.6 px per character at 12 px: cut long titles so that neighbouring cells stay readable.
    const max = Math.max(4, Math.floor(cell / 6.6));
    const t = s.title.length > max ? s.title.slice(0, max - 1) + "…" : s.title;
    out.push(`<text x="${num(x0)}" y="${num(y0 + 12)}" font-size="12" fill="#222"><title>${xmlEscape(s.title)}</title>${xmlEscape(t)}</text>`);
  }
  out.push(svgImage(rgbDataUri(image, options.maxEmbedSide ?? 1024, options.embedFormat), x0, iy, w, h));

  const ringBelow = options.ringBelowPx ?? 8;
  for (const b of s.boxes) {
    const [bx, by, bw, bh] = b.bboxXywh as number[];
    const rx = x0 + bx! * scale, ry = iy + by! * scale, rw = Math.max(1, bw! * scale), rh = Math.max(1, bh! * scale);
    const c = b.ignore ? "#9e9e9e" : colour(b.categoryId);
    const dash = b.ignore ? ` stroke-dasharray="2 2"` : "";
    const rectAt = (extra: string) => `<rect x="${num(rx)}" y="${num(ry)}" width="${num(rw)}" height="${num(rh)}" fill="none" ${extra}/>`;
    out.push(rectAt(`stroke="#000" stroke-opacity="0.55" stroke-width="2.6"`));
    out.push(rectAt(`stroke="${c}" stroke-width="1.2"${dash} data-category="${b.categoryId}"`));
    if (!b.ignore && Math.max(rw, rh) < ringBelow) {
      const cx = rx + rw / 2, cy = ry + rh / 2, r = ringBelow * 0.9;
      out.push(`<circle cx="${num(cx)}" cy="${num(cy)}" r="${num(r)}" fill="none" stroke="#000" stroke-opacity="0.5" stroke-width="2.4"/>`);
      out.push(`<circle class="ring" cx="${num(cx)}" cy="${num(cy)}" r="${num(r)}" fill="none" stroke="${c}" stroke-width="1"/>`);
    }
  }

  if (nInsets) {
    const minCrop = options.minCropPx ?? 12;
    const chosen = pickInsets(s.boxes, nInsets);
    const sy = iy + h + GAP;
    chosen.forEach((b, k) => {
      const [bx, by, bw, bh] = b.bboxXywh as number[];
      const side = Math.min(Math.max(image.width, image.height), Math.max(minCrop, Math.ceil(3 * Math.max(bw!, bh!))));
      const cx = bx! + bw! / 2, cy = by! + bh! / 2;
      const left = clamp(Math.round(cx - side / 2), 0, Math.max(0, image.width - side));
      const top = clamp(Math.round(cy - side / 2), 0, Math.max(0, image.height - side));
      const crop = cropRgbRegion(image, left, top, left + side, top + side);
      const zoom = insetSide / Math.max(crop.image.width, crop.image.height);
      const sx = x0 + k * (insetSide + GAP);
      const c = colour(b.categoryId);
      out.push(`<g class="inset" data-category="${b.categoryId}">`);
      out.push(svgImage(rgbPngDataUri(crop.image), sx, sy, crop.image.width * zoom, crop.image.height * zoom));
      out.push(`<rect x="${num(sx + (bx! - crop.x) * zoom)}" y="${num(sy + (by! - crop.y) * zoom)}" width="${num(bw! * zoom)}" height="${num(bh! * zoom)}" fill="none" stroke="${c}" stroke-width="1.5"/>`);
      out.push(`<rect x="${num(sx)}" y="${num(sy)}" width="${num(insetSide)}" height="${num(insetSide)}" fill="none" stroke="${c}" stroke-width="2"/>`);
      const r1 = (v: number): string => String(Math.round(v * 10) / 10);
      out.push(`<text x="${num(sx)}" y="${num(sy + insetSide + 10)}" font-size="9" fill="#444"><title>zoom x${r1(zoom)}</title>${r1(bw!)}×${r1(bh!)} px</text>`);
      const mx = x0 + crop.x * scale, my = iy + crop.y * scale, ms = crop.image.width * scale;
      out.push(`<rect x="${num(mx)}" y="${num(my)}" width="${num(ms)}" height="${num(crop.image.height * scale)}" fill="none" stroke="#fff" stroke-width="0.8" stroke-dasharray="2 1"/>`);
      out.push(`<line x1="${num(mx + ms / 2)}" y1="${num(my + crop.image.height * scale)}" x2="${num(sx + insetSide / 2)}" y2="${num(sy)}" stroke="${c}" stroke-opacity="0.45" stroke-width="0.8"/>`);
      out.push(`</g>`);
    });
  }
  return out.join("");
}

/** The `n` smallest non-ignored boxes, skipping any whose centre lies in an already chosen box's 3x region. */
function pickInsets(boxes: readonly SampleBox[], n: number): SampleBox[] {
  const sorted = boxes
    .map((b, i) => ({ b, i, area: (b.bboxXywh[2] ?? 0) * (b.bboxXywh[3] ?? 0) }))
    .filter((e) => !e.b.ignore)
    .sort((a, b) => a.area - b.area || a.i - b.i);
  const out: SampleBox[] = [];
  for (const { b } of sorted) {
    if (out.length >= n) break;
    const [x, y, w, h] = b.bboxXywh as number[];
    const cx = x! + w! / 2, cy = y! + h! / 2;
    const near = out.some((o) => {
      const [ox, oy, ow, oh] = o.bboxXywh as number[];
      const r = 1.5 * Math.max(ow!, oh!, 4);
      return Math.abs(ox! + ow! / 2 - cx) < r && Math.abs(oy! + oh! / 2 - cy) < r;
    });
    if (!near) out.push(b);
  }
  return out;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
