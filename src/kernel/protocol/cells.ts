import { CellAlignment } from "./align.js";
import { toOriginalOffset, type ExpandedSource } from "./shorthand.js";

/**
 * The cells this kernel has compiled, by the name their code runs under (`In[3]`, given to V8 with a
 * `//# sourceURL` comment so stack frames name the cell), to turn positions in stack frames and compiler
 * diagnostics into cell lines.
 */

/** One compiled cell. */
export interface CellRecord {
  /** The name stack frames show, e.g. `In[3]`. */
  name: string;
  /** The cell as typed. */
  source: string;
  /** What tslab compiled (shorthand expanded). */
  expanded: ExpandedSource;
  /** The JavaScript tslab ran, without the sourceURL comment. */
  output: string;
  /** Characters tslab's wrapper puts before the output on the script's first line. */
  prefixLength: number;
}

/** A 1-based line and column in a cell as typed. */
export interface CellPosition {
  line: number;
  column: number;
}

/**
 * 1-based line and column of `offset` in `text`.
 *
 * @example
 * lineColumn("ab\ncd", 4); // { line: 2, column: 2 }
 */
export function lineColumn(text: string, offset: number): CellPosition {
  const before = text.slice(0, Math.max(0, offset));
  const line = before.split("\n").length;
  return { line, column: offset - (before.lastIndexOf("\n") + 1) + 1 };
}

/**
 * The 1-based `line` of `text`, or "" past its end.
 *
 * @example
 * lineOf("ab\ncd", 2); // "cd"
 */
export function lineOf(text: string, line: number): string {
  return text.split("\n")[line - 1] ?? "";
}

/**
 * The cells compiled so far.
 *
 * @example
 * cells.add({ name: "In[1]", source, expanded, output, prefixLength: 30 });
 * cells.position("In[1]", 5, 11); // { line: 3, column: 7 } in the cell as typed
 */
export class CellRegistry {
  private readonly cells = new Map<string, CellRecord & { alignment?: CellAlignment }>();

  /** Records a compiled cell (a re-used name replaces the older cell). */
  add(cell: CellRecord): void {
    this.cells.set(cell.name, cell);
  }

  /** The cell compiled under `name`, if any. */
  get(name: string): CellRecord | undefined {
    return this.cells.get(name);
  }

  /**
   * The position in the cell as typed of a 1-based script `line` and `column` from a stack frame of cell
   * `name`, or null when the frame is not in the cell's own code (tslab's wrapper around it) or unknown.
   */
  position(name: string, line: number, column: number): CellPosition | null {
    const cell = this.cells.get(name);
    if (!cell) return null;
    cell.alignment ??= new CellAlignment(cell.expanded.code, cell.output);
    const offset = cell.alignment.sourceOffset(line - 1, Math.max(0, column - 1 - (line === 1 ? cell.prefixLength : 0)));
    return offset === null ? null : lineColumn(cell.source, toOriginalOffset(cell.expanded, offset));
  }
}
