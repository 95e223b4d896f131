import { ts } from "./engine.js";

/**
 * Object-literal shorthand (`{ model }`) rewritten to its long form (`{ model: model }`) before tslab compiles a
 * cell. tslab reaches the variables of earlier cells through `exports.<name>`, but it does not rewrite the name
 * of a shorthand property, so `{ model }` of an earlier cell's `model` threw ReferenceError. The long form means
 * the same in every position (object literals, destructuring assignments, defaults: `{ x = 1 } = o`), so every
 * shorthand is expanded; the insertions are kept to map positions back to the cell as typed.
 */

/** A cell's source with its shorthand properties expanded, and where text was inserted. */
export interface ExpandedSource {
  /** The source given to tslab. */
  code: string;
  /** Insertions, by offset in the original source (ascending), each `length` characters long. */
  insertions: { at: number; length: number }[];
}

/**
 * Expands every shorthand property assignment of `code`.
 *
 * @example
 * expandShorthand("const o = { model };").code; // "const o = { model: model };"
 */
export function expandShorthand(code: string): ExpandedSource {
  const sf = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const insertions: { at: number; length: number; text: string }[] = [];
  const visit = (node: import("@tslab/typescript-for-tslab").Node): void => {
    if (ts.isShorthandPropertyAssignment(node)) {
      const name = node.name.text;
      insertions.push({ at: node.name.end, length: name.length + 2, text: `: ${name}` });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  if (insertions.length === 0) return { code, insertions: [] };
  insertions.sort((a, b) => a.at - b.at);
  let out = "";
  let from = 0;
  for (const ins of insertions) {
    out += code.slice(from, ins.at) + ins.text;
    from = ins.at;
  }
  out += code.slice(from);
  return { code: out, insertions: insertions.map(({ at, length }) => ({ at, length })) };
}

/**
 * The offset in the original source of `offset` in the expanded one; inside inserted text, the start of the
 * shorthand name it repeats.
 *
 * @example
 * const e = expandShorthand("({ ab })"); // "({ ab: ab })"
 * toOriginalOffset(e, 9); // 5 (the space before "}")
 * toOriginalOffset(e, 7); // 3 (the inserted "ab": the shorthand "ab")
 */
export function toOriginalOffset(expanded: ExpandedSource, offset: number): number {
  let shift = 0;
  for (const ins of expanded.insertions) {
    const start = ins.at + shift;
    if (offset < start) break;
    if (offset < start + ins.length) return ins.at - (ins.length - 2);
    shift += ins.length;
  }
  return offset - shift;
}
