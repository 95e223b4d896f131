import { describe, expect, it } from "vitest";
import { globToRegExp, History } from "../../../src/kernel/protocol/history.js";

describe("history", () => {
  it("matches globs over the whole input, case-sensitive, * across lines", () => {
    expect(globToRegExp("1 + *").test("1 + 1")).toBe(true);
    expect(globToRegExp("1 + *").test("x = 1 + 1")).toBe(false);
    expect(globToRegExp("*load*").test("const d = load(\n  'x')")).toBe(true);
    expect(globToRegExp("a?c").test("abc")).toBe(true);
    expect(globToRegExp("[ab]x").test("bx")).toBe(true);
    expect(globToRegExp("[!ab]x").test("bx")).toBe(false);
    expect(globToRegExp("a.b").test("axb")).toBe(false);
    expect(globToRegExp("Foo*").test("foo")).toBe(false);
  });

  it("answers tail, range and search (n, unique) as [session, line, input]", () => {
    const h = new History();
    h.add(1, "1 + 1", "2");
    h.add(2, "let a = 3", null);
    h.add(3, "1 + 1", "2");
    h.add(4, "a * 2", "6");
    expect(h.query({ hist_access_type: "tail", n: 2 })).toEqual([
      [1, 3, "1 + 1"],
      [1, 4, "a * 2"],
    ]);
    expect(h.query({ hist_access_type: "tail", n: 1, output: true })).toEqual([[1, 4, ["a * 2", "6"]]]);
    expect(h.query({ hist_access_type: "range", session: 0, start: 2, stop: 4 })).toEqual([
      [1, 2, "let a = 3"],
      [1, 3, "1 + 1"],
    ]);
    expect(h.query({ hist_access_type: "range", session: 1, start: 4 })).toEqual([[1, 4, "a * 2"]]);
    expect(h.query({ hist_access_type: "range", session: -1, start: 1 })).toEqual([]); // no earlier session
    expect(h.query({ hist_access_type: "search", pattern: "1 + *" })).toEqual([
      [1, 1, "1 + 1"],
      [1, 3, "1 + 1"],
    ]);
    expect(h.query({ hist_access_type: "search", pattern: "1 + *", unique: true })).toEqual([[1, 3, "1 + 1"]]);
    expect(h.query({ hist_access_type: "search", pattern: "*", n: 1 })).toEqual([[1, 4, "a * 2"]]);
  });
});
