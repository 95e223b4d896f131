import { describe, expect, it } from "vitest";
import { exportProblems, plotlyCopies, plotlyHtml, plotlyLibraryScript } from "../../src/kernel/index.js";

const FIG = { data: [{ type: "bar", x: ["a"], y: [1] }] };

describe("HTML export checks", () => {
  it("passes a page with one copy of each plotly build, under the size budget", () => {
    const page = `<html>${plotlyHtml(FIG)}${plotlyHtml(FIG, { includeLibrary: false })}${plotlyHtml({ data: [{ type: "scattergl" }] })}</html>`;
    expect(plotlyCopies(page)).toEqual({ cartesian: 1, full: 1 });
    expect(exportProblems(page)).toEqual([]);
  });

  it("flags plotly.js inlined twice, packed or raw", () => {
    const twice = plotlyHtml(FIG) + plotlyHtml(FIG);
    expect(plotlyCopies(twice)).toEqual({ cartesian: 2 });
    expect(exportProblems(twice)).toEqual(["the HTML export holds 2 copies of plotly.js (cartesian build); a notebook needs one"]);
    // The raw licence headers of plotly.js-dist-min and the cartesian bundle (as older dealkit inlined them).
    const raw = "/**\n* plotly.js v4.1.2\n*/ ... /**\n* plotly.js (cartesian - minified) v4.1.1\n*/";
    expect(plotlyCopies(raw + plotlyLibraryScript("full"))).toEqual({ full: 2, cartesian: 1 });
  });

  it("flags an export over the budget, in MB with the budget named", () => {
    const big = "x".repeat(3_000_001);
    expect(exportProblems(big)).toEqual(["the HTML export is 3.00 MB, over the 3.00 MB budget (look for large images or repeated libraries in its outputs)"]);
    expect(exportProblems("x".repeat(3_000_000))).toEqual([]);
    expect(exportProblems(big, { maxBytes: 0 })).toEqual([]);
    expect(exportProblems("x".repeat(2000), { maxBytes: 1000 })[0]).toMatch(/^the HTML export is 0\.00 MB, over the 0\.00 MB budget/);
  });
});
