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
    expect(resolveModelConfig().inputSize).toBe(256);
  });
  it("rejects a bad preset and lists the valid ones", () => {
    expect(() => resolveModelConfig({ preset: "huge" })).toThrow(/"micro", "tiny", "small", "paper"/);
  });
  it("rejects bad fields with the reason", () => {
    expect(() => resolveModelConfig({ kind: "yolo" })).toThrow(/"deal", "baseline"/);
    expect(() => resolveModelConfig({ heads: 3 })).toThrow(/heads \(3\) must divide dModel \(64\)/);
    expect(() => resolveModelConfig({ depths: [1] })).toThrow(/one entry per stage/);
    expect(() => resolveModelConfig({ inputSize: 100 })).toThrow(/multiple of the coarsest stride 16/);
    expect(() => resolveModelConfig({ minQueries: 150 })).toThrow(/minQueries \(150\) must be <= maxQueries \(100\)/);
    expect(() => resolveModelConfig({ bogus: 1 } as never)).toThrow(/unknown field "bogus"; valid fields are kind, preset/);
  });
  it("allocates queries from the count within bounds", () => {
    const cfg = resolveModelConfig({ preset: "tiny" });
    expect(queriesForCount(0, cfg)).toBe(cfg.minQueries);
    expect(queriesForCount(10, cfg)).toBe(Math.ceil(1.5 * 10) + 5);
    expect(queriesForCount(1000, cfg)).toBe(cfg.maxQueries);
    expect(queriesForCount(NaN, cfg)).toBe(cfg.maxQueries);
  });
});
