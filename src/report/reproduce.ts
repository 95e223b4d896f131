import * as fs from "node:fs";
import * as path from "node:path";
import { escapeHtml } from "../kernel/mime.js";
import { listNotebooks, runNotebooks, type NotebookRunResult } from "../kernel/runner.js";
import { writeDirAtomic } from "../util/dir-atomic.js";
import { projectRoot } from "../util/fs.js";
import { VERSION } from "../version.js";

/** Options of {@link reproduce}. */
export interface ReproduceOptions {
  /** Where the report goes. Default `out/report` in the project root. */
  outDir?: string;
  /** The notebooks that make up the main job, in order. Default notebooks/07-reproduce-paper.ipynb. */
  notebooks?: string[];
  /**
   * The notebook whose HTML export becomes the report's `index.html` (self-contained: charts are inline SVG);
   * the run-status page then goes to `runs.html`. Default: 07-reproduce-paper when `notebooks` is not given;
   * otherwise none (index.html is the run-status page).
   */
  mainNotebook?: string;
  /** Seconds a cell may run. Default as runNotebooks (600). */
  timeoutS?: number;
  /** Progress lines (nothing is printed otherwise). */
  onLog?: (line: string) => void;
  /** What runs the notebooks (default {@link runNotebooks}, through Jupyter); the fault tests pass a stand-in. */
  runNotebooks?: typeof runNotebooks;
}

/** What {@link reproduce} produced. */
export interface ReproduceResult {
  ok: boolean;
  /** The report's entry page. */
  reportHtml: string;
  results: NotebookRunResult[];
}

/** The notebook of the main job: the paper reproduction. */
export const REPRODUCE_NOTEBOOK = "07-reproduce-paper.ipynb";

/** The default notebooks of the main job. */
export function defaultReproduceNotebooks(): string[] {
  return listNotebooks().filter((nb) => path.basename(nb) === REPRODUCE_NOTEBOOK);
}

/**
 * The report's entry page: one row per notebook (status, time, failing cell) linking its HTML export.
 */
export function reportIndexHtml(results: NotebookRunResult[], outDir: string): string {
  const rows = results
    .map((r) => {
      const name = path.basename(r.notebook);
      const link = r.html ? `<a href="${escapeHtml(path.relative(outDir, r.html).split(path.sep).join("/"))}">${escapeHtml(name)}</a>` : escapeHtml(name);
      const failure = r.failures[0];
      const why = failure ? `<pre>${escapeHtml(`cell ${failure.cell ?? "-"}: ${failure.message}`)}</pre>` : "";
      return `<tr><td>${link}</td><td>${r.ok ? "ok" : "<b>failed</b>"}</td><td style="text-align:right">${r.seconds.toFixed(1)} s</td><td>${why}</td></tr>`;
    })
    .join("\n");
  const ok = results.every((r) => r.ok);
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>dealkit report</title>
<style>body{font-family:sans-serif;margin:2em;max-width:60em}td,th{padding:.3em .8em;border-bottom:1px solid #ddd;vertical-align:top}pre{margin:0;white-space:pre-wrap}</style>
</head><body>
<h1>dealkit report</h1>
<p>dealkit ${escapeHtml(VERSION)}, node ${escapeHtml(process.version)}: ${ok ? "every notebook ran" : "<b>a notebook failed</b>"}.</p>
<table><thead><tr><th>notebook</th><th>status</th><th>time</th><th></th></tr></thead><tbody>
${rows}
</tbody></table>
</body></html>
`;
}

/** True when `dir` holds a previous report of {@link reproduce} (its index.html), so it may be replaced whole. */
export function isReportFolder(dir: string): boolean {
  return fs.existsSync(path.join(dir, "index.html")) && fs.readdirSync(dir).every((f) => REPORT_ENTRIES.has(f));
}

/** What a report folder holds. */
const REPORT_ENTRIES = new Set(["index.html", "runs.html", "notebooks"]);

/**
 * The main job's report (`dealkit reproduce`, `npm run reproduce`): runs the notebooks (default
 * notebooks/07-reproduce-paper.ipynb, which calls runPaperReproduction) through Jupyter and writes the report to
 * `outDir`: `index.html` is the main notebook's HTML export, `runs.html` lists each notebook's status and time,
 * `notebooks/` holds the executed notebooks. Without a main notebook, index.html is the status page.
 *
 * The folder is written atomically: everything goes to a temporary sibling `<outDir>.tmp-<pid>-*` that replaces
 * `outDir` whole once complete (a crash leaves the previous report; the next run removes the temp). An existing
 * `outDir` must be empty or a previous report.
 *
 * @example
 * const { ok, reportHtml } = await reproduce();
 */
export async function reproduce(options: ReproduceOptions = {}): Promise<ReproduceResult> {
  const outDir = path.resolve(options.outDir ?? path.join(projectRoot(), "out", "report"));
  const notebooks = options.notebooks ?? defaultReproduceNotebooks();
  const main = options.mainNotebook ?? (options.notebooks ? undefined : REPRODUCE_NOTEBOOK);
  let tmpDir = "";
  const results = await writeDirAtomic(
    outDir,
    async (tmp) => {
      tmpDir = tmp;
      const results = await (options.runNotebooks ?? runNotebooks)(notebooks, {
        outDir: path.join(tmp, "notebooks"),
        timeoutS: options.timeoutS,
        onLog: options.onLog,
      });
      const mainExport = main ? results.find((r) => path.basename(r.notebook) === path.basename(main))?.html : undefined;
      if (mainExport && fs.existsSync(mainExport)) {
        fs.copyFileSync(mainExport, path.join(tmp, "index.html"));
        fs.writeFileSync(path.join(tmp, "runs.html"), reportIndexHtml(results, tmp));
      } else {
        fs.writeFileSync(path.join(tmp, "index.html"), reportIndexHtml(results, tmp));
      }
      return results;
    },
    { what: "report folder (index.html, runs.html, notebooks/)", isPrevious: isReportFolder },
  );
  // The paths the runner gave point into the temp folder, now renamed to outDir.
  const moved = (p: string | undefined): string | undefined => (p && tmpDir && p.startsWith(tmpDir + path.sep) ? path.join(outDir, path.relative(tmpDir, p)) : p);
  for (const r of results) {
    if (r.html) r.html = moved(r.html);
    if (r.executed) r.executed = moved(r.executed);
  }
  return { ok: results.length > 0 && results.every((r) => r.ok), reportHtml: path.join(outDir, "index.html"), results };
}
