import type { Detections } from "../structures/detections.js";
import type { RgbImage } from "../structures/image.js";
import { DealkitInputError, checkOneOf } from "../util/errors.js";
import { matchForView, type ViewGroundTruth } from "./detections.js";
import { MATCH_COLOURS, cropRgbRegion, num, rgbDataUri, svgDocument, svgImage, xmlEscape, type EmbedFormat } from "./svg.js";

/** A box drawn in a gallery tile (xyxy px in the source image). `colour` overrides the kind's colour. */
export interface GalleryTileBox {
  boxXyxy: [number, number, number, number];
  kind: "gt" | "det";
  label: string;
  colour?: string;
}

/**
 * One crop of a gallery: which image, the crop (xyxy px; clipped when drawn), the boxes and a caption.
 * The analysis module's ErrorGalleryItem has this shape, so its items can be drawn as they are.
 */
export interface GalleryTile {
  imageId: number;
  cropXyxy: [number, number, number, number];
  boxes: GalleryTileBox[];
  caption: string;
  /** The row the tile goes in ("FP", "cat 3", "uav", ...). Tiles without one share a row. */
  group?: string;
}

/** One image's input to {@link galleryTiles}. */
export interface GallerySource {
  imageId: number;
  image: RgbImage;
  detections: Detections;
  groundTruth?: ViewGroundTruth;
  domain?: string;
}

/** Options of {@link galleryTiles}. Defaults: by "errors", perGroup 8, context 3, minCropPx 32, iouThreshold 0.5. */
export interface GalleryTilesOptions {
  /**
   * "errors": a row of the most confident false positives and a row of the largest missed objects;
   * "category": a row per category (errors first, then the best true positives); "domain": the same per domain.
   */
  by?: "errors" | "category" | "domain";
  /** Tiles per row. Default 8. */
  perGroup?: number;
  /** Crop side as a multiple of the box's larger side. Default 3. */
  context?: number;
  /** Smallest crop side, px (tiny objects need context). Default 32. */
  minCropPx?: number;
  iouThreshold?: number;
  categoryNames?: Record<number, string>;
}

interface Case {
  tile: GalleryTile;
  kind: "fp" | "fn" | "tp";
  /** Larger first: score for FP and TP, area for FN. */
  severity: number;
  category: number;
  domain: string;
}

const KIND_ORDER = { fp: 0, fn: 1, tp: 2 } as const;

/**
 * Picks gallery crops from detections and ground truth: each detection is matched (IoU >= 0.5) and every
 * FP, FN and TP becomes a candidate crop; the largest errors are the highest-scoring false positives and
 * the largest missed objects. Grouped by error type, category or domain, `perGroup` tiles each.
 *
 * @example
 * const tiles = galleryTiles([{ imageId: 1, image, detections, groundTruth: ds.groundTruth(1) }], { by: "category" });
 * showSvg(gallerySvg(tiles, new Map([[1, image]])));
 */
export function galleryTiles(sources: readonly GallerySource[], options: GalleryTilesOptions = {}): GalleryTile[] {
  const by = checkOneOf("gallery grouping", options.by ?? "errors", ["errors", "category", "domain"] as const);
  const perGroup = options.perGroup ?? 8;
  const context = options.context ?? 3;
  const minCrop = options.minCropPx ?? 32;
  const names = options.categoryNames ?? {};
  const catName = (c: number) => (c === -1 ? "any" : (names[c] ?? `cat ${c}`));
  const cases: Case[] = [];
  for (const src of sources) {
    const gt = src.groundTruth ?? { gtBoxesXyxy: new Float32Array(0) };
    const m = matchForView(src.detections, gt, options.iouThreshold ?? 0.5);
    const crop = (b: number[]): [number, number, number, number] => {
      const side = Math.max(minCrop, context * Math.max(b[2]! - b[0]!, b[3]! - b[1]!));
      const cx = (b[0]! + b[2]!) / 2, cy = (b[1]! + b[3]!) / 2;
      return [cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2];
    };
    const domain = src.domain ?? "unknown";
    for (let i = 0; i < src.detections.length; i++) {
      const box = Array.from(src.detections.boxesXyxy.subarray(4 * i, 4 * i + 4)) as [number, number, number, number];
      const kind = m.detection[i]!;
      const score = src.detections.scores[i]!;
      const cat = src.detections.categoryIds[i]!;
      cases.push({
        kind, severity: score, category: cat, domain,
        tile: {
          imageId: src.imageId, cropXyxy: crop(box),
          boxes: [{ boxXyxy: box, kind: "det", label: score.toFixed(2), colour: MATCH_COLOURS[kind] }],
          caption: `${kind.toUpperCase()} ${score.toFixed(2)} ${catName(cat)} · img ${src.imageId}`,
        },
      });
    }
    m.gtMatched.forEach((hit, j) => {
      if (hit) return;
      const box = Array.from({ length: 4 }, (_, k) => gt.gtBoxesXyxy[4 * j + k]!) as [number, number, number, number];
      const cat = gt.gtCategoryIds ? gt.gtCategoryIds[j]! : -1;
      const w = box[2] - box[0], h = box[3] - box[1];
      cases.push({
        kind: "fn", severity: w * h, category: cat, domain,
        tile: {
          imageId: src.imageId, cropXyxy: crop(box),
          boxes: [{ boxXyxy: box, kind: "gt", label: "missed", colour: MATCH_COLOURS.fn }],
          caption: `FN ${num(w)}x${num(h)} px ${catName(cat)} · img ${src.imageId}`,
        },
      });
    });
  }
  const rank = (a: Case, b: Case) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || b.severity - a.severity;
  const groupKey = (c: Case): string =>
    by === "errors" ? (c.kind === "fp" ? "most confident false positives" : c.kind === "fn" ? "largest missed objects" : "")
      : by === "category" ? catName(c.category) : c.domain;
  const groups = new Map<string, Case[]>();
  for (const c of cases) {
    const key = groupKey(c);
    if (key === "") continue;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const keys = [...groups.keys()].sort();
  return keys.flatMap((key) =>
    groups.get(key)!.slice().sort(rank).slice(0, perGroup).map((c) => ({ ...c.tile, group: key })),
  );
}

/** Options of {@link gallerySvg}. Defaults: tilePx 128, columns 8. */
export interface GallerySvgOptions {
  /** Side of a tile, px. Default 128. */
  tilePx?: number;
  /** Tiles per row within a group. Default 8. */
  columns?: number;
  title?: string;
  /** Encoding of the crops: "jpeg" (quality 85, no chroma subsampling; small) or "png" (lossless). Default "jpeg". */
  embedFormat?: EmbedFormat;
}

/** The caption cut to the tile's width (~5.5 px per character at 10 px), with an ellipsis when cut. */
function fitCaption(caption: string, tilePx: number): string {
  const max = Math.max(4, Math.floor(tilePx / 5.5));
  return caption.length > max ? `${caption.slice(0, max - 1)}…` : caption;
}

/**
 * Draws gallery tiles as one SVG: a row (or rows) per group, each tile the crop at native pixels magnified
 * to `tilePx`, its boxes and caption. Images are looked up by imageId. Pure: data in, SVG out.
 *
 * @example
 * await saveSvgPng(gallerySvg(tiles, images, { title: "largest errors" }), "out/gallery.png");
 */
export function gallerySvg(
  tiles: readonly GalleryTile[],
  images: ReadonlyMap<number, RgbImage> | ((imageId: number) => RgbImage | undefined),
  options: GallerySvgOptions = {},
): string {
  const tilePx = options.tilePx ?? 128;
  const columns = options.columns ?? 8;
  const lookup = typeof images === "function" ? images : (id: number) => images.get(id);
  const gap = 6, captionH = 16, headerH = 20;
  const parts: string[] = [];
  let y = options.title ? 26 : 4;
  if (options.title) parts.push(`<text x="4" y="18" font-size="14" font-weight="bold">${xmlEscape(options.title)}</text>`);
  const groups: string[] = [];
  for (const t of tiles) if (!groups.includes(t.group ?? "")) groups.push(t.group ?? "");
  let maxCols = 0;
  for (const g of groups) {
    const inGroup = tiles.filter((t) => (t.group ?? "") === g);
    if (g) {
      parts.push(`<text class="group" x="4" y="${num(y + 14)}" font-size="13" font-weight="bold">${xmlEscape(g)} (${inGroup.length})</text>`);
      y += headerH;
    }
    inGroup.forEach((t, k) => {
      const image = lookup(t.imageId);
      if (!image) throw new DealkitInputError(`no image given for imageId ${t.imageId}`, { record: `gallery tile #${k}`, field: "imageId" });
      const col = k % columns, row = Math.floor(k / columns);
      maxCols = Math.max(maxCols, col + 1);
      const x = 4 + col * (tilePx + gap), ty = y + row * (tilePx + captionH + gap);
      const [cx1, cy1, cx2, cy2] = t.cropXyxy;
      const crop = cropRgbRegion(image, cx1, cy1, cx2, cy2);
      // The viewBox is the requested square crop, so a crop clipped at the image border stays in place.
      const side = Math.max(cx2 - cx1, cy2 - cy1);
      const boxes = t.boxes
        .map((b) => {
          const colour = b.colour ?? (b.kind === "gt" ? MATCH_COLOURS.tp : MATCH_COLOURS.fp);
          const [x1, y1, x2, y2] = b.boxXyxy;
          return `<rect class="tile-box tile-${b.kind}" x="${num(x1)}" y="${num(y1)}" width="${num(x2 - x1)}" height="${num(y2 - y1)}" fill="none" stroke="${colour}" stroke-width="2" vector-effect="non-scaling-stroke"${b.kind === "gt" ? ' stroke-dasharray="4 3"' : ""}/>`;
        })
        .join("");
      parts.push(
        `<g class="tile"><rect x="${num(x)}" y="${num(ty)}" width="${tilePx}" height="${tilePx}" fill="#222"/>` +
          `<svg x="${num(x)}" y="${num(ty)}" width="${tilePx}" height="${tilePx}" viewBox="${num(cx1)} ${num(cy1)} ${num(side)} ${num(side)}">` +
          svgImage(rgbDataUri(crop.image, Infinity, options.embedFormat), crop.x, crop.y, crop.image.width, crop.image.height) + boxes +
          `</svg><text x="${num(x + 1)}" y="${num(ty + tilePx + 12)}" font-size="10"><title>${xmlEscape(t.caption)}</title>${xmlEscape(fitCaption(t.caption, tilePx))}</text></g>`,
      );
    });
    y += Math.ceil(inGroup.length / columns) * (tilePx + captionH + gap);
  }
  if (tiles.length === 0) {
    parts.push(`<text x="4" y="${num(y + 14)}" font-size="12">no tiles</text>`);
    y += 20;
  }
  const width = Math.max(240, 8 + Math.max(1, maxCols) * (tilePx + gap));
  return svgDocument(width, y + 4, parts.join(""));
}
