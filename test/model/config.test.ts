import { describe, expect, it } from "vitest";
import { resolveModelConfig, MODEL_PRESETS } from "../../src/model/config.js";
import { queriesForCount } from "../../src/model/query-allocation.js";

describe("model config", () => {
  it("fills every preset", () => {
    for (const p of MODEL_PRESETS) {
      const c = resolveModelConfig({ preset: p });
      expect(c.preset).toBe(p);
      expect(c.dModel % c.heads).toBe(0);
    }
    expect(resolveModelConfig().inputSize).toBe(192);
    expect(resolveModelConfig().kind).toBe("deal");
  });
  it("rejects a bad preset and lists the valid ones", () => {
    expect(() => resolveModelConfig({ preset: "huge" })).toThrow(/"micro", "tiny", "small", "paper"/);
  });
  it("rejects bad fields with the reason", () => {
    expect(() => resolveModelConfig({ kind: "yolo" })).toThrow(/"deal", "baseline"/);
    expect(() => resolveModelConfig({ heads: 5 })).toThrow(/heads \(5\) must divide dModel \(48\) and decoderDim \(48\)/);
    expect(() => resolveModelConfig({ depths: [1] })).toThrow(/one entry per stage/);
    expect(() => resolveModelConfig({ inputSize: 100 })).toThrow(/multiple of the coarsest stride 16/);
    expect(() => resolveModelConfig({ inputSize: 1e9 })).toThrow(/inputSize must be an integer in \[32, 4096\]; got 1000000000/);
    expect(() => resolveModelConfig({ maxQueries: 5000 })).toThrow(/maxQueries must be an integer in \[1, 2000\]/);
    expect(() => resolveModelConfig({ widths: [8] })).toThrow(/widths must list 2 to 4 stage widths/);
    expect(() => resolveModelConfig({ minQueries: 150 })).toThrow(/minQueries \(150\) must be <= maxQueries \(120\)/);
    expect(() => resolveModelConfig({ bogus: 1 } as never)).toThrow(/unknown field "bogus"; valid fields are kind, preset/);
  });
  it("allocates queries from the count within bounds", () => {
    const cfg = resolveModelConfig({ preset: "tiny" });
    expect(queriesForCount(0, cfg)).toBe(cfg.minQueries);
    expect(queriesForCount(10, cfg)).toBe(Math.ceil(1.5 * 10) + 8);
    expect(queriesForCount(1000, cfg)).toBe(cfg.maxQueries);
    expect(queriesForCount(NaN, cfg)).toBe(cfg.maxQueries);
  });
});
