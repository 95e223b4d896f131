import { describe, expect, it } from "vitest";
import { expandShorthand, toOriginalOffset } from "../../../src/kernel/protocol/shorthand.js";

describe("shorthand expansion", () => {
  it("writes every shorthand property in its long form, nowhere else", () => {
    expect(expandShorthand("const o = { model, n: 1 };").code).toBe("const o = { model: model, n: 1 };");
    expect(expandShorthand("({ x, y = 2 } = src);").code).toBe("({ x: x, y: y = 2 } = src);");
    expect(expandShorthand("f({ a: { b } });").code).toBe("f({ a: { b: b } });");
    // Binding patterns and methods are not shorthand properties: unchanged.
    const same = "const { a, b: c } = o;\nconst m = { f() { return 1; } };\nfunction g({ a }: { a: number }) { return a; }";
    expect(expandShorthand(same)).toEqual({ code: same, insertions: [] });
  });

  it("maps positions in the expanded code back to the cell as typed", () => {
    const e = expandShorthand("({ ab, cd })"); // "({ ab: ab, cd: cd })"
    expect(e.code).toBe("({ ab: ab, cd: cd })");
    expect(e.insertions).toEqual([
      { at: 5, length: 4 },
      { at: 9, length: 4 },
    ]);
    expect(toOriginalOffset(e, 3)).toBe(3); // "ab"
    expect(toOriginalOffset(e, 7)).toBe(3); // the inserted "ab" is the shorthand "ab"
    expect(toOriginalOffset(e, 11)).toBe(7); // "cd"
    expect(toOriginalOffset(e, 15)).toBe(7); // the inserted "cd"
    expect(toOriginalOffset(e, 19)).toBe(11); // ")"
  });
});
