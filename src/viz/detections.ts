import type { Click } from "../structures/click.js";
import { detectionOrder, type Detections } from "../structures/detections.js";
import type { RgbImage } from "../structures/image.js";
import { iouXyxy } from "../structures/iou.js";
import {
  MATCH_COLOURS,
  categoryColour,
  cropRgbRegion,
  num,
  rgbPngDataUri,
  rgbDataUri,
  type EmbedFormat,
  svgDocument,
  svgImage,
  xmlEscape,
} from "./svg.js";

/**
 * The ground truth a view needs: xyxy px boxes (4 numbers each) and, optionally, their category ids. Any
 * `GroundTruth` fits (e.g. `ds.groundTruth(imageId)`); every box is drawn and matched, ignore regions
 * included.
 */
export interface ViewGroundTruth {
  gtBoxesXyxy: ArrayLike<number>;
  gtCategoryIds?: ArrayLike<number>;
}

/** Outcome of matching detections to ground truth: per detection "tp" or "fp", per ground truth matched or not. */
export interface ViewMatch {
  detection: ("tp" | "fp")[];
  gtMatched: boolean[];
}

/**
 * Greedy matching for display: detections by descending score each take the unmatched ground-truth box
 * with the highest IoU >= `iouThreshold` (same category, unless either side is -1 or the ground truth has
 * no categories). The evaluation protocols live in src/eval; this is the plain picture.
 *
 * @example
 * matchForView(dets, ds.groundTruth(imageId), 0.5).detection; // ["tp", "fp", ...]
 */
export function matchForView(dets: Detections, gt: ViewGroundTruth, iouThreshold = 0.5): ViewMatch {
  const nGt = gt.gtBoxesXyxy.length / 4;
  const gtMatched = new Array<boolean>(nGt).fill(false);
  const detection = new Array<"tp" | "fp">(dets.length).fill("fp");
  const order = detectionOrder(dets);
  const b = gt.gtBoxesXyxy;
  for (const i of order) {
    const cat = dets.categoryIds[i]!;
    let best = -1;
    let bestIou = iouThreshold;
    for (let j = 0; j < nGt; j++) {
      if (gtMatched[j]) continue;
      const gc = gt.gtCategoryIds ? gt.gtCategoryIds[j]! : -1;
      if (cat !== -1 && gc !== -1 && gc !== cat) continue;
      const iou = iouXyxy(dets.boxesXyxy, i, b, j);
      if (iou <= 0) continue;
      if (iou >= bestIou) {
        bestIou = iou;
        best = j;
      }
    }
    if (best >= 0) {
      gtMatched[best] = true;
      detection[i] = "tp";
    }
  }
  return { detection, gtMatched };
}

/**
 * An inset's caption, "3: FP 0.53, TP 0.44 ×3.75", shortened to fit `widthPx` at 11 px (~6.2 px a character):
 * later labels become "+n", then the zoom goes, then the text is cut with an ellipsis (neighbours never overlap).
 */
function insetCaption(k: number, labels: string[], zoom: number, widthPx: number): string {
  const max = Math.floor(widthPx / 6.2);
  const shown = labels.filter((l) => l);
  const head = (n: number) => `${k + 1}: ${shown.slice(0, n).join(", ")}${shown.length > n ? ` +${shown.length - n}` : ""}`;
  for (const text of [`${head(2)} ×${num(zoom)}`, `${head(1)} ×${num(zoom)}`, head(1)]) if (text.length <= max) return text;
  return `${head(1).slice(0, Math.max(1, max - 1))}…`;
}

/**
 * Options of {@link detectionsSvg}. Defaults: displayMaxSide 900, imageMaxSide 2048, iouThreshold 0.5,
 * smallSidePx 16, maxInsets 12, insetPx 120, maxWidth 1000, labels "auto" (scores shown with <= 40 boxes), categoryNames {}.
 */
export interface DetectionsViewOptions {
  /** Ground truth: boxes are then coloured TP (green) / FP (red), and missed ground truth FN (orange, dashed). */
  groundTruth?: ViewGroundTruth;
  /** The clicks to draw (numbered cyan crosshairs). */
  clicks?: readonly Click[];
  /** IoU for TP. Default 0.5. */
  iouThreshold?: number;
  /** Longer side of the drawn image, px. Default 900. */
  displayMaxSide?: number;
  /** Enlarge a smaller image to displayMaxSide (pixels stay crisp), e.g. a 256 px photo. Default false. */
  upscale?: boolean;
  /** Longer side of the embedded raster (huge images are downscaled; insets keep native pixels). Default 2048. */
  imageMaxSide?: number;
  /** Encoding of the embedded image: "jpeg" (quality 85, small) or "png" (lossless). Default "jpeg". */
  embedFormat?: EmbedFormat;
  /** Boxes whose larger side is under this (px) get a halo and a magnified inset. Default 16. */
  smallSidePx?: number;
  /** At most this many insets (errors first, then by score). 0 disables them. Default 12. */
  maxInsets?: number;
  /** Side of an inset, px. Default 120. */
  insetPx?: number;
  /** Width the view should keep within (the insets wrap into more rows), px. Default 1000. */
  maxWidth?: number;
  /** Score labels: "auto" draws them when there are at most 40 boxes. Default "auto". */
  labels?: boolean | "auto";
  /** Names for category ids in labels and the legend. */
  categoryNames?: Record<number, string>;
  /** A title above the view. */
  title?: string;
}

interface Mark {
  box: [number, number, number, number];
  colour: string;
  dashed: boolean;
  kind: "tp" | "fp" | "fn" | "det";
  score: number;
  label: string;
}

function marksOf(dets: Detections, options: DetectionsViewOptions): { marks: Mark[]; legend: string } {
  const names = options.categoryNames ?? {};
  const catName = (c: number) => (c === -1 ? "" : (names[c] ?? `cat ${c}`));
  const boxOf = (a: ArrayLike<number>, i: number): [number, number, number, number] => [a[4 * i]!, a[4 * i + 1]!, a[4 * i + 2]!, a[4 * i + 3]!];
  const marks: Mark[] = [];
  const gt = options.groundTruth;
  if (gt) {
    const m = matchForView(dets, gt, options.iouThreshold ?? 0.5);
    for (let i = 0; i < dets.length; i++) {
      const kind = m.detection[i]!;
      marks.push({ box: boxOf(dets.boxesXyxy, i), colour: MATCH_COLOURS[kind], dashed: false, kind, score: dets.scores[i]!, label: `${kind.toUpperCase()} ${dets.scores[i]!.toFixed(2)}` });
    }
    m.gtMatched.forEach((hit, j) => {
      if (!hit) marks.push({ box: boxOf(gt.gtBoxesXyxy, j), colour: MATCH_COLOURS.fn, dashed: true, kind: "fn", score: 0, label: "FN" });
    });
    const count = (k: string) => marks.filter((x) => x.kind === k).length;
    const legend = `<tspan fill="${MATCH_COLOURS.tp}">■ TP ${count("tp")}</tspan>  <tspan fill="${MATCH_COLOURS.fp}">■ FP ${count("fp")}</tspan>  <tspan fill="${MATCH_COLOURS.fn}">□ FN ${count("fn")}</tspan>`;
    return { marks, legend };
  }
  const ids = Array.from(dets.categoryIds);
  for (let i = 0; i < dets.length; i++) {
    const c = dets.categoryIds[i]!;
    marks.push({ box: boxOf(dets.boxesXyxy, i), colour: categoryColour(c, ids), dashed: false, kind: "det", score: dets.scores[i]!, label: `${catName(c)} ${dets.scores[i]!.toFixed(2)}`.trim() });
  }
  const legend = [...new Set(ids)]
    .sort((a, b) => a - b)
    .map((c) => `<tspan fill="${categoryColour(c, ids)}">■ ${xmlEscape(catName(c) || "detections")} ${ids.filter((x) => x === c).length}</tspan>`)
    .join("  ");
  return { marks, legend: legend || "no detections" };
}

const KIND_RANK = { fn: 0, fp: 1, tp: 2, det: 2 } as const;

/** Box outlines (and dashed FN) in image coordinates; stroke width in screen px via non-scaling-stroke. */
function drawMarks(marks: readonly Mark[], strokePx: number): string {
  return marks
    .map((m) => {
      const [x1, y1, x2, y2] = m.box;
      const dash = m.dashed ? ` stroke-dasharray="4 3"` : "";
      return `<rect class="det det-${m.kind}" x="${num(x1)}" y="${num(y1)}" width="${num(x2 - x1)}" height="${num(y2 - y1)}" fill="none" stroke="${m.colour}" stroke-width="${strokePx}" vector-effect="non-scaling-stroke"${dash}/>`;
    })
    .join("");
}

/**
 * An SVG view of detections over an image: boxes coloured by category, or TP / FP / FN against ground
 * truth when given; the clicks drawn as numbered crosshairs; boxes smaller than `smallSidePx` ringed by a
 * halo on the image and magnified, at native resolution, in numbered insets beside it (errors first), so
 * tiny objects stay visible. Pure: data in, SVG text out (show it with showSvg, save it with saveSvgPng).
 *
 * @example
 * const svg = detectionsSvg(image, dets, { groundTruth: { boxesXyxy: gt }, clicks });
 * showSvg(svg); await saveSvgPng(svg, "out/view.png");
 */
export function detectionsSvg(image: RgbImage, detections: Detections, options: DetectionsViewOptions = {}): string {
  const W = image.width, H = image.height;
  const fit = (options.displayMaxSide ?? 900) / Math.max(W, H);
  const scale = options.upscale ? fit : Math.min(1, fit);
  const dispW = W * scale, dispH = H * scale;
  const small = options.smallSidePx ?? 16;
  const insetPx = options.insetPx ?? 120;
  const { marks, legend } = marksOf(detections, options);
  const showLabels = options.labels === "auto" || options.labels === undefined ? marks.length <= 40 : options.labels;
  const clicks = options.clicks ?? [];

  // Insets: small marks, errors first, then by score; a mark already inside an earlier inset's region is not repeated.
  const tiny = marks
    .map((m, i) => ({ m, i }))
    .filter(({ m }) => Math.max(m.box[2] - m.box[0], m.box[3] - m.box[1]) < small)
    .sort((a, b) => KIND_RANK[a.m.kind] - KIND_RANK[b.m.kind] || b.m.score - a.m.score || a.i - b.i);
  const insets: { region: [number, number, number, number]; marks: number[] }[] = [];
  const insetOf = new Map<number, number>();
  const regionSide = Math.max(24, small * 2);
  for (const { m, i } of tiny) {
    if (insets.length >= (options.maxInsets ?? 12)) break;
    const cx = (m.box[0] + m.box[2]) / 2, cy = (m.box[1] + m.box[3]) / 2;
    const inside = insets.findIndex((s) => cx >= s.region[0] && cx <= s.region[2] && cy >= s.region[1] && cy <= s.region[3]);
    if (inside >= 0) {
      insetOf.set(i, inside);
      continue;
    }
    const x1 = Math.floor(Math.min(Math.max(0, cx - regionSide / 2), Math.max(0, W - regionSide)));
    const y1 = Math.floor(Math.min(Math.max(0, cy - regionSide / 2), Math.max(0, H - regionSide)));
    insetOf.set(i, insets.length);
    insets.push({ region: [x1, y1, Math.min(W, x1 + regionSide), Math.min(H, y1 + regionSide)], marks: [] });
  }
  marks.forEach((m, i) => {
    for (const s of insets) if (m.box[0] < s.region[2] && m.box[2] > s.region[0] && m.box[1] < s.region[3] && m.box[3] > s.region[1]) s.marks.push(i);
  });

  const gap = 8, top = options.title ? 24 : 4, legendH = 22;
  // Insets fill columns beside the image, at most as many as fit in maxWidth; more rows when they do not.
  const fitCols = Math.max(1, Math.floor((Math.max(0, (options.maxWidth ?? 1000) - dispW - gap - 4) + gap) / (insetPx + gap)));
  const perCol = Math.max(1, Math.floor((dispH + gap) / (insetPx + 18 + gap)), Math.ceil(insets.length / fitCols));
  const cols = Math.ceil(insets.length / perCol);
  const totalW = dispW + (cols ? gap + cols * (insetPx + gap) : 0) + 4;
  const totalH = top + Math.max(dispH, insets.length ? Math.min(insets.length, perCol) * (insetPx + 18 + gap) : 0) + legendH;
  const parts: string[] = [];
  if (options.title) parts.push(`<text x="4" y="17" font-size="14" font-weight="bold">${xmlEscape(options.title)}</text>`);

  // The main view: the image and the marks in image coordinates, scaled into the display rectangle.
  const main: string[] = [svgImage(rgbDataUri(image, options.imageMaxSide ?? 2048, options.embedFormat), 0, 0, W, H), drawMarks(marks, 1.5)];
  const haloR = 7 / scale;
  marks.forEach((m, i) => {
    if (Math.max(m.box[2] - m.box[0], m.box[3] - m.box[1]) >= small) return;
    const cx = (m.box[0] + m.box[2]) / 2, cy = (m.box[1] + m.box[3]) / 2;
    main.push(`<circle class="halo" cx="${num(cx)}" cy="${num(cy)}" r="${num(haloR)}" fill="none" stroke="${m.colour}" stroke-width="1" stroke-opacity="0.8" vector-effect="non-scaling-stroke"/>`);
    const k = insetOf.get(i);
    if (k !== undefined && insets[k]!.marks[0] === i) {
      main.push(`<text class="inset-no" x="${num(cx + haloR)}" y="${num(cy + haloR + 9 / scale)}" font-size="${num(11 / scale)}" fill="#fff" stroke="#000" stroke-width="${num(2.5 / scale)}" paint-order="stroke">${k + 1}</text>`);
    }
  });
  if (showLabels) {
    for (const m of marks) {
      if (!m.label) continue;
      main.push(`<text class="label" x="${num(m.box[0])}" y="${num(m.box[1] - 2 / scale)}" font-size="${num(10 / scale)}" fill="${m.colour}" stroke="#000" stroke-width="${num(2 / scale)}" paint-order="stroke">${xmlEscape(m.label)}</text>`);
    }
  }
  clicks.forEach((c, i) => {
    const r = 6 / scale;
    main.push(
      `<g class="click"><circle cx="${num(c.x)}" cy="${num(c.y)}" r="${num(r)}" fill="none" stroke="${MATCH_COLOURS.click}" stroke-width="2" vector-effect="non-scaling-stroke"/>` +
        `<path d="M${num(c.x - 1.6 * r)} ${num(c.y)}H${num(c.x + 1.6 * r)}M${num(c.x)} ${num(c.y - 1.6 * r)}V${num(c.y + 1.6 * r)}" stroke="${MATCH_COLOURS.click}" stroke-width="1.5" vector-effect="non-scaling-stroke"/>` +
        `<text x="${num(c.x + r)}" y="${num(c.y + 2.6 * r)}" font-size="${num(11 / scale)}" fill="${MATCH_COLOURS.click}" stroke="#000" stroke-width="${num(2.5 / scale)}" paint-order="stroke">c${i}</text></g>`,
    );
  });
  parts.push(`<svg class="main" x="0" y="${top}" width="${num(dispW)}" height="${num(dispH)}" viewBox="0 0 ${W} ${H}">${main.join("")}</svg>`);

  // Insets: native pixels of each region, magnified, with the marks that overlap it.
  insets.forEach((s, k) => {
    const col = Math.floor(k / perCol), row = k % perCol;
    const x = dispW + gap + col * (insetPx + gap), y = top + row * (insetPx + 18 + gap);
    const crop = cropRgbRegion(image, s.region[0], s.region[1], s.region[2], s.region[3]);
    const vb = `${crop.x} ${crop.y} ${crop.image.width} ${crop.image.height}`;
    const zoom = insetPx / Math.max(crop.image.width, crop.image.height);
    parts.push(
      `<g class="inset"><svg x="${num(x)}" y="${num(y)}" width="${insetPx}" height="${insetPx}" viewBox="${vb}">` +
        svgImage(rgbPngDataUri(crop.image), crop.x, crop.y, crop.image.width, crop.image.height) +
        drawMarks(s.marks.map((i) => marks[i]!), 2) +
        `</svg><rect x="${num(x)}" y="${num(y)}" width="${insetPx}" height="${insetPx}" fill="none" stroke="#333"/>` +
        `<text x="${num(x + 2)}" y="${num(y + insetPx + 13)}" font-size="11"><title>${xmlEscape(insetCaption(k, s.marks.map((i) => marks[i]!.label), zoom, Infinity))}</title>${xmlEscape(insetCaption(k, s.marks.map((i) => marks[i]!.label), zoom, insetPx))}</text></g>`,
    );
  });
  parts.push(`<text class="legend" x="4" y="${num(totalH - 6)}" font-size="12">${legend}${clicks.length ? `  <tspan fill="${MATCH_COLOURS.click}">⊕ ${clicks.length} click${clicks.length === 1 ? "" : "s"}</tspan>` : ""}</text>`);
  return svgDocument(totalW, totalH, parts.join(""));
}
