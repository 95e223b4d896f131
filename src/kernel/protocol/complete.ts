import { ts } from "./engine.js";

/**
 * is_complete for TypeScript cells (what `jupyter console` asks before running what was typed), and the
 * `expr?` help syntax, from the parse errors of tslab's TypeScript.
 */

/** An is_complete_reply's content. */
export interface IsCompleteReply {
  status: "complete" | "incomplete" | "invalid";
  /** For "incomplete": the indent of the next line. */
  indent?: string;
}

/** Parse errors that mean "more text will fix it" when they sit at the end of the code. */
const UNTERMINATED_LINE = 1002; // Unterminated string literal: a quote does not continue on the next line

/**
 * The expression `code` asks help for (`Math.max?` or `?Math.max`), or null when it is not a help request.
 *
 * @example
 * helpTarget("Math.max?"); // "Math.max"
 */
export function helpTarget(code: string): string | null {
  const m = /^\s*\?\s*([^?][\s\S]*?)\s*$|^\s*([\s\S]*?[^?\s])\s*\?\s*$/.exec(code);
  const target = m && (m[1] ?? m[2]);
  if (!target || /[\n;]/.test(target)) return null;
  const sf = ts.createSourceFile("help.ts", target, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const diags = (sf as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics;
  const only = sf.statements.length === 1 && ts.isExpressionStatement(sf.statements[0]!);
  return diags.length === 0 && only ? target : null;
}

/** The next line's indent: the last line's, two spaces deeper when that line opens more brackets than it closes. */
function indentAfter(code: string): string {
  const last = code.replace(/\s+$/, "").split("\n").pop() ?? "";
  const current = /^\s*/.exec(last)![0];
  const depth = (last.match(/[{([]/g)?.length ?? 0) - (last.match(/[})\]]/g)?.length ?? 0);
  return depth > 0 || /=>\s*$/.test(last) ? `${current}  ` : current;
}

/**
 * complete, incomplete (with the next line's indent) or invalid.
 *
 * @example
 * isComplete("if (x) {").status; // "incomplete"
 * isComplete("1 +* 2").status;   // "invalid"
 */
export function isComplete(code: string): IsCompleteReply {
  if (code.trim() === "" || helpTarget(code) !== null) return { status: "complete" };
  const sf = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const diags = (sf as unknown as { parseDiagnostics: { start: number; code: number }[] }).parseDiagnostics;
  if (diags.length === 0) return { status: "complete" };
  const end = code.trimEnd().length;
  const atEnd = diags.every((d) => d.start >= end && d.code !== UNTERMINATED_LINE);
  return atEnd ? { status: "incomplete", indent: indentAfter(code) } : { status: "invalid" };
}
