import { describe, expect, it } from "vitest";
import { helpTarget, isComplete } from "../../../src/kernel/protocol/complete.js";

describe("is_complete", () => {
  it("answers complete, incomplete with the next indent, or invalid", () => {
    const cases: [string, string, string?][] = [
      ["1 + 1", "complete"],
      ["const x = await fetchIt();", "complete"],
      ["", "complete"],
      ["Math.max?", "complete"],
      ["function f() {", "incomplete", "  "],
      ["if (x) {\n  foo();", "incomplete", "  "],
      ["const xs = [1,", "incomplete", "  "],
      ["const x =", "incomplete", ""],
      ["`template\nline", "incomplete", ""],
      ["/* comment", "incomplete", ""],
      ["1 +* 2", "invalid"],
      ["const = 5;", "invalid"],
      ["}", "invalid"],
      ["'no closing quote", "invalid"],
      ["a = 1;\n}\nfoo(", "invalid"],
    ];
    for (const [code, status, indent] of cases) {
      expect(isComplete(code), JSON.stringify(code)).toEqual(indent === undefined ? { status } : { status, indent });
    }
  });

  it("recognises help requests (expr? and ?expr) on one expression only", () => {
    expect(helpTarget("Math.max?")).toBe("Math.max");
    expect(helpTarget("  ?console.log  ")).toBe("console.log");
    expect(helpTarget("a ? b : c")).toBeNull();
    expect(helpTarget("x??")).toBeNull();
    expect(helpTarget("const a = 1?")).toBeNull();
    expect(helpTarget("a;\nb?")).toBeNull();
  });
});
