import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { plotlyBundle, plotlyHtml, plotlyLibraryScript, showPlotly, type MimeBundle } from "../../src/kernel/index.js";

const FIG = { data: [{ type: "bar", x: ["a", "b"], y: [3, 5], name: "</script>" }], layout: { height: 300 } };
const library = fs.readFileSync(require.resolve("plotly.js-dist-min"), "utf8");

describe("plotly", () => {
  it("inlines plotly.js from node_modules (no CDN script) and draws the figure", () => {
    const html = plotlyHtml(FIG, { divId: "fig1" });
    expect(html).toContain(library.slice(0, 200));
    expect(html).toContain(library.slice(-200));
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).toContain('<div id="fig1" class="dealkit-plotly" style="width:100%;height:300px"></div>');
    expect(html).toContain('Plotly.newPlot(el,fig.data,fig.layout,fig.config)');
    // the trace name must not end the script element
    expect(html.split("</script>").length - 1).toBe(2);
  });

  it("can leave the library out, and then explains a missing Plotly on the page", () => {
    const html = plotlyHtml(FIG, { includeLibrary: false });
    expect(html.length).toBeLessThan(2000);
    expect(html).toContain("plotly.js is not loaded on this page");
    expect(plotlyLibraryScript().length).toBeGreaterThan(library.length);
  });

  it("adds the plotly JSON mime type for JupyterLab on request", () => {
    const b = plotlyBundle(FIG, { includeLibrary: false, jupyterlabMime: true });
    expect(b["application/vnd.plotly.v1+json"]).toEqual({ data: FIG.data, layout: FIG.layout, config: {} });
    expect(b["text/plain"]).toBe("<plotly figure: 1 trace>");
  });

  it("sends the library once per display target by default, or every time", () => {
    const seen: MimeBundle[] = [];
    const sink = (b: MimeBundle) => void seen.push(b);
    showPlotly(FIG, { sink });
    showPlotly(FIG, { sink });
    showPlotly(FIG, { sink, library: "always" });
    showPlotly(FIG, { sink, library: "none" });
    const sizes = seen.map((b) => (b["text/html"] as string).length > library.length);
    expect(sizes).toEqual([true, false, true, false]);
    const other: MimeBundle[] = [];
    showPlotly(FIG, { sink: (b) => void other.push(b) });
    expect((other[0]!["text/html"] as string).length).toBeGreaterThan(library.length);
  });

  it("rejects a figure without a data array", () => {
    expect(() => plotlyHtml({} as never)).toThrow(/data/);
  });
});
