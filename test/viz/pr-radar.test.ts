import { describe, expect, it } from "vitest";
import { prCurvesSpec } from "../../src/viz/pr.js";
import { radarSpec } from "../../src/viz/radar.js";

async function compiles(spec: object): Promise<void> {
  const vl = (await import("vega-lite")) as typeof import("vega-lite");
  const out = vl.compile(spec as never);
  expect(out.spec).toBeTruthy();
}

const curve = (group: string, iouThr: number) =>
  Array.from({ length: 101 }, (_, r) => ({ group, iouThr, recall: r / 100, precision: Math.max(0, 1 - r / 80) }));

describe("prCurvesSpec", () => {
  it("one line per group, recall/precision on [0,1], a valid vega-lite spec", async () => {
    const spec: any = prCurvesSpec([...curve("verytiny", 0.5), ...curve("tiny", 0.5)], { groupTitle: "size bin" });
    expect(spec.mark.type).toBe("line");
    expect(spec.encoding.x.field).toBe("recall");
    expect(spec.encoding.y.scale.domain).toEqual([0, 1]);
    expect(spec.encoding.color.scale.domain).toEqual(["verytiny", "tiny"]);
    expect(spec.encoding.color.title).toBe("size bin");
    expect(spec.data.values).toHaveLength(202);
    expect(spec.title).toMatch(/IoU 0.5/);
    await compiles(spec);
  });

  it("facets by IoU threshold when several are present, and accepts table-like input", async () => {
    const rows = [...curve("a", 0.5), ...curve("a", 0.75)];
    const spec: any = prCurvesSpec({ objects: () => rows });
    expect(spec.facet.column.field).toBe("iouThr");
    expect(spec.spec.mark.type).toBe("line");
    await compiles(spec);
  });
});

describe("radarSpec", () => {
  const rows = [
    { method: "DEAL", domain: "UAV", value: 0.6 },
    { method: "DEAL", domain: "Remote", value: 0.4 },
    { method: "DEAL", domain: "Micro", value: 0.2 },
    { method: "RT-DETR", domain: "UAV", value: 0.3 },
    { method: "RT-DETR", domain: "Remote", value: -1 },
    { method: "RT-DETR", domain: "Micro", value: 0.1 },
  ];

  it("computes closed polygons in polar coordinates, first axis at the top, clockwise", async () => {
    const spec: any = radarSpec(rows, { max: 0.8 });
    const series = spec.layer[4].data.values as any[];
    const deal = series.filter((s) => s.method === "DEAL");
    expect(deal).toHaveLength(4); // 3 axes + the closing point
    expect(deal[0].x).toBeCloseTo(0, 12);
    expect(deal[0].y).toBeCloseTo(0.6, 12); // UAV at the top
    expect(deal[1].x).toBeGreaterThan(0); // second axis to the right: clockwise
    expect(deal[3].x).toBe(deal[0].x);
    expect(deal[3].y).toBe(deal[0].y);
    const r = Math.hypot(deal[1].x, deal[1].y);
    expect(r).toBeCloseTo(0.4, 8);
    // -1 (no GT) is drawn at the centre with a null value in the tooltip.
    const missing = series.find((s) => s.method === "RT-DETR" && s.axis === "Remote");
    expect(missing.value).toBeNull();
    expect(Math.hypot(missing.x, missing.y)).toBe(0);
    // Outer grid ring at max.
    const ring = spec.layer[0].data.values.filter((g: any) => g.ring === 4);
    expect(Math.hypot(ring[0].x, ring[0].y)).toBeCloseTo(0.8, 12);
    expect(spec.layer[4].encoding.color.scale.domain).toEqual(["DEAL", "RT-DETR"]);
    await compiles(spec);
  });

  it("honours field names, axis order and a tidy default maximum", () => {
    const spec: any = radarSpec(rows.map((r) => ({ m: r.method, d: r.domain, ap: r.value })), {
      methodField: "m", axisField: "d", valueField: "ap", axes: ["Micro", "Remote", "UAV"],
    });
    expect(spec.layer[1].data.values.map((s: any) => s.axis)).toEqual(["Micro", "Remote", "UAV"]);
    const outer = spec.layer[0].data.values.filter((g: any) => g.ring === 4)[0];
    expect(outer.y).toBeCloseTo(0.6, 12); // max 0.6 is already tidy
  });
});
