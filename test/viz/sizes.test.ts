import { describe, expect, it } from "vitest";
import * as aq from "arquero";
import { sizeBinShareSpec, sizeHistogramSpec } from "../../src/viz/sizes.js";

const rows = [
  { domain: "uav", side: 3, sizeBin: "veryTiny", ignore: false },
  { domain: "uav", side: 12, sizeBin: "tiny", ignore: false },
  { domain: "uav", side: 5, sizeBin: "veryTiny", ignore: true },
  { domain: "microscopy", side: 200, sizeBin: "medium", ignore: false },
];

describe("sizeHistogramSpec", () => {
  it("facets by domain in order of appearance, bins sqrt(area) and marks 8/16/32 px", () => {
    const spec = sizeHistogramSpec(aq.from(rows)) as any;
    expect(spec.$schema).toMatch(/vega-lite/);
    expect(spec.facet).toMatchObject({ field: "domain", sort: ["uav", "microscopy"] });
    expect(spec.data.values).toHaveLength(3); // the ignore row is left out
    expect(spec.data.values[2].side).toBeLessThan(64); // clamped into the last bar
    expect(spec.spec.layer[0].encoding.x.bin).toEqual({ step: 2, extent: [0, 64] });
    expect(spec.spec.layer[1].data.values).toEqual([{ px: 8 }, { px: 16 }, { px: 32 }]);
  });

  it("takes plain arrays and options", () => {
    const spec = sizeHistogramSpec(rows, { stepPx: 4, maxSidePx: 32, columns: 2, title: "t" }) as any;
    expect(spec.columns).toBe(2);
    expect(spec.title).toBe("t");
    expect(spec.spec.layer[0].encoding.x.bin).toEqual({ step: 4, extent: [0, 32] });
  });

  it("compiles with vega-lite", async () => {
    const vl = (await import("vega-lite")) as any;
    expect(() => vl.compile(sizeHistogramSpec(rows))).not.toThrow();
  });
});

describe("sizeBinShareSpec", () => {
  const summary = [
    { domain: "uav", veryTiny: 5, tiny: 3, small: 2, medium: 0 },
    { domain: "microscopy", veryTiny: 0, tiny: 1, small: 1, medium: 2 },
  ];

  it("has one value per domain and bin, stacked to shares by default", () => {
    const spec = sizeBinShareSpec(aq.from(summary)) as any;
    expect(spec.data.values).toHaveLength(8);
    expect(spec.data.values.slice(0, 4).map((v: any) => v.count)).toEqual([5, 3, 2, 0]);
    expect(spec.encoding.x.stack).toBe("normalize");
    expect(spec.encoding.y.sort).toEqual(["uav", "microscopy"]);
    expect(sizeBinShareSpec(summary, { normalize: false }).encoding).toMatchObject({ x: { stack: "zero" } });
  });

  it("compiles with vega-lite", async () => {
    const vl = (await import("vega-lite")) as any;
    expect(() => vl.compile(sizeBinShareSpec(summary) as any)).not.toThrow();
  });
});
