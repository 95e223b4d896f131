// The public surface of src/kernel/. Re-exported by src/index.ts; export names must be unique project-wide.
export { escapeHtml, toBase64, jsonForScript, type MimeBundle, type DisplaySink, type ShowOptions } from "./mime.js";
export { inKernel } from "./tslab.js";
export {
  publish,
  clearOutput,
  htmlToText,
  htmlBundle,
  showHtml,
  pngSize,
  pngHtml,
  pngBundle,
  showPng,
  svgHtml,
  svgDataUri,
  svgBundle,
  showSvg,
  type ImageHtmlOptions,
  type SvgHtmlOptions,
} from "./display.js";
export { vegaLiteToSvg, vegaLiteHtml, vegaLiteBundle, showVegaLite, type VegaLiteSpec } from "./vegalite.js";
export {
  plotlyVersion,
  plotlyBuildFor,
  type PlotlyBuild,
  plotlyLibraryScript,
  plotlyHtml,
  plotlyBundle,
  showPlotly,
  type PlotlyFigure,
  type PlotlyHtmlOptions,
  type PlotlyBundleOptions,
  type ShowPlotlyOptions,
} from "./plotly.js";
export {
  isTableLike,
  isRecordArray,
  formatCell,
  MISSING_CELL,
  tableHtml,
  tableText,
  tableBundle,
  showTable,
  type TableLike,
  type TableHtmlOptions,
} from "./table.js";
export {
  createProgress,
  progressText,
  progressHtml,
  type Progress,
  type ProgressState,
  type ProgressOptions,
} from "./progress.js";
export { show, bundleFor, isVegaLiteSpec, isPlotlyFigure, isMimeBundle } from "./show.js";
export { exportProblems, plotlyCopies, MAX_EXPORT_BYTES, type ExportCheckOptions } from "./export-check.js";
export {
  runNotebooks,
  listNotebooks,
  formatNotebookFailure,
  kernelsConfigDir,
  jupyterEnv,
  type NotebookRunResult,
  type NotebookFailure,
  type RunNotebooksOptions,
} from "./runner.js";
