import type { TopLevelSpec } from "vega-lite" with { "resolution-mode": "import" };
import { DealkitInputError } from "../util/errors.js";
import { importEsm } from "../util/esm.js";
import { publish, svgHtml, type SvgHtmlOptions } from "./display.js";
import type { MimeBundle, ShowOptions } from "./mime.js";

/** A vega-lite specification (any top-level spec: single view, layer, concat, facet, repeat). */
export type VegaLiteSpec = TopLevelSpec;

type VegaLiteModule = typeof import("vega-lite", { with: { "resolution-mode": "import" } });
type VegaModule = typeof import("vega", { with: { "resolution-mode": "import" } });

/**
 * Renders a vega-lite spec to an SVG document in Node, without a browser: vega-lite compiles it, vega runs
 * it headless (renderer "none") and serialises the scene. vega and vega-lite are ESM-only, so they are
 * loaded with importEsm (this works from tslab's CommonJS cells too).
 *
 * @example
 * const svg = await vegaLiteToSvg({ data: { values: [{ x: 1, y: 2 }] }, mark: "point",
 *   encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } } });
 */
export async function vegaLiteToSvg(spec: VegaLiteSpec): Promise<string> {
  const [vl, vega] = await Promise.all([importEsm<VegaLiteModule>("vega-lite"), importEsm<VegaModule>("vega")]);
  let view: InstanceType<VegaModule["View"]>;
  try {
    view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
  } catch (err) {
    const mark = typeof spec === "object" && spec !== null && "mark" in spec ? ` (mark ${JSON.stringify(spec.mark)})` : "";
    throw new DealkitInputError(`vega-lite could not compile the spec${mark}: ${(err as Error).message}`, { field: "spec" });
  }
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * HTML for a vega-lite chart: the rendered SVG as an `<img>` (default) or inline. Static: no script, so it
 * renders in exported HTML, offline.
 *
 * @example
 * report += await vegaLiteHtml(lossChartSpec);
 */
export async function vegaLiteHtml(spec: VegaLiteSpec, options: SvgHtmlOptions = {}): Promise<string> {
  return svgHtml(await vegaLiteToSvg(spec), { alt: typeof spec.description === "string" ? spec.description : "", ...options });
}

/** The bundle for a vega-lite chart: text/html (rendered SVG) plus text/plain. */
export async function vegaLiteBundle(spec: VegaLiteSpec, options: SvgHtmlOptions = {}): Promise<MimeBundle> {
  const title = typeof spec.title === "string" ? `: ${spec.title}` : "";
  return { "text/html": await vegaLiteHtml(spec, options), "text/plain": `<vega-lite chart${title}>` };
}

/**
 * Renders a vega-lite spec and shows it in the cell output; a no-op outside a kernel (it still renders, so
 * spec errors surface).
 *
 * @example
 * await showVegaLite({ data: { values: rows }, mark: "line",
 *   encoding: { x: { field: "step", type: "quantitative" }, y: { field: "loss", type: "quantitative" } } });
 */
export async function showVegaLite(spec: VegaLiteSpec, options: SvgHtmlOptions & ShowOptions = {}): Promise<void> {
  publish(await vegaLiteBundle(spec, options), options);
}
