import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import { gzipSync } from "node:zlib";
import { publish } from "./display.js";
import { jsonForScript, type DisplaySink, type MimeBundle, type ShowOptions } from "./mime.js";

/** A plotly figure: traces, and optionally layout, config and frames (as plotly.js takes them). */
export interface PlotlyFigure {
  data: object[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
  frames?: object[];
}

/**
 * Which plotly.js build a figure needs: "cartesian" (plotly.js-cartesian-dist-min, ~0.5 MB gzipped: scatter,
 * bar, box, heatmap, histogram, contour, image, pie, violin) when every trace is one of its types, else "full"
 * (plotly.js-dist-min, ~1.5 MB gzipped: WebGL, 3D, maps and the rest).
 */
export type PlotlyBuild = "cartesian" | "full";

/** Trace types in plotly.js's cartesian bundle (its lib/index-cartesian.js). */
const CARTESIAN_TYPES = new Set([
  "scatter", "bar", "box", "heatmap", "histogram", "histogram2d", "histogram2dcontour", "contour",
  "scatterternary", "violin", "image", "pie",
]);

/**
 * The plotly.js build a figure needs (see {@link PlotlyBuild}); a trace without a type is a scatter.
 *
 * @example
 * plotlyBuildFor({ data: [{ type: "scattergl", x: [1], y: [2] }] }); // "full"
 */
export function plotlyBuildFor(figure: PlotlyFigure): PlotlyBuild {
  const types = figure.data.map((t) => String((t as { type?: unknown }).type ?? "scatter"));
  return types.every((t) => CARTESIAN_TYPES.has(t)) ? "cartesian" : "full";
}

/** Options of {@link plotlyHtml}. */
export interface PlotlyHtmlOptions {
  /**
   * Put plotly.js itself (gzipped, base64) in the HTML, so it works offline and standalone; the page unpacks
   * it once with the browser's DecompressionStream. Default true.
   */
  includeLibrary?: boolean;
  /** Which plotly.js build to use. Default: the smallest one the figure needs ({@link plotlyBuildFor}). */
  build?: PlotlyBuild;
  /** CSS height of the plot. Default: `layout.height` px, else "420px". */
  height?: string;
  /** The element id; default a fresh random id (ids must be unique on the page). */
  divId?: string;
}

const BUILD_PACKAGES: Record<PlotlyBuild, string> = { cartesian: "plotly.js-cartesian-dist-min", full: "plotly.js-dist-min" };
const packed = new Map<PlotlyBuild, string>();

/** The version of the plotly.js that dealkit ships (plotly.js-dist-min in node_modules). */
export function plotlyVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("plotly.js-dist-min/package.json") as { version: string }).version;
}

/**
 * `<script>` that loads plotly.js from the project's node_modules (no CDN: notebooks and their HTML exports
 * render offline). The minified build travels gzipped and base64-encoded (cartesian ~0.7 MB, full ~2 MB,
 * instead of 1.5 / 4.8 MB); the page unpacks it with DecompressionStream and runs it once, registering a
 * promise of the library as `window.dealkitPlotly[build]`, which figures wait on. Default build "full".
 *
 * @example
 * const head = plotlyLibraryScript("cartesian");
 */
export function plotlyLibraryScript(build: PlotlyBuild = "full"): string {
  let b64 = packed.get(build);
  if (b64 === undefined) {
    b64 = gzipSync(fs.readFileSync(require.resolve(BUILD_PACKAGES[build])), { level: 9 }).toString("base64");
    packed.set(build, b64);
  }
  const load =
    `(function(){var w=window,k=${jsonForScript(build)};w.dealkitPlotly=w.dealkitPlotly||{};if(w.dealkitPlotly[k])return;` +
    `w.dealkitPlotly[k]=(typeof DecompressionStream==="undefined"?Promise.reject(new Error("this browser has no DecompressionStream")):` +
    `new Response(new Blob([Uint8Array.from(atob("${b64}"),function(c){return c.charCodeAt(0);})]).stream()` +
    `.pipeThrough(new DecompressionStream("gzip"))).text()).then(function(src){(0,eval)(src);return w.Plotly;});})();`;
  return `<script type="text/javascript">${load}</script>`;
}

function cssHeight(figure: PlotlyFigure, height?: string): string {
  if (height) return height;
  const h = figure.layout?.height;
  return typeof h === "number" && h > 0 ? `${h}px` : "420px";
}

/**
 * HTML that draws a plotly figure: a div and a script calling Plotly.newPlot once plotly.js is loaded, with
 * plotly.js inlined unless `includeLibrary` is false (then an earlier output on the page must have loaded it;
 * if none did, the div says so instead of failing silently). A figure that needs only the cartesian build
 * uses the full build when the page has that.
 *
 * @example
 * const html = plotlyHtml({ data: [{ type: "bar", x: ["a", "b"], y: [3, 5] }] }, { includeLibrary: true });
 */
export function plotlyHtml(figure: PlotlyFigure, options: PlotlyHtmlOptions = {}): string {
  if (!figure || !Array.isArray(figure.data)) {
    throw new TypeError("plotlyHtml: a figure needs a `data` array of traces");
  }
  const id = options.divId ?? `dealkit-plotly-${randomUUID()}`;
  const height = cssHeight(figure, options.height);
  const build = options.build ?? plotlyBuildFor(figure);
  const library = options.includeLibrary === false ? "" : plotlyLibraryScript(build);
  const fig = jsonForScript({ data: figure.data, layout: figure.layout ?? {}, config: { responsive: true, ...figure.config }, frames: figure.frames });
  const pick = build === "full" ? "p.full" : "p.full||p.cartesian";
  const draw =
    `(function(){var el=document.getElementById(${jsonForScript(id)});var fig=${fig};var p=window.dealkitPlotly||{};var lib=${pick};` +
    `if(!lib){el.textContent="plotly.js is not loaded on this page: show the figure with library: 'always'.";return;}` +
    `lib.then(function(P){return P.newPlot(el,fig.data,fig.layout,fig.config).then(function(){if(fig.frames)P.addFrames(el,fig.frames);});})` +
    `.catch(function(e){el.textContent="plotly.js could not be loaded: "+e.message;});})();`;
  return `<div id="${id}" class="dealkit-plotly" style="width:100%;height:${height}"></div>${library}<script type="text/javascript">${draw}</script>`;
}

/** Options of {@link plotlyBundle}. */
export interface PlotlyBundleOptions extends PlotlyHtmlOptions {
  /** Also add application/vnd.plotly.v1+json, which JupyterLab's plotly extension renders. Default false. */
  jupyterlabMime?: boolean;
}

/** The bundle for a plotly figure: text/html (see {@link plotlyHtml}), text/plain, optionally plotly JSON. */
export function plotlyBundle(figure: PlotlyFigure, options: PlotlyBundleOptions = {}): MimeBundle {
  const traces = figure.data.length;
  const bundle: MimeBundle = {
    "text/html": plotlyHtml(figure, options),
    "text/plain": `<plotly figure: ${traces} trace${traces === 1 ? "" : "s"}>`,
  };
  if (options.jupyterlabMime) {
    bundle["application/vnd.plotly.v1+json"] = { data: figure.data, layout: figure.layout ?? {}, config: figure.config ?? {} };
  }
  return bundle;
}

/** Options of {@link showPlotly}. */
export interface ShowPlotlyOptions extends Omit<PlotlyBundleOptions, "includeLibrary">, ShowOptions {
  /**
   * Where plotly.js goes: "once" (default) inlines it in the first figure a kernel (or sink) shows and lets
   * later figures use it, keeping notebooks small (the cartesian build unless a figure needs the full one);
   * "always" inlines it in every figure (each output stands alone); "none" never (the page must load it).
   */
  library?: "once" | "always" | "none";
}

// Which builds the displays already carry. Per kernel process (a restarted kernel starts over) and per sink.
const shownInKernel = new Set<PlotlyBuild>();
const shownInSink = new WeakMap<DisplaySink, Set<PlotlyBuild>>();

function shownSet(sink: DisplaySink | undefined): Set<PlotlyBuild> {
  if (!sink) return shownInKernel;
  const set = shownInSink.get(sink) ?? new Set<PlotlyBuild>();
  shownInSink.set(sink, set);
  return set;
}

/**
 * Shows a plotly figure, rendered by plotly.js from the project's node_modules (offline); a no-op outside a
 * kernel.
 *
 * @example
 * showPlotly({ data: [{ type: "scatter", mode: "lines", x: steps, y: losses }], layout: { title: { text: "loss" } } });
 */
export function showPlotly(figure: PlotlyFigure, options: ShowPlotlyOptions = {}): void {
  const mode = options.library ?? "once";
  const build = options.build ?? plotlyBuildFor(figure);
  const shown = shownSet(options.sink);
  const onPage = shown.has(build) || (build === "cartesian" && shown.has("full"));
  const includeLibrary = mode === "always" || (mode === "once" && !onPage);
  const delivered = publish(plotlyBundle(figure, { ...options, build, includeLibrary }), options);
  if (delivered && includeLibrary) shown.add(build);
}
