import { inspect } from "node:util";
import type { Diagnostic } from "tslab/dist/converter.js";
import { lineColumn, lineOf, type CellRegistry } from "./cells.js";
import { toOriginalOffset, type ExpandedSource } from "./shorthand.js";

/**
 * Errors as Jupyter reports them (`ename`, `evalue`, `traceback` lines): runtime errors with their stack frames in
 * cell lines (`at f (In[1]:7:11)`) and without the kernel's own frames, and TypeScript diagnostics with the
 * cell line and a marker under the code.
 */

/** What execute_reply and the iopub `error` message carry. */
export interface ErrorReport {
  ename: string;
  evalue: string;
  traceback: string[];
}

const FRAME = /^\s*at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/;
/** Frames of the machinery that runs cells: tslab, node's vm and internals, this kernel. */
const KERNEL_FRAME = /(^node:(internal|vm)\b)|[\\/]tslab[\\/]|[\\/]kernel[\\/]protocol[\\/]|^evalmachine\.|^<anonymous>$/;

interface Frame {
  fn: string | undefined;
  file: string;
  line: number;
  column: number;
}

function parseFrame(text: string): Frame | null {
  const m = FRAME.exec(text);
  if (!m) return null;
  return { fn: m[1], file: m[2]!, line: Number(m[3]), column: Number(m[4]) };
}

function isErrorLike(value: unknown): value is { name?: unknown; message?: unknown; stack?: unknown } {
  return typeof value === "object" && value !== null && ("stack" in value || value instanceof Error);
}

/**
 * The stack frames of an error in cell lines, with the kernel's frames dropped (and everything below the
 * outermost cell frame: that is what ran the cell), and the first cell frame's position.
 *
 * @example
 * userFrames(err.stack, cells).lines; // ["    at check (In[4]:9:11)", "    at In[5]:4:1"]
 */
export function userFrames(
  stack: string,
  cells: CellRegistry,
): { lines: string[]; first: { name: string; line: number; column: number } | null } {
  const lines: string[] = [];
  let first: { name: string; line: number; column: number } | null = null;
  let lastCellFrame = -1;
  for (const text of stack.split("\n")) {
    if (!/^\s+at /.test(text)) continue;
    const frame = parseFrame(text);
    if (!frame) {
      if (!KERNEL_FRAME.test(text.trim().slice(3))) lines.push(`    ${text.trim()}`);
      continue;
    }
    if (cells.get(frame.file)) {
      const pos = cells.position(frame.file, frame.line, frame.column);
      if (!pos) continue; // tslab's wrapper around the cell
      first ??= { name: frame.file, ...pos };
      const where = `${frame.file}:${pos.line}:${pos.column}`;
      // Functions of earlier cells are called through tslab's exports Proxy: V8 names them "Proxy.f".
      const fn = frame.fn?.replace(/^(async )?Proxy\./, "$1");
      lines.push(fn ? `    at ${fn} (${where})` : `    at ${where}`);
      lastCellFrame = lines.length;
    } else if (!KERNEL_FRAME.test(frame.file)) lines.push(`    ${text.trim()}`);
  }
  return { lines: lastCellFrame >= 0 ? lines.slice(0, lastCellFrame) : lines, first };
}

/**
 * The report for a value a cell threw: `ename` and `evalue` from the error (`Uncaught` and the value for
 * anything else), then where it happened in the cell and the stack in cell lines.
 *
 * @example
 * errorReport(new RangeError("bad"), cells).ename; // "RangeError"
 */
export function errorReport(value: unknown, cells: CellRegistry): ErrorReport {
  let ename = "Uncaught";
  let evalue = inspect(value);
  let stack = "";
  if (isErrorLike(value)) {
    ename = typeof value.name === "string" && value.name ? value.name : value.constructor?.name || "Error";
    evalue = typeof value.message === "string" ? value.message : String(value);
    stack = typeof value.stack === "string" ? value.stack : "";
  }
  const { lines, first } = userFrames(stack, cells);
  const traceback: string[] = [];
  const cell = first && cells.get(first.name);
  if (first && cell) {
    const code = lineOf(cell.source, first.line);
    traceback.push(`${first.name}:${first.line}`, code, `${" ".repeat(Math.max(0, first.column - 1))}^`, "");
  }
  traceback.push(evalue ? `${ename}: ${evalue}` : ename, ...lines);
  return { ename, evalue, traceback };
}

/**
 * The report for TypeScript diagnostics of cell `name`: `TSError`, the first message, and every diagnostic as
 * `In[4]:3:7 - error TS2322: ...` with the code line and a marker. Positions from tslab refer to `expanded`.
 *
 * @example
 * compileErrorReport(converted.diagnostics, "In[4]", source, expandShorthand(source)).ename; // "TSError"
 */
export function compileErrorReport(diagnostics: Diagnostic[], name: string, source: string, expanded: ExpandedSource): ErrorReport {
  const traceback: string[] = [];
  let prev: Diagnostic | undefined;
  for (const d of diagnostics) {
    const chained = prev && !d.fileName && d.start.offset === prev.start.offset && d.end.offset === prev.end.offset;
    if (chained) {
      traceback.push(`  ${d.messageText}`);
      continue;
    }
    prev = d;
    const kind = ["warning", "error", "suggestion", "message"][d.category] ?? "error";
    if (d.fileName) {
      const where = `${d.fileName}:${d.start.line + 1}:${d.start.character + 1}`;
      traceback.push(`${where} - ${kind} TS${d.code}: ${d.messageText}`);
      continue;
    }
    if (d.start.offset >= expanded.code.length) {
      // In what tslab appends to the cell (`export { ...every local }`), not in the cell's text.
      traceback.push(`${name} - ${kind} TS${d.code}: ${d.messageText}`);
      continue;
    }
    const start = lineColumn(source, toOriginalOffset(expanded, d.start.offset));
    const end = lineColumn(source, toOriginalOffset(expanded, d.end.offset));
    const width = end.line === start.line ? Math.max(1, end.column - start.column) : 1;
    traceback.push(
      `${name}:${start.line}:${start.column} - ${kind} TS${d.code}: ${d.messageText}`,
      lineOf(source, start.line),
      `${" ".repeat(start.column - 1)}${"~".repeat(width)}`,
    );
  }
  const first = diagnostics[0];
  return { ename: "TSError", evalue: first ? String(first.messageText) : "the cell did not compile", traceback };
}
