import * as aq from "arquero";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { bundleFor, inKernel, isPlotlyFigure, isVegaLiteSpec, show, showHtml, type MimeBundle } from "../../src/kernel/index.js";

describe("show", () => {
  it("chooses the display from the value's type", async () => {
    const png = await sharp({ create: { width: 2, height: 2, channels: 4, background: "#000" } }).png().toBuffer();
    expect(Object.keys(await bundleFor(png))).toContain("image/png");
    expect((await bundleFor("<svg xmlns='http://www.w3.org/2000/svg'/>"))["text/html"]).toMatch(/^<img src="data:image\/svg\+xml/);
    expect(await bundleFor("<b>x</b>")).toEqual({ "text/html": "<b>x</b>", "text/plain": "x" });
    expect(await bundleFor("plain")).toEqual({ "text/plain": "plain" });
    expect((await bundleFor(aq.table({ a: [1] })))["text/html"]).toContain("<table>");
    expect((await bundleFor([{ a: 1 }, { a: 2 }]))["text/html"]).toMatch(/<th[^>]*>a<\/th>/);
    expect((await bundleFor({ data: [{ type: "scatter", x: [1], y: [2] }] }))["text/plain"]).toBe("<plotly figure: 1 trace>");
    const vl = await bundleFor({ data: { values: [{ a: 1 }] }, mark: "point", encoding: { x: { field: "a", type: "quantitative" } } });
    expect(vl["text/plain"]).toBe("<vega-lite chart>");
    expect(await bundleFor({ "text/markdown": "# hi" })).toEqual({ "text/markdown": "# hi" });
    expect((await bundleFor({ a: 1 }))["text/plain"]).toBe("{ a: 1 }");
  });

  it("tells plotly figures and vega-lite specs apart", () => {
    const vl = { data: { values: [] }, mark: "bar" };
    const pl = { data: [{ type: "bar" }], layout: {} };
    expect([isVegaLiteSpec(vl), isPlotlyFigure(vl)]).toEqual([true, false]);
    expect([isVegaLiteSpec(pl), isPlotlyFigure(pl)]).toEqual([false, true]);
    expect(isVegaLiteSpec({ $schema: "https://vega.github.io/schema/vega/v5.json", marks: [] })).toBe(false);
  });

  it("sends to a sink, and is a no-op outside a kernel without one", async () => {
    expect(inKernel()).toBe(false);
    const got: MimeBundle[] = [];
    await show([{ k: 1 }], { sink: (b) => void got.push(b) });
    expect(got.length).toBe(1);
    expect(showHtml("<i>nothing happens</i>")).toBeUndefined();
    await expect(show({ anything: true })).resolves.toBeUndefined();
  });
});
