import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../util/fs.js";
import { exportProblems, MAX_EXPORT_BYTES } from "./export-check.js";

/** One cell (or the kernel itself, `cell: null`) that failed while a notebook ran. */
export interface NotebookFailure {
  /** Index of the cell in the notebook's `cells` (markdown cells count), or null for a kernel failure. */
  cell: number | null;
  /** 1-based number among code cells (the execution count it would have had), or null. */
  codeCell: number | null;
  /**
   * "error" (the cell threw or did not compile), "timeout", "dead-kernel", "aborted" (the kernel did not run the
   * request), "kernel" (did not start), "missing", "export" (the HTML export is too large or repeats plotly.js).
   */
  kind: string;
  /** The first non-empty line of the cell's source, to find it. */
  source: string;
  /** The message: the error's traceback (where in the cell, `ename: evalue`, the stack in cell lines). */
  message: string;
}

/** What running one notebook gave. */
export interface NotebookRunResult {
  /** The notebook path as given. */
  notebook: string;
  /** True when every code cell ran without an error. */
  ok: boolean;
  /** Wall time for the notebook, kernel start included. */
  seconds: number;
  /** Time from start to a ready kernel. */
  kernelStartSeconds?: number;
  /** Time per executed code cell. */
  cells: { cell: number; seconds: number }[];
  failures: NotebookFailure[];
  /** The executed notebook (outputs included), when an output folder was given. */
  executed?: string;
  /** The HTML export (nbconvert, lab template, offline), when an output folder was given. */
  html?: string;
  /** Why the HTML export failed, if it did (the run itself may still be ok). */
  htmlError?: string;
}

/** Options of {@link runNotebooks}. */
export interface RunNotebooksOptions {
  /** Folder for the executed notebooks and HTML exports. Default `out/notebooks` in the project root. */
  outDir?: string;
  /** Seconds a cell may run. Default $DEALKIT_CELL_TIMEOUT or 600. */
  timeoutS?: number;
  /** Kernel name for every notebook. Default: each notebook's kernelspec (e.g. "dealkit"). */
  kernel?: string;
  /** Write an HTML export beside each executed notebook. Default true. */
  html?: boolean;
  /** Run the cells after a failing cell too (each failure is reported). Default false: stop at the first. */
  keepGoing?: boolean;
  /** Kernel working directory. Default: the notebook's folder. */
  cwd?: string;
  /** The Python that holds Jupyter (nbclient). Default $DEALKIT_PYTHON or Debian's /usr/bin/python3. */
  python?: string;
  /**
   * Largest acceptable HTML export, bytes; a larger one, or one holding plotly.js twice, fails the notebook
   * (kind "export"). 0 turns the size check off. Default 3 000 000.
   */
  maxHtmlBytes?: number;
  /** Receives the driver's progress lines (nothing is printed otherwise). */
  onLog?: (line: string) => void;
  /** Receives each notebook's result as soon as it is known. */
  onResult?: (result: NotebookRunResult) => void;
}

const RESULT_PREFIX = "@@result ";

/** kernels-config/: the folder to put on JUPYTER_PATH so Jupyter finds the dealkit kernels. */
export function kernelsConfigDir(): string {
  return path.join(projectRoot(), "kernels-config");
}

/**
 * An environment in which Jupyter finds the project's kernels: JUPYTER_PATH gets kernels-config/ first.
 *
 * @example
 * spawn("jupyter", ["notebook", "notebooks/"], { env: jupyterEnv() });
 */
export function jupyterEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const rest = base.JUPYTER_PATH ? [base.JUPYTER_PATH] : [];
  return { ...base, JUPYTER_PATH: [kernelsConfigDir(), ...rest].join(path.delimiter) };
}

/**
 * The notebooks (`*.ipynb`) directly in `dir`, sorted by name (00-hello first). Default dir: notebooks/.
 */
export function listNotebooks(dir: string = path.join(projectRoot(), "notebooks")): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith(".ipynb") && !name.startsWith("."))
    .sort()
    .map((name) => path.join(dir, name));
}

/**
 * One line per failure, e.g. `notebooks/00-hello.ipynb: cell 4 (code cell 3): Error: ...`.
 */
export function formatNotebookFailure(notebook: string, failure: NotebookFailure): string {
  const where =
    failure.cell === null ? (failure.kind === "export" ? "HTML export" : "kernel") : `cell ${failure.cell} (code cell ${failure.codeCell}, ${failure.kind})`;
  const src = failure.source ? `\n    > ${failure.source}` : "";
  const msg = failure.message
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
  return `${notebook}: ${where}${src}\n${msg}`;
}

function driverArgs(notebooks: string[], options: RunNotebooksOptions): string[] {
  const root = projectRoot();
  const timeout = options.timeoutS ?? Number(process.env.DEALKIT_CELL_TIMEOUT || 600);
  const args = [path.join(root, "scripts", "run_notebooks.py"), "--timeout", String(Math.max(1, Math.round(timeout)))];
  args.push("--out", options.outDir ?? path.join(root, "out", "notebooks"));
  if (options.kernel) args.push("--kernel", options.kernel);
  if (options.html === false) args.push("--no-html");
  if (options.keepGoing) args.push("--keep-going");
  if (options.cwd) args.push("--cwd", options.cwd);
  return [...args, ...notebooks];
}

/**
 * Executes notebooks top to bottom through real Jupyter (Debian's nbclient) with the project's kernels,
 * one fresh kernel per notebook, and writes the executed notebooks and their HTML exports. Never throws
 * for a failing notebook: look at `ok` and `failures`. Rejects only when the driver cannot run at all.
 *
 * @example
 * const results = await runNotebooks(listNotebooks());
 * const failed = results.filter((r) => !r.ok);
 */
function checkExport(result: NotebookRunResult, maxBytes: number): void {
  if (!result.html || !fs.existsSync(result.html)) return;
  const problems = exportProblems(fs.readFileSync(result.html, "utf8"), { maxBytes });
  if (!problems.length) return;
  result.ok = false;
  result.failures.push({ cell: null, codeCell: null, kind: "export", source: "", message: problems.join("\n") });
}

export function runNotebooks(notebooks: string[], options: RunNotebooksOptions = {}): Promise<NotebookRunResult[]> {
  const python = options.python ?? process.env.DEALKIT_PYTHON ?? "/usr/bin/python3";
  const results: NotebookRunResult[] = [];
  if (notebooks.length === 0) return Promise.resolve(results);
  return new Promise((resolve, reject) => {
    const child = spawn(python, driverArgs(notebooks, options), {
      cwd: projectRoot(),
      env: jupyterEnv({ ...process.env, PYTHONWARNINGS: "ignore", PYTHONUNBUFFERED: "1" }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stderrTail: string[] = [];
    const onLines = (stream: NodeJS.ReadableStream, handle: (line: string) => void) => {
      let buffer = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        buffer += chunk;
        const lines = buffer.split("\n");
        buffer = lines.pop() ?? "";
        for (const line of lines) handle(line);
      });
      stream.on("end", () => buffer && handle(buffer));
    };
    onLines(child.stdout!, (line) => {
      if (line.startsWith(RESULT_PREFIX)) {
        const result = JSON.parse(line.slice(RESULT_PREFIX.length)) as NotebookRunResult;
        checkExport(result, options.maxHtmlBytes ?? MAX_EXPORT_BYTES);
        results.push(result);
        options.onResult?.(result);
      } else if (line.trim()) options.onLog?.(line);
    });
    onLines(child.stderr!, (line) => {
      stderrTail.push(line);
      if (stderrTail.length > 40) stderrTail.shift();
      if (line.trim()) options.onLog?.(line);
    });
    child.on("error", (err) =>
      reject(new Error(`cannot start ${python} for the notebook runner (${err.message}); run bash scripts/setup.sh`)),
    );
    child.on("close", (code) => {
      if (results.length === notebooks.length) return resolve(results);
      const tail = stderrTail.join("\n");
      const hint = /No module named '?(nbclient|nbformat|nbconvert)/.test(tail)
        ? " Debian's Jupyter is missing: run bash scripts/setup.sh."
        : "";
      reject(new Error(`the notebook runner stopped (exit ${code}) after ${results.length} of ${notebooks.length} notebooks.${hint}\n${tail}`));
    });
  });
}
