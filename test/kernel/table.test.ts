import * as aq from "arquero";
import { describe, expect, it } from "vitest";
import { formatCell, isTableLike, tableHtml, tableText } from "../../src/kernel/index.js";

describe("tables", () => {
  const t = aq.table({ domain: ["uav", "<rs>", "micro"], ap50: [0.41234567, 0.5, 12], n: [3, 10, 7] });

  it("renders an arquero table as HTML with escaped cells, number columns right-aligned and text left", () => {
    expect(isTableLike(t)).toBe(true);
    const html = tableHtml(t, { caption: "AP" });
    expect(html).toContain('<caption style="text-align:left;white-space:nowrap">AP</caption>');
    const l = ' style="text-align:left"', r = ' style="text-align:right"';
    expect(html).toContain(`<th${l}>domain</th><th${r}>ap50</th><th${r}>n</th>`);
    expect(html).toContain(`<td${l}>&lt;rs&gt;</td>`);
    expect(html).toContain('<td style="text-align:right">0.4123</td>');
    expect((html.match(/<tr>/g) ?? []).length).toBe(4); // header + 3 rows
    expect(html).not.toContain("rows shown");
  });

  it("limits the rows and says how many there are", () => {
    const big = aq.table({ i: Array.from({ length: 50 }, (_, k) => k) });
    const html = tableHtml(big, { limit: 5 });
    expect((html.match(/<tr>/g) ?? []).length).toBe(6);
    expect(html).toContain("5 of 50 rows shown");
    expect(tableText(big, { limit: 2 }).split("\n")).toEqual(["i", "-", "0", "1", "(2 of 50 rows shown)"]);
  });

  it("takes arrays of records, with the union of their keys", () => {
    const text = tableText([{ a: 1 }, { b: "x", a: 22 }]);
    expect(text.split("\n")).toEqual(["a   b", "--  -", "1   –", "22  x"]);
  });

  it("shows a column of numbers with a missing value (NaN, null) right-aligned, with dashes", () => {
    const html = tableHtml([{ errorType: "missed", score: NaN, count: null }, { errorType: "background", score: 0.5, count: 3 }]);
    expect(html).toContain('<td style="text-align:left">missed</td><td style="text-align:right">–</td><td style="text-align:right">–</td>');
    expect(html).not.toContain("NaN");
  });

  it("formats cells", () => {
    expect(formatCell(null)).toBe("–");
    expect(formatCell(undefined)).toBe("–");
    expect(formatCell(NaN)).toBe("–");
    expect(formatCell(-Infinity)).toBe("-∞");
    expect(formatCell(3)).toBe("3");
    expect(formatCell(1 / 3, 3)).toBe("0.333");
    expect(formatCell(new Float32Array([1, 2]))).toBe("[1,2]");
    expect(formatCell(new Date(Date.UTC(2020, 0, 2)))).toBe("2020-01-02T00:00:00.000Z");
  });
});
