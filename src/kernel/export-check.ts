/**
 * Checks of a notebook's HTML export that a reader would notice: its size (an export that takes a minute to
 * open, or that a mail server refuses) and duplicated copies of plotly.js (dealkit's kernel inlines each
 * plotly.js build once per notebook; a second copy means a figure was shown with `library: "always"` or that
 * the once-per-kernel bookkeeping broke).
 */

/** Options of {@link exportProblems}. */
export interface ExportCheckOptions {
  /** Largest acceptable export, bytes. Default 3 000 000 (3 MB). */
  maxBytes?: number;
}

/** Default of {@link ExportCheckOptions.maxBytes}: 3 MB. */
export const MAX_EXPORT_BYTES = 3_000_000;

// dealkit's gzipped loader names its build; a raw plotly.js carries its licence header.
const PACKED = /var w=window,k="(cartesian|full)";w\.dealkitPlotly=/g;
const RAW = /\* plotly\.js (?:\((\w+) - minified\) )?v\d+\.\d+\.\d+/g;

/** How many copies of each plotly.js build the HTML holds (dealkit's packed loader and raw copies together). */
export function plotlyCopies(html: string): Record<string, number> {
  const copies: Record<string, number> = {};
  for (const m of html.matchAll(PACKED)) copies[m[1]!] = (copies[m[1]!] ?? 0) + 1;
  for (const m of html.matchAll(RAW)) {
    const build = m[1] ?? "full";
    copies[build] = (copies[build] ?? 0) + 1;
  }
  return copies;
}

/**
 * What is wrong with an exported notebook: one line per problem (too large, plotly.js more than once per
 * build); empty when it is fine.
 *
 * @example
 * exportProblems(fs.readFileSync("out/notebooks/04-prompting.html", "utf8")); // [] or ["4.2 MB: over ..."]
 */
export function exportProblems(html: string, options: ExportCheckOptions = {}): string[] {
  const max = options.maxBytes ?? MAX_EXPORT_BYTES;
  const problems: string[] = [];
  const bytes = Buffer.byteLength(html, "utf8");
  const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;
  if (max > 0 && bytes > max) problems.push(`the HTML export is ${mb(bytes)}, over the ${mb(max)} budget (look for large images or repeated libraries in its outputs)`);
  for (const [build, n] of Object.entries(plotlyCopies(html))) {
    if (n > 1) problems.push(`the HTML export holds ${n} copies of plotly.js (${build} build); a notebook needs one`);
  }
  return problems;
}
