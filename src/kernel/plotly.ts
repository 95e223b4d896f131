import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import { publish } from "./display.js";
import { jsonForScript, type DisplaySink, type MimeBundle, type ShowOptions } from "./mime.js";

/** A plotly figure: traces, and optionally layout, config and frames (as plotly.js takes them). */
export interface PlotlyFigure {
  data: object[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
  frames?: object[];
}

/** Options of {@link plotlyHtml}. */
export interface PlotlyHtmlOptions {
  /** Put plotly.js itself (minified, ~4.8 MB) in the HTML, so it works offline and standalone. Default true. */
  includeLibrary?: boolean;
  /** CSS height of the plot. Default: `layout.height` px, else "420px". */
  height?: string;
  /** The element id; default a fresh random id (ids must be unique on the page). */
  divId?: string;
}

let libraryText: string | undefined;

/** The version of the plotly.js that dealkit ships (plotly.js-dist-min in node_modules). */
export function plotlyVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("plotly.js-dist-min/package.json") as { version: string }).version;
}

/**
 * `<script>` holding plotly.js from the project's node_modules (plotly.js-dist-min): no CDN, so notebooks and
 * their HTML exports render offline. It defines window.Plotly.
 */
export function plotlyLibraryScript(): string {
  if (libraryText === undefined) {
    const file = require.resolve("plotly.js-dist-min");
    // A literal "</script" would end the element early; plotly.min.js has none today, escape it if one appears.
    libraryText = fs.readFileSync(file, "utf8").replace(/<\/script/gi, "<\\/script");
  }
  return `<script type="text/javascript">${libraryText}</script>`;
}

function cssHeight(figure: PlotlyFigure, height?: string): string {
  if (height) return height;
  const h = figure.layout?.height;
  return typeof h === "number" && h > 0 ? `${h}px` : "420px";
}

/**
 * HTML that draws a plotly figure: a div and a script calling Plotly.newPlot, with plotly.js inlined unless
 * `includeLibrary` is false (then an earlier output on the page must have loaded it; if none did, the div
 * says so instead of failing silently).
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
  const library = options.includeLibrary === false ? "" : plotlyLibraryScript();
  const fig = jsonForScript({ data: figure.data, layout: figure.layout ?? {}, config: { responsive: true, ...figure.config }, frames: figure.frames });
  const draw =
    `(function(){var el=document.getElementById(${jsonForScript(id)});var fig=${fig};` +
    `if(!window.Plotly){el.textContent="plotly.js is not loaded on this page: show the figure with library: 'always'.";return;}` +
    `window.Plotly.newPlot(el,fig.data,fig.layout,fig.config).then(function(){if(fig.frames)window.Plotly.addFrames(el,fig.frames);});})();`;
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
   * later figures use it, keeping notebooks small; "always" inlines it in every figure (each output stands
   * alone); "none" never (the page must load plotly.js itself).
   */
  library?: "once" | "always" | "none";
}

// Which displays already carry plotly.js. Per kernel process (a restarted kernel starts over) and per sink.
let libraryShownInKernel = false;
const sinksWithLibrary = new WeakSet<DisplaySink>();

/**
 * Shows a plotly figure, rendered by plotly.js from the project's node_modules (offline); a no-op outside a
 * kernel.
 *
 * @example
 * showPlotly({ data: [{ type: "scatter", mode: "lines", x: steps, y: losses }], layout: { title: { text: "loss" } } });
 */
export function showPlotly(figure: PlotlyFigure, options: ShowPlotlyOptions = {}): void {
  const mode = options.library ?? "once";
  const shown = options.sink ? sinksWithLibrary.has(options.sink) : libraryShownInKernel;
  const includeLibrary = mode === "always" || (mode === "once" && !shown);
  const delivered = publish(plotlyBundle(figure, { ...options, includeLibrary }), options);
  if (delivered && includeLibrary) {
    if (options.sink) sinksWithLibrary.add(options.sink);
    else libraryShownInKernel = true;
  }
}
