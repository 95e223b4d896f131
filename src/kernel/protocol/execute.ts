import { inspect } from "node:util";
import type { Diagnostic } from "tslab/dist/converter.js";
import { CellRegistry } from "./cells.js";
import { createConverter, createExecutor, quickInfoText, type Converter, type Executor } from "./engine.js";
import { expandShorthand, type ExpandedSource } from "./shorthand.js";
import { compileErrorReport, errorReport, type ErrorReport } from "./traceback.js";

/**
 * Runs cells with tslab's executor and converter, and reports what a Jupyter kernel must: the value of a final
 * expression (tslab would print it), the thrown value or the compiler's diagnostics (tslab would print them to
 * stderr), each in cell line numbers. tslab's converter is wrapped to expand `{ x }` shorthand (see
 * shorthand.ts) and to name each cell's code for stack traces.
 */

/** What running one cell gave. */
export type CellOutcome =
  | { status: "ok"; hasValue: boolean; value?: unknown }
  | { status: "error"; error: ErrorReport };

interface Run {
  name: string;
  source: string;
  expanded?: ExpandedSource;
  diagnostics?: Diagnostic[];
  thrown?: { value: unknown };
  value?: { value: unknown };
}

/** Where the executor's other console output goes (diagnostics of `@module` cells). */
export type TextSink = (text: string) => void;

/** A TypeScript session: the variables of the cells run so far, and their compiled code. */
export class CellExecutor {
  readonly cells = new CellRegistry();
  private readonly executor: Executor;
  private readonly node: Converter;
  private browser: Converter | undefined;
  private run: Run | null = null;

  /**
   * @param cwd where cells resolve `require`/`import` from (the kernel's working directory).
   * @param stderr receives diagnostics tslab prints outside a failing cell.
   * @example
   * const cells = new CellExecutor(process.cwd(), (t) => process.stderr.write(t));
   * await cells.execute("1 + 1", "In[1]"); // { status: "ok", hasValue: true, value: 2 }
   */
  constructor(cwd: string, stderr: TextSink) {
    this.node = createConverter({ isJS: false, isBrowser: false });
    const self = this;
    const wrapped: Converter = { ...this.node, convert: (prevDecl, src) => this.convert(prevDecl, src) };
    const convs = {
      node: wrapped,
      get browser() {
        return (self.browser ??= createConverter({ isJS: false, isBrowser: true }));
      },
      close: () => {
        this.node.close();
        this.browser?.close();
      },
    };
    this.executor = createExecutor(cwd, convs, {
      log: (value: unknown) => {
        if (this.run) this.run.value = { value };
      },
      error: (...args: unknown[]) => {
        if (args.length === 1 && this.run) this.run.thrown = { value: args[0] };
        else if (!this.run?.diagnostics) stderr(`${args.map((a) => (typeof a === "string" ? a : inspect(a))).join(" ")}\n`);
      },
    });
  }

  private convert(prevDecl: string, src: string) {
    const run = this.run;
    const expanded = expandShorthand(src);
    const result = this.node.convert(prevDecl, expanded.code);
    if (!run) return result;
    run.expanded = expanded;
    if (result.diagnostics.length > 0) run.diagnostics = result.diagnostics;
    else if (result.output) {
      const prefixLength = (result.hasToplevelAwait ? "(async function(exports, require) { " : "(function(exports, require) { ").length;
      this.cells.add({ name: run.name, source: src, expanded, output: result.output, prefixLength });
      result.output += `\n//# sourceURL=${run.name}`;
    }
    return result;
  }

  /**
   * Runs `code` as cell `name` (the name its stack frames show). Never throws for the cell's own errors.
   */
  async execute(code: string, name: string): Promise<CellOutcome> {
    const run: Run = { name, source: code };
    this.run = run;
    let ok: boolean;
    try {
      ok = await this.executor.execute(code);
    } catch (err) {
      run.thrown = { value: err };
      ok = false;
    } finally {
      this.run = null;
    }
    if (ok) return run.value ? { status: "ok", hasValue: true, value: run.value.value } : { status: "ok", hasValue: false };
    if (run.thrown) return { status: "error", error: errorReport(run.thrown.value, this.cells) };
    if (run.diagnostics) {
      return { status: "error", error: compileErrorReport(run.diagnostics, name, code, run.expanded ?? { code, insertions: [] }) };
    }
    return { status: "error", error: { ename: "Error", evalue: "the cell failed", traceback: ["Error: the cell failed"] } };
  }

  /** The report for an error thrown outside any running cell (a timer, an unhandled rejection). */
  report(value: unknown): ErrorReport {
    return errorReport(value, this.cells);
  }

  /** Quick info (type and docs) at UTF-16 offset `pos`, or null. */
  inspect(code: string, pos: number): string | null {
    const info = this.executor.inspect(code, pos);
    return info ? quickInfoText(info) : null;
  }

  /** Completions at UTF-16 offset `pos`: the range they replace and the candidates. */
  complete(code: string, pos: number): { start: number; end: number; matches: string[] } {
    const info = this.executor.complete(code, pos);
    return { start: info.start, end: info.end, matches: info.candidates };
  }

  /** Interrupts the awaited part of the running cell (a synchronous loop is stopped by SIGINT itself). */
  interrupt(): void {
    this.executor.interrupt();
  }

  /** Releases the compiler's watchers. */
  close(): void {
    this.executor.close();
  }
}
