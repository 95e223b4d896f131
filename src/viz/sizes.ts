/**
 * Object-size charts (vega-lite specs, pure): the distribution of box sizes per domain with the AI-TOD bin
 * edges marked, and the share of each bin per domain. Inputs are arquero tables or plain row arrays.
 */

/** Rows of a table: an arquero table (anything with `objects()`) or an array of records. */
export type SizeRowsSource = { objects(): object[] } | readonly object[];

/** The AI-TOD bin names in order and their edges in px (sqrt of area). */
const BINS = ["veryTiny", "tiny", "small", "medium"] as const;
const BIN_EDGES_PX = [8, 16, 32];
const BIN_COLOURS = ["#d62728", "#ff7f0e", "#2ca02c", "#1f77b4"];

function rowsOf(source: SizeRowsSource): Record<string, unknown>[] {
  return (Array.isArray(source) ? source : (source as { objects(): object[] }).objects()) as Record<string, unknown>[];
}

/** Options of {@link sizeHistogramSpec}. */
export interface SizeHistogramOptions {
  /** Histogram bin width, px (default 2). */
  stepPx?: number;
  /** Sizes above this are counted in the last bar (default 64). */
  maxSidePx?: number;
  /** Facet columns (default 3). */
  columns?: number;
  /** Width and height of each facet, px (defaults 220 x 120). */
  width?: number;
  height?: number;
  /** Chart title (default "Object size per domain"). */
  title?: string;
}

/**
 * A faceted histogram of object size (sqrt of box area, px) per domain, bars coloured by AI-TOD bin, with
 * rules at 8, 16 and 32 px. Takes the rows of `annotationSizeTable` (fields `domain`, `side`, `sizeBin`;
 * rows with `ignore: true` are left out).
 *
 * @example
 * showVegaLite(sizeHistogramSpec(annotationSizeTable(train)));
 */
export function sizeHistogramSpec(source: SizeRowsSource, options: SizeHistogramOptions = {}): Record<string, unknown> {
  const step = options.stepPx ?? 2;
  const max = options.maxSidePx ?? 64;
  const values = rowsOf(source)
    .filter((r) => r.ignore !== true)
    .map((r) => ({ domain: String(r.domain), side: Math.min(Number(r.side), max - step / 2), sizeBin: String(r.sizeBin) }));
  const domains = [...new Set(values.map((v) => v.domain))];
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: options.title ?? "Object size per domain",
    data: { values },
    facet: { field: "domain", type: "nominal", sort: domains, title: null },
    columns: options.columns ?? 3,
    resolve: { scale: { y: "independent" } },
    spec: {
      width: options.width ?? 220,
      height: options.height ?? 120,
      layer: [
        {
          mark: { type: "bar", tooltip: true },
          encoding: {
            x: { field: "side", type: "quantitative", bin: { step, extent: [0, max] }, title: "sqrt(box area), px" },
            y: { aggregate: "count", type: "quantitative", title: "instances" },
            color: { field: "sizeBin", type: "nominal", title: "AI-TOD bin", scale: { domain: [...BINS], range: BIN_COLOURS } },
          },
        },
        {
          data: { values: BIN_EDGES_PX.map((px) => ({ px })) },
          mark: { type: "rule", strokeDash: [3, 3], color: "#555" },
          encoding: { x: { field: "px", type: "quantitative" } },
        },
      ],
    },
  };
}

/** Options of {@link sizeBinShareSpec}. */
export interface SizeBinShareOptions {
  /** Stack shares (true, default) or raw counts (false). */
  normalize?: boolean;
  /** Chart width, px (default 360). */
  width?: number;
  /** Chart title (default "AI-TOD size bins per domain"). */
  title?: string;
}

/**
 * Horizontal stacked bars: per domain, the instances in each AI-TOD bin (shares by default). Takes the
 * rows of `summarizeDomains` (fields `domain`, `veryTiny`, `tiny`, `small`, `medium`).
 *
 * @example
 * showVegaLite(sizeBinShareSpec(summarizeDomains(train)));
 */
export function sizeBinShareSpec(source: SizeRowsSource, options: SizeBinShareOptions = {}): Record<string, unknown> {
  const rows = rowsOf(source);
  const values = rows.flatMap((r) => BINS.map((bin, order) => ({ domain: String(r.domain), sizeBin: bin, order, count: Number(r[bin] ?? 0) })));
  const normalize = options.normalize ?? true;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: options.title ?? "AI-TOD size bins per domain",
    width: options.width ?? 360,
    data: { values },
    mark: { type: "bar", tooltip: true },
    encoding: {
      y: { field: "domain", type: "nominal", sort: rows.map((r) => String(r.domain)), title: null },
      x: { field: "count", type: "quantitative", stack: normalize ? "normalize" : "zero", title: normalize ? "share of instances" : "instances", axis: normalize ? { format: "%" } : {} },
      color: { field: "sizeBin", type: "nominal", title: "AI-TOD bin", scale: { domain: [...BINS], range: BIN_COLOURS } },
      order: { field: "order", type: "quantitative" },
    },
  };
}
