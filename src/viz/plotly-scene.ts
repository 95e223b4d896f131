import type { Click } from "../structures/click.js";
import type { Detections } from "../structures/detections.js";
import type { RgbImage } from "../structures/image.js";
import { matchForView, type ViewGroundTruth } from "./detections.js";
import { MATCH_COLOURS, categoryColour, downscaleRgb, rgbDataUri, type EmbedFormat } from "./svg.js";

/** A plotly figure (the same shape as the kernel's PlotlyFigure; show it with showPlotly). */
export interface PlotlySceneFigure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
  config: Record<string, unknown>;
}

/**
 * Options of {@link plotlySceneFigure}. Defaults: imageMaxSide 1600, height 720, iouThreshold 0.5,
 * categoryNames {}, title none.
 */
export interface PlotlySceneOptions {
  /** Ground truth: traces become TP / FP / FN instead of one per category. */
  groundTruth?: ViewGroundTruth;
  clicks?: readonly Click[];
  /** The background image is downscaled to this longer side (boxes stay in full-resolution coordinates). Default 1600. */
  imageMaxSide?: number;
  /** Encoding of the embedded image: "jpeg" (quality 85, small) or "png" (lossless). Default "jpeg". */
  embedFormat?: EmbedFormat;
  /**
   * Draw with WebGL (scattergl: fluid with tens of thousands of boxes, needs plotly.js's full build, ~3x the
   * bytes) instead of SVG (scatter: plotly.js's cartesian build). Default: WebGL above 8000 boxes (detections
   * and missed ground truth together).
   */
  webgl?: boolean;
  /** Plot height, px. Default 720. */
  height?: number;
  iouThreshold?: number;
  categoryNames?: Record<number, string>;
  title?: string;
}

interface Group {
  name: string;
  colour: string;
  dash: boolean;
  boxes: number[][];
  hover: string[];
}

function traces(g: Group, type: string): Record<string, unknown>[] {
  const lx: (number | null)[] = [], ly: (number | null)[] = [], cx: number[] = [], cy: number[] = [], size: number[] = [];
  // Coordinates to 0.1 px (a float32 box corner printed in full costs ~18 bytes of JSON; thousands of boxes add up).
  const r = (v: number) => Math.round(v * 10) / 10;
  for (const [x1, y1, x2, y2] of g.boxes.map((b) => b.map(r) as [number, number, number, number])) {
    lx.push(x1, x2, x2, x1, x1, null);
    ly.push(y1, y1, y2, y2, y1, null);
    cx.push((x1 + x2) / 2);
    cy.push((y1 + y2) / 2);
    size.push(Math.max(x2 - x1, y2 - y1));
  }
  return [
    {
      type, mode: "lines", name: g.name, legendgroup: g.name, x: lx, y: ly, hoverinfo: "skip",
      line: { color: g.colour, width: 1.5, dash: g.dash ? "dash" : "solid" },
    },
    {
      // Hover targets at the box centres: lines do not hover well, markers do.
      type, mode: "markers", name: g.name, legendgroup: g.name, showlegend: false, x: cx, y: cy,
      text: g.hover, hovertemplate: "%{text}<br>at (%{x:.0f}, %{y:.0f})<extra></extra>",
      marker: { color: g.colour, size: 6, opacity: 0.35, line: { width: 0 } },
    },
  ];
}

/**
 * An interactive plotly figure of a (large) image with its detections: the image as a layout image (a JPEG
 * data URI, downscaled when huge), the boxes as outlines (SVG, or WebGL above 8000 boxes), one trace per
 * category (or TP / FP / FN with ground truth), hover at each box centre with score, category and size, zoom
 * and pan (scroll zooms). Pure: data in, figure out; show with showPlotly, which
 * inlines plotly.js from node_modules (offline, kept in HTML exports).
 *
 * @example
 * showPlotly(plotlySceneFigure(scene, result.detections, { groundTruth: ds.groundTruth(imageId) }));
 */
export function plotlySceneFigure(image: RgbImage, detections: Detections, options: PlotlySceneOptions = {}): PlotlySceneFigure {
  const W = image.width, H = image.height;
  const names = options.categoryNames ?? {};
  const catName = (c: number) => (c === -1 ? "any" : (names[c] ?? `cat ${c}`));
  const box = (a: ArrayLike<number>, i: number) => [a[4 * i]!, a[4 * i + 1]!, a[4 * i + 2]!, a[4 * i + 3]!];
  // Short: one hover text per box travels in the notebook (the hover label also shows the position).
  const describe = (b: number[], what: string) => `${what}, ${(b[2]! - b[0]!).toFixed(1)}x${(b[3]! - b[1]!).toFixed(1)} px`;
  const groups: Group[] = [];
  if (options.groundTruth) {
    const gt = options.groundTruth;
    const m = matchForView(detections, gt, options.iouThreshold ?? 0.5);
    const tp: Group = { name: "TP", colour: MATCH_COLOURS.tp, dash: false, boxes: [], hover: [] };
    const fp: Group = { name: "FP", colour: MATCH_COLOURS.fp, dash: false, boxes: [], hover: [] };
    const fn: Group = { name: "FN (missed)", colour: MATCH_COLOURS.fn, dash: true, boxes: [], hover: [] };
    for (let i = 0; i < detections.length; i++) {
      const g = m.detection[i] === "tp" ? tp : fp;
      const b = box(detections.boxesXyxy, i);
      g.boxes.push(b);
      g.hover.push(describe(b, `${g.name} ${catName(detections.categoryIds[i]!)} score ${detections.scores[i]!.toFixed(2)}`));
    }
    m.gtMatched.forEach((hit, j) => {
      if (hit) return;
      const b = box(gt.gtBoxesXyxy, j);
      fn.boxes.push(b);
      fn.hover.push(describe(b, `missed ${catName(gt.gtCategoryIds ? gt.gtCategoryIds[j]! : -1)}`));
    });
    groups.push(tp, fp, fn);
  } else {
    const ids = Array.from(detections.categoryIds);
    for (const c of [...new Set(ids)].sort((a, b) => a - b)) {
      const g: Group = { name: catName(c), colour: categoryColour(c, ids), dash: false, boxes: [], hover: [] };
      for (let i = 0; i < detections.length; i++) {
        if (detections.categoryIds[i] !== c) continue;
        const b = box(detections.boxesXyxy, i);
        g.boxes.push(b);
        g.hover.push(describe(b, `${g.name} score ${detections.scores[i]!.toFixed(2)}`));
      }
      groups.push(g);
    }
  }
  const drawn = groups.reduce((n, g) => n + g.boxes.length, 0);
  const type = (options.webgl ?? drawn > 8000) ? "scattergl" : "scatter";
  const data = groups.flatMap((g) => traces({ ...g, name: `${g.name} (${g.boxes.length})` }, type));
  const clicks = options.clicks ?? [];
  if (clicks.length) {
    data.push({
      type, mode: "markers", name: "clicks", x: clicks.map((c) => c.x), y: clicks.map((c) => c.y),
      text: clicks.map((c, i) => `click ${i}${c.categoryId !== undefined ? ` ${catName(c.categoryId)}` : ""} at (${c.x.toFixed(0)}, ${c.y.toFixed(0)})`),
      hovertemplate: "%{text}<extra></extra>",
      marker: { symbol: "cross", size: 14, color: MATCH_COLOURS.click, line: { color: "#000", width: 1 } },
    });
  }
  const shown = downscaleRgb(image, options.imageMaxSide ?? 1600);
  const height = options.height ?? 720;
  return {
    data,
    layout: {
      title: options.title ? { text: options.title } : undefined,
      height,
      margin: { l: 40, r: 10, t: options.title ? 40 : 10, b: 30 },
      dragmode: "zoom",
      hovermode: "closest",
      xaxis: { range: [0, W], showgrid: false, zeroline: false, constrain: "domain" },
      yaxis: { range: [H, 0], showgrid: false, zeroline: false, scaleanchor: "x", constrain: "domain" },
      images: [
        {
          source: rgbDataUri(shown, Infinity, options.embedFormat, 75), xref: "x", yref: "y", x: 0, y: 0, sizex: W, sizey: H,
          xanchor: "left", yanchor: "top", sizing: "stretch", layer: "below",
        },
      ],
      legend: { orientation: "h", y: -0.05 },
      meta: { dealkit: { imageWidth: W, imageHeight: H, embeddedWidth: shown.width, embeddedHeight: shown.height } },
    },
    config: { scrollZoom: true, displaylogo: false, responsive: true },
  };
}
