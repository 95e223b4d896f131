import { BaselineModel } from "./baseline.js";
import { resolveModelConfig, type ModelConfigInput } from "./config.js";
import { DealModel } from "./deal.js";

/** DEAL or its baseline. */
export type Detector = DealModel | BaselineModel;

/**
 * Builds the detector a config names (`kind`: "deal" (default) or "baseline").
 *
 * @example
 * const model = createDetector({ kind: "baseline", preset: "tiny", numClasses: 6 });
 */
export function createDetector(config: ModelConfigInput = {}, seed = 0): Detector {
  const cfg = resolveModelConfig(config);
  return cfg.kind === "deal" ? new DealModel(cfg, seed) : new BaselineModel(cfg, seed);
}
