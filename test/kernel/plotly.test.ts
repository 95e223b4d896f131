import * as fs from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { plotlyBuildFor, plotlyBundle, plotlyHtml, plotlyLibraryScript, showPlotly, type MimeBundle } from "../../src/kernel/index.js";

const FIG = { data: [{ type: "bar", x: ["a", "b"], y: [3, 5], name: "</script>" }], layout: { height: 300 } };
const GL = { data: [{ type: "scattergl", x: [1], y: [2] }] };
const cartesian = fs.readFileSync(require.resolve("plotly.js-cartesian-dist-min"));
const full = fs.readFileSync(require.resolve("plotly.js-dist-min"));

/** The library a page gets from the HTML: the base64 in the loader, gunzipped. */
function inlined(html: string): Buffer {
  const m = /atob\("([A-Za-z0-9+/=]+)"\)/.exec(html);
  if (!m) throw new Error("no inlined library");
  return gunzipSync(Buffer.from(m[1]!, "base64"));
}

describe("plotly", () => {
  it("inlines plotly.js from node_modules (no CDN script), gzipped, and draws the figure once it is loaded", () => {
    const html = plotlyHtml(FIG, { divId: "fig1" });
    expect(inlined(html).equals(cartesian)).toBe(true); // a bar chart needs only the cartesian build
    expect(html.length).toBeLessThan(cartesian.length * 0.5 * 1.37 + 4000); // gzip (~1/3) and base64 (4/3)
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).toContain('<div id="fig1" class="dealkit-plotly" style="width:100%;height:300px"></div>');
    expect(html).toContain("DecompressionStream(\"gzip\")");
    expect(html).toContain("P.newPlot(el,fig.data,fig.layout,fig.config)");
    // the trace name must not end the script element
    expect(html.split("</script>").length - 1).toBe(2);
  });

  it("picks the full build for traces the cartesian build lacks (WebGL, 3D)", () => {
    expect(plotlyBuildFor(FIG)).toBe("cartesian");
    expect(plotlyBuildFor({ data: [{ x: [1], y: [2] }] })).toBe("cartesian"); // no type: scatter
    expect(plotlyBuildFor(GL)).toBe("full");
    expect(plotlyBuildFor({ data: [{ type: "bar" }, { type: "surface" }] })).toBe("full");
    expect(inlined(plotlyHtml(GL)).equals(full)).toBe(true);
    expect(plotlyHtml(GL, { includeLibrary: false })).toContain("var lib=p.full;");
    expect(plotlyHtml(FIG, { includeLibrary: false })).toContain("var lib=p.full||p.cartesian;");
  });

  it("can leave the library out, and then explains a missing Plotly on the page", () => {
    const html = plotlyHtml(FIG, { includeLibrary: false });
    expect(html.length).toBeLessThan(2000);
    expect(html).toContain("plotly.js is not loaded on this page");
    expect(inlined(plotlyLibraryScript()).equals(full)).toBe(true);
  });

  it("adds the plotly JSON mime type for JupyterLab on request", () => {
    const b = plotlyBundle(FIG, { includeLibrary: false, jupyterlabMime: true });
    expect(b["application/vnd.plotly.v1+json"]).toEqual({ data: FIG.data, layout: FIG.layout, config: {} });
    expect(b["text/plain"]).toBe("<plotly figure: 1 trace>");
  });

  it("sends each build once per display target by default, or every time", () => {
    const seen: MimeBundle[] = [];
    const sink = (b: MimeBundle) => void seen.push(b);
    const carried = (b: MimeBundle) => /atob\("/.test(b["text/html"] as string);
    showPlotly(FIG, { sink });
    showPlotly(FIG, { sink });
    showPlotly(FIG, { sink, library: "always" });
    showPlotly(FIG, { sink, library: "none" });
    showPlotly(GL, { sink }); // the full build is not on the page yet
    showPlotly(GL, { sink });
    showPlotly(FIG, { sink });
    expect(seen.map(carried)).toEqual([true, false, true, false, true, false, false]);
    const other: MimeBundle[] = [];
    showPlotly(FIG, { sink: (b) => void other.push(b) });
    expect(carried(other[0]!)).toBe(true);
  });

  it("rejects a figure without a data array", () => {
    expect(() => plotlyHtml({} as never)).toThrow(/data/);
  });
});
