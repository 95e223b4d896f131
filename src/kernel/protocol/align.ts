import { diffArrays } from "diff";
import type * as TS from "@tslab/typescript-for-tslab";
import { ts } from "./engine.js";

/**
 * Where a position in the JavaScript tslab ran comes from in the cell's TypeScript. tslab compiles without source
 * maps, so the two token streams are aligned instead (a minimal diff, jsdiff's Myers): compiling removes types
 * and adds `exports.` prefixes, helpers and `exports.x = x;` lines, but keeps the user's own tokens in order, so
 * every token of a statement that can throw is found again. Computed only when an error needs it.
 */

interface Token {
  text: string;
  start: number;
}

function tokens(sf: TS.SourceFile, skip: (node: TS.Node) => boolean = () => false): Token[] {
  const out: Token[] = [];
  const walk = (node: TS.Node): void => {
    if (skip(node) || (node.kind >= ts.SyntaxKind.FirstJSDocNode && node.kind <= ts.SyntaxKind.LastJSDocNode)) return;
    const children = node.getChildren(sf);
    if (children.length === 0) {
      if (node.kind !== ts.SyntaxKind.EndOfFileToken) out.push({ text: node.getText(sf), start: node.getStart(sf) });
      return;
    }
    for (const child of children) walk(child);
  };
  walk(sf);
  return out;
}

/** Statements the CommonJS conversion puts before the cell's own code: helpers, `__esModule`, `exports.x = void 0`. */
function isPreamble(node: TS.Node): boolean {
  if (!ts.isStatement(node) || !ts.isSourceFile(node.parent)) return false;
  const text = node.getText();
  return (
    /^var __\w+ = \(this && this\.__\w+\)/.test(text) ||
    /^Object\.defineProperty\(exports, "__esModule"/.test(text) ||
    /^exports\.[\w$]+ = (exports\.[\w$]+ = )*void 0;$/.test(text)
  );
}

/** A position mapping from a cell's compiled JavaScript back to its (expanded) TypeScript source. */
export class CellAlignment {
  private readonly outTokens: Token[];
  private readonly srcOf: (number | undefined)[];
  private readonly srcTokens: Token[];
  private readonly outFile: TS.SourceFile;

  /**
   * @param source the TypeScript tslab compiled.
   * @param output the JavaScript it ran.
   * @example
   * new CellAlignment("const n: number = f(1);", "const n = exports.f(1);").sourceOffset(0, 18); // 18
   */
  constructor(source: string, output: string) {
    const srcFile = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    this.outFile = ts.createSourceFile("cell.js", output, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
    this.srcTokens = tokens(srcFile);
    this.outTokens = tokens(this.outFile, isPreamble);
    this.srcOf = new Array(this.outTokens.length);
    const changes = diffArrays(
      this.srcTokens.map((t) => t.text),
      this.outTokens.map((t) => t.text),
    );
    let s = 0;
    let o = 0;
    for (const change of changes) {
      const n = change.count ?? change.value.length;
      if (change.added) o += n;
      else if (change.removed) s += n;
      else for (let i = 0; i < n; i++) this.srcOf[o++] = s++;
    }
  }

  /**
   * The source offset for 0-based `line` and `column` of the output: that of the nearest aligned token at or
   * before the position; null before the first one or past the output's end.
   */
  sourceOffset(line: number, column: number): number | null {
    const starts = this.outFile.getLineStarts();
    if (line < 0 || line >= starts.length) return null;
    const offset = starts[line]! + column;
    let lo = 0;
    let hi = this.outTokens.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.outTokens[mid]!.start <= offset) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let i = at; i >= 0; i--) {
      const s = this.srcOf[i];
      if (s !== undefined) return this.srcTokens[s]!.start;
    }
    return null;
  }
}
