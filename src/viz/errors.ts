import type { TopLevelSpec } from "vega-lite" with { "resolution-mode": "import" };

/**
 * Pure chart builders for the error analysis (src/analysis/decompose.ts): data in (arquero tables or their
 * rows), vega-lite specs or gallery items out. Nothing here renders or prints.
 */

/** What the builders need from an arquero table. */
interface RowSource {
  objects(): object[];
}

type Row = Record<string, unknown>;

function rowsOf(t: RowSource | readonly object[]): Row[] {
  return (Array.isArray(t) ? t : (t as RowSource).objects()) as Row[];
}

/** JSON-safe copies: NaN (no ground truth) becomes null, which vega-lite leaves out. */
function clean(rows: Row[]): Row[] {
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "number" && !Number.isFinite(v) ? null : v])));
}

/** The TIDE order of error types, for a stable colour per type. */
const ERROR_ORDER = ["classification", "localisation", "both", "duplicate", "background", "missed"];
/** TIDE's own palette, one colour per type in {@link ERROR_ORDER}. */
const ERROR_COLOURS = ["#f0b34b", "#e15759", "#9c755f", "#76b7b2", "#4e79a7", "#b07aa1"];
const SIZE_ORDER = ["veryTiny", "tiny", "small", "medium", "all"];

/** The domains of the rows, sorted, with the "all" row last (it is a total, not a domain). */
function domainOrder(rows: Row[]): string[] {
  const domains = [...new Set(rows.map((r) => String(r.domain)))].sort();
  return [...domains.filter((d) => d !== "all"), ...domains.filter((d) => d === "all")];
}

/** Options of {@link dapBarsSpec}. Defaults: title "dAP per error type and domain", width 72 per domain. */
export interface DapBarsOptions {
  title?: string;
  /** Width of each domain's group of bars (6 bars), px. Default 72: 7 domains fit in ~850 px. */
  stepWidth?: number;
}

/**
 * Grouped bars of each TIDE error type's dAP per domain, from {@link errorBreakdown}'s table (rows with
 * sizeBin "all"; dAP shown in AP points, x100).
 *
 * @example
 * await showVegaLite(dapBarsSpec(errorBreakdown(images, { by: ["domain"] })));
 */
export function dapBarsSpec(breakdown: RowSource | readonly object[], options: DapBarsOptions = {}): TopLevelSpec {
  const rows = clean(rowsOf(breakdown).filter((r) => r.sizeBin === undefined || r.sizeBin === "all"));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    description: "TIDE dAP per error type and domain",
    title: options.title ?? "dAP per error type and domain",
    data: { values: rows.map((r) => ({ ...r, dAP100: typeof r.dAP === "number" ? r.dAP * 100 : null })) },
    mark: { type: "bar" },
    // vega-lite applies a width step to the xOffset band (one bar), not to the domain's group.
    width: { step: Math.max(4, (options.stepWidth ?? 72) / ERROR_ORDER.length) } as never,
    encoding: {
      x: { field: "domain", type: "nominal", title: "domain", sort: domainOrder(rows), axis: { labelAngle: -30 } },
      xOffset: { field: "errorType", type: "nominal", sort: ERROR_ORDER },
      y: { field: "dAP100", type: "quantitative", title: "dAP (AP points)" },
      color: { field: "errorType", type: "nominal", title: "error type", scale: { domain: ERROR_ORDER, range: ERROR_COLOURS } },
      tooltip: [
        { field: "domain", type: "nominal" },
        { field: "errorType", type: "nominal" },
        { field: "dAP100", type: "quantitative", format: ".2f", title: "dAP" },
        { field: "count", type: "quantitative" },
      ],
    },
  } as TopLevelSpec;
}

/** Options of {@link apHeatmapSpec}. Defaults: title "AP by domain and object size", field "ap". */
export interface ApHeatmapOptions {
  title?: string;
  /** The column holding the value. Default "ap". */
  field?: string;
}

/**
 * A domain x AI-TOD size-bin heatmap of AP (x100, labelled in each cell), from {@link apByDomainAndSize}.
 * Empty cells (no ground truth of that size) are left blank.
 *
 * @example
 * await showVegaLite(apHeatmapSpec(apByDomainAndSize(images, { classAgnostic: true })));
 */
export function apHeatmapSpec(table: RowSource | readonly object[], options: ApHeatmapOptions = {}): TopLevelSpec {
  const field = options.field ?? "ap";
  const rows = clean(rowsOf(table)).map((r) => ({ ...r, value: typeof r[field] === "number" ? (r[field] as number) * 100 : null }));
  const enc = {
    x: { field: "sizeBin", type: "ordinal", sort: SIZE_ORDER, title: "AI-TOD size bin" },
    y: { field: "domain", type: "nominal", title: "domain", sort: domainOrder(rows) },
  };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    description: "AP by domain and object size",
    title: options.title ?? "AP by domain and object size",
    data: { values: rows },
    // Cells wide enough for their label ("100.0" at 11 px is ~30 px), whatever the number of rows.
    width: { step: 56 } as never,
    height: { step: 24 } as never,
    layer: [
      { mark: "rect", encoding: { ...enc, color: { field: "value", type: "quantitative", title: "AP", scale: { domain: [0, 100], scheme: "viridis" } } } },
      {
        mark: { type: "text", fontSize: 11 },
        encoding: { ...enc, text: { field: "value", type: "quantitative", format: ".1f" }, color: { condition: { test: "datum.value > 50", value: "black" }, value: "white" } },
      },
    ],
  } as TopLevelSpec;
}

/**
 * A category confusion heatmap from {@link confusionMatrix} (row-normalised fractions; -1 = background /
 * missed). `names` maps category ids to labels.
 *
 * @example
 * await showVegaLite(confusionHeatmapSpec(confusionMatrix(images), { 1: "car", 2: "person" }));
 */
export function confusionHeatmapSpec(table: RowSource | readonly object[], names: Record<number, string> = {}): TopLevelSpec {
  const label = (id: unknown): string => (id === -1 ? "(none)" : names[id as number] ?? String(id));
  const rows = rowsOf(table).map((r) => ({ ...r, gt: label(r.gtCategoryId), detected: label(r.detCategoryId) }));
  const enc = { x: { field: "detected", type: "nominal", title: "detected as" }, y: { field: "gt", type: "nominal", title: "ground truth" } };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    description: "Category confusion",
    title: "Category confusion (row fractions)",
    data: { values: rows },
    // 30 x 18 px cells: three-digit counts fit, and 25 categories stay under ~950 px wide.
    width: { step: 30 } as never,
    height: { step: 18 } as never,
    layer: [
      { mark: "rect", encoding: { ...enc, color: { field: "fraction", type: "quantitative", scale: { domain: [0, 1], scheme: "blues" } } } },
      { mark: { type: "text", fontSize: 10 }, encoding: { ...enc, text: { field: "count", type: "quantitative" }, color: { condition: { test: "datum.fraction > 0.6", value: "white" }, value: "black" } } },
    ],
  } as TopLevelSpec;
}

/** One box drawn in a gallery tile. */
export interface GalleryBox {
  boxXyxy: [number, number, number, number];
  kind: "gt" | "det";
  label: string;
}

/** One tile of an error gallery: where to crop the image, what to draw, and the caption. */
export interface ErrorGalleryItem {
  imageId: number;
  errorType: string;
  rank: number;
  caption: string;
  /** The crop around the error (xyxy px, not clipped to the image: clip with the image size when drawing). */
  cropXyxy: [number, number, number, number];
  boxes: GalleryBox[];
}

/** Options of {@link errorGalleryItems}. Defaults: context 3 (crop side = 3x the larger box side), minCropPx 32. */
export interface ErrorGalleryOptions {
  /** Crop side as a multiple of the error's larger box side. Default 3. */
  context?: number;
  /** Smallest crop side, px (tiny objects need context to be seen). Default 32. */
  minCropPx?: number;
}

/**
 * Gallery tiles for the worst errors ({@link worstErrors}' rows): a square crop around each error with the
 * detection (red) and the ground truth it refers to (green), and a caption (type, score, IoU). Feed the
 * items to a gallery / overlay renderer.
 *
 * @example
 * const items = errorGalleryItems(worstErrors(decomposeErrors(images).errors, { perType: 4 }));
 */
export function errorGalleryItems(worst: RowSource | readonly object[], options: ErrorGalleryOptions = {}): ErrorGalleryItem[] {
  const context = options.context ?? 3;
  const minCrop = options.minCropPx ?? 32;
  return rowsOf(worst).map((r) => {
    const det = r.detBoxXyxy as [number, number, number, number] | null;
    const gt = r.gtBoxXyxy as [number, number, number, number] | null;
    const all = [det, gt].filter((b): b is [number, number, number, number] => b !== null);
    const x1 = Math.min(...all.map((b) => b[0])), y1 = Math.min(...all.map((b) => b[1]));
    const x2 = Math.max(...all.map((b) => b[2])), y2 = Math.max(...all.map((b) => b[3]));
    const side = Math.max(minCrop, context * Math.max(x2 - x1, y2 - y1));
    const cx = (x1 + x2) / 2, cy = (y1 + y2) / 2;
    const boxes: GalleryBox[] = [];
    if (gt) boxes.push({ boxXyxy: gt, kind: "gt", label: `gt ${String(r.gtCategoryId)}` });
    if (det) boxes.push({ boxXyxy: det, kind: "det", label: `${String(r.categoryId)} ${(r.score as number).toFixed(2)}` });
    const score = typeof r.score === "number" && Number.isFinite(r.score) ? ` score ${r.score.toFixed(2)}` : "";
    const iou = det && gt ? ` IoU ${(r.iou as number).toFixed(2)}` : "";
    const side2 = Math.sqrt(r.areaPx2 as number);
    return {
      imageId: r.imageId as number,
      errorType: r.errorType as string,
      rank: (r.rank as number) ?? 0,
      caption: `${String(r.errorType)} #${String(r.rank ?? "")}: image ${String(r.imageId)}${score}${iou}, ~${side2.toFixed(0)} px`,
      cropXyxy: [cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2],
      boxes,
    };
  });
}
