import { inspect } from "node:util";
import { htmlBundle, pngBundle, publish, svgBundle } from "./display.js";
import type { MimeBundle, ShowOptions } from "./mime.js";
import { plotlyBundle, showPlotly, type PlotlyFigure } from "./plotly.js";
import { isRecordArray, isTableLike, tableBundle } from "./table.js";
import { vegaLiteBundle, type VegaLiteSpec } from "./vegalite.js";

const VEGA_LITE_KEYS = ["mark", "layer", "hconcat", "vconcat", "concat", "facet", "repeat", "spec"];

/** True for a vega-lite spec: a vega-lite `$schema`, or a `mark`/composition key. */
export function isVegaLiteSpec(x: unknown): x is VegaLiteSpec {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return false;
  const o = x as Record<string, unknown>;
  if (typeof o.$schema === "string") return /vega-lite/.test(o.$schema);
  return VEGA_LITE_KEYS.some((k) => k in o) && !Array.isArray(o.data);
}

/** True for a plotly figure: a `data` array of trace objects, with a layout or typed traces. */
export function isPlotlyFigure(x: unknown): x is PlotlyFigure {
  if (typeof x !== "object" || x === null) return false;
  const o = x as Record<string, unknown>;
  if (!Array.isArray(o.data) || !o.data.every((t) => typeof t === "object" && t !== null)) return false;
  return "layout" in o || o.data.some((t) => "type" in (t as object) || "x" in (t as object) || "y" in (t as object));
}

/** True for an object that is already a MIME bundle (every key a MIME type such as "text/html"). */
export function isMimeBundle(x: unknown): x is MimeBundle {
  if (typeof x !== "object" || x === null || Array.isArray(x) || ArrayBuffer.isView(x)) return false;
  const keys = Object.keys(x);
  return keys.length > 0 && keys.every((k) => /^[a-z]+\/[-+.\w]+$/.test(k));
}

/**
 * The MIME bundle show() would display for a value: an SVG or HTML string, PNG/JPEG bytes, an arquero table
 * or array of records, a vega-lite spec, a plotly figure, a MIME bundle as is; anything else as text.
 *
 * @example
 * const bundle = await bundleFor(aq.table({ a: [1, 2] })); // text/html table + text/plain
 */
export async function bundleFor(x: unknown): Promise<MimeBundle> {
  if (typeof x === "string") {
    const t = x.trimStart();
    if (/^(<\?xml[^>]*>\s*)?<svg[\s>]/i.test(t)) return svgBundle(t);
    if (t.startsWith("<")) return htmlBundle(x);
    return { "text/plain": x };
  }
  if (x instanceof Uint8Array) {
    if (x[0] === 0x89 && x[1] === 0x50) return pngBundle(x);
    if (x[0] === 0xff && x[1] === 0xd8) return { "image/jpeg": Buffer.from(x).toString("base64"), "text/plain": "<JPEG image>" };
    return { "text/plain": inspect(x, { maxArrayLength: 20 }) };
  }
  if (isTableLike(x) || isRecordArray(x)) return tableBundle(x);
  if (isPlotlyFigure(x)) return plotlyBundle(x);
  if (isVegaLiteSpec(x)) return vegaLiteBundle(x);
  if (isMimeBundle(x)) return x;
  return { "text/plain": inspect(x, { depth: 4, maxArrayLength: 50 }) };
}

/**
 * Shows any value in the cell output, choosing how from its type (see {@link bundleFor}); a no-op outside a
 * kernel. Plotly figures carry plotly.js once per kernel, as with {@link showPlotly}.
 *
 * @example
 * await show(aq.table({ domain: ["uav", "rs"], ap50: [0.41, 0.55] }));
 * await show(lossChartSpec);
 */
export async function show(x: unknown, options: ShowOptions = {}): Promise<void> {
  if (isPlotlyFigure(x) && !isTableLike(x)) return showPlotly(x, options);
  publish(await bundleFor(x), options);
}
