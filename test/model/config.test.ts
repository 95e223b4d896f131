import { describe, expect, it } from "vitest";
import { checkModelMemory, estimateModelMemory, modelMemoryLimit, resolveModelConfig, MODEL_PRESETS } from "../../src/model/config.js";
import { inferenceQueryBudget, queriesForCount } from "../../src/model/query-allocation.js";

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
    expect(() => resolveModelConfig({ kind: "baseline", classPrior: true })).toThrow(/classPrior applies to DEAL only/);
    expect(() => resolveModelConfig({ classPrior: 1 } as never)).toThrow(/classPrior must be true or false; got 1/);
    expect(resolveModelConfig({}).classPrior).toBe(false); // checkpoints written before the field load as they were
    expect(() => resolveModelConfig({ kind: "baseline", pixelMatch: true })).toThrow(/pixelMatch applies to DEAL only/);
    expect(() => resolveModelConfig({ pixelMatch: "yes" } as never)).toThrow(/pixelMatch must be true or false; got "yes"/);
    expect(resolveModelConfig({}).pixelMatch).toBe(false);
  });
  it("allocates queries from the count within bounds", () => {
    const cfg = resolveModelConfig({ preset: "tiny" });
    expect(queriesForCount(0, cfg)).toBe(cfg.minQueries);
    expect(queriesForCount(10, cfg)).toBe(Math.ceil(1.5 * 10) + 8);
    expect(queriesForCount(1000, cfg)).toBe(cfg.maxQueries);
    expect(queriesForCount(NaN, cfg)).toBe(cfg.maxQueries);
    // At inference the same rule with its own scale and margin (3 and 16 in every preset).
    expect(queriesForCount(10, inferenceQueryBudget(cfg))).toBe(Math.ceil(3 * 10) + 16);
    expect(queriesForCount(1000, inferenceQueryBudget(cfg))).toBe(cfg.maxQueries);
    const old = resolveModelConfig({ countScale: 1.5, countMargin: 8 }); // a checkpoint saved before the inference fields
    expect([old.inferenceCountScale, old.inferenceCountMargin]).toEqual([3, 16]);
    expect(() => resolveModelConfig({ inferenceCountScale: 0 })).toThrow(/inferenceCountScale must be a number in \(0, 100\]; got 0/);
    expect(() => resolveModelConfig({ inferenceCountMargin: -1 })).toThrow(/inferenceCountMargin must be an integer in \[0, 2000\]; got -1/);
  });
  it("estimates memory and refuses settings that together would not fit, naming the fields and the estimate", () => {
    for (const p of MODEL_PRESETS) {
      const c = resolveModelConfig({ preset: p });
      expect(estimateModelMemory(c, { side: Math.max(c.inputSize, c.sliceSize) }).bytes).toBeLessThan(2 ** 30);
    }
    const tiny = resolveModelConfig({ preset: "tiny" });
    const small = estimateModelMemory(tiny, { side: 512 }).bytes;
    expect(estimateModelMemory(tiny, { side: 1024 }).bytes).toBeGreaterThan(3 * small);
    expect(estimateModelMemory(tiny, { side: 512, batch: 4, training: true }).bytes).toBeCloseTo(12 * small, -3);
    // Each field in range, together far too much: the context attention over a 4096 px slice with 2 stages.
    expect(() => resolveModelConfig({ preset: "micro", widths: [8, 16], depths: [0, 0], sliceSize: 4096, heads: 16 })).toThrow(
      /model config: these settings together need about [\d.]+ TiB of memory for one image of 4096 px, more than the .* allowed \(mostly the context attention over \d+ tokens, growing with sliceSize, widths \(coarsest stride\), heads, contextLayers/,
    );
    const many = resolveModelConfig({ preset: "micro", maxQueries: 2000 });
    expect(() => checkModelMemory(many, { side: 64, prompts: 500 }, "clicks")).toThrow(/clicks: .* with 500 prompts.*decoder attention over 1000000 queries, growing with prompts, maxQueries/);
    const before = process.env.DEALKIT_MAX_MEMORY_MB;
    try {
      process.env.DEALKIT_MAX_MEMORY_MB = "1";
      expect(modelMemoryLimit()).toBe(2 ** 20);
      expect(() => checkModelMemory(tiny, { side: 512 }, "x")).toThrow(/more than the 1\.0 MiB allowed/);
    } finally {
      if (before === undefined) delete process.env.DEALKIT_MAX_MEMORY_MB;
      else process.env.DEALKIT_MAX_MEMORY_MB = before;
    }
  });
});
