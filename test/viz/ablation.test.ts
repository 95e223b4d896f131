import { describe, expect, it } from "vitest";
import { ablationBarSpec, ablationLineSpec, onAblationAxis } from "../../src/viz/ablation.js";

const row = (position: string, jitter: number, clicks: string, source: string, split: string, mean: number) => ({
  position, jitter, clicks, source, split, metric: "ap50", mean, lo: mean - 0.1, hi: mean + 0.1, n: 3,
});
const summary = [
  row("center", 0, "1", "groundTruth", "seen", 0.5),
  row("gaussian", 0.25, "1", "groundTruth", "seen", 0.4),
  row("edge", 0, "1", "groundTruth", "seen", 0.3),
  row("center", 0, "3", "groundTruth", "seen", 0.6),
  row("center", 0, "all", "groundTruth", "heldOut", 0.7),
  row("center", 0, "1", "prediction", "seen", 0.55),
  { ...row("center", 0, "1", "groundTruth", "seen", 0.5), metric: "ap75" },
];

describe("ablation charts", () => {
  it("selects the one-factor-at-a-time axis", () => {
    expect(summary.filter((r) => onAblationAxis(r, "clicks")).map((r) => r.clicks)).toEqual(["1", "3", "all", "1"]);
    expect(summary.filter((r) => onAblationAxis(r, "position")).map((r) => r.position)).toEqual(["center", "gaussian", "edge", "center"]);
    expect(summary.filter((r) => onAblationAxis(r, "jitter")).map((r) => r.jitter)).toEqual([0, 0.25, 0]);
    expect(summary.filter((r) => onAblationAxis(r, "source")).map((r) => r.source)).toEqual(["groundTruth", "prediction", "groundTruth"]);
  });

  it("builds line and bar specs that vega-lite compiles", async () => {
    const vl = await import("vega-lite");
    const line = ablationLineSpec(summary, "clicks") as { data: { values: { level: string }[] } };
    expect(line.data.values.map((v) => v.level)).toEqual(["1", "3", "all"]);
    const bars = ablationBarSpec(summary, "position", { metric: "ap50" }) as { data: { values: { level: string }[] } };
    expect(bars.data.values.map((v) => v.level)).toEqual(["center", "gaussian 0.25", "edge"]);
    const jitter = ablationLineSpec(summary, "jitter") as { data: { values: { level: number }[] } };
    expect(jitter.data.values.map((v) => v.level)).toEqual([0, 0.25]);
    for (const s of [line, bars, jitter, ablationBarSpec(summary, "source")]) expect(() => vl.compile(s as never)).not.toThrow();
  });
});
