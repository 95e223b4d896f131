import { centerClick, edgeClick, gaussianClick, uniformClick } from "../prompts/index.js";
import { xyxyToXywh } from "../structures/bbox.js";
import type { AblationClickSampler } from "./ablate.js";

/** Names the sampler below in ablation cache keys; bump when the prompts' samplers change behaviour. */
export const PROMPTS_SAMPLER_ID = "prompts-v1";

/**
 * The ablation's click sampler backed by src/prompts/: "center", "uniform", "gaussian" (std = `jitter` x the
 * box side, clipped to the box) and "edge" (the outer 15% band), on xyxy px boxes.
 *
 * @example
 * await runAblation({ ..., sampleClick: promptsClickSampler, samplerId: PROMPTS_SAMPLER_ID });
 */
export const promptsClickSampler: AblationClickSampler = (boxXyxy, position, jitter, rng) => {
  const b = xyxyToXywh(boxXyxy);
  switch (position) {
    case "center":
      return centerClick(b);
    case "uniform":
      return uniformClick(b, rng);
    case "gaussian":
      return gaussianClick(b, rng, jitter);
    case "edge":
      return edgeClick(b, rng);
  }
};
