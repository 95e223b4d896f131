import { describe, expect, it } from "vitest";
import { vegaLiteBundle, vegaLiteToSvg, type VegaLiteSpec } from "../../src/kernel/index.js";

const SPEC: VegaLiteSpec = {
  title: "loss per step",
  data: { values: [{ step: 1, loss: 0.9 }, { step: 2, loss: 0.5 }, { step: 3, loss: 0.2 }] },
  mark: "bar",
  encoding: { x: { field: "step", type: "ordinal" }, y: { field: "loss", type: "quantitative" } },
};

describe("vega-lite", () => {
  it("renders a spec to SVG in Node (ESM-only vega and vega-lite loaded from CommonJS)", async () => {
    const svg = await vegaLiteToSvg(SPEC);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("loss per step");
    // one bar path per data row, in vega's rect mark group
    const group = /<g class="mark-rect role-mark[^"]*"[^>]*>([\s\S]*?)<\/g>/.exec(svg);
    expect(group).not.toBeNull();
    expect((group![1]!.match(/<path /g) ?? []).length).toBe(3);
  });

  it("makes an HTML bundle (SVG as an image), never image/svg+xml", async () => {
    const b = await vegaLiteBundle(SPEC);
    expect(Object.keys(b).sort()).toEqual(["text/html", "text/plain"]);
    expect(b["text/html"]).toMatch(/^<img src="data:image\/svg\+xml,%3Csvg/);
    expect(b["text/plain"]).toBe("<vega-lite chart: loss per step>");
  });

  it("reports a spec error", async () => {
    await expect(vegaLiteToSvg({ mark: "nonsense" } as never)).rejects.toThrow(/vega-lite could not compile the spec \(mark "nonsense"\)/);
  });
});
