import { DealkitConfigError } from "../util/errors.js";
import type { Random } from "../util/random.js";
import type { Click } from "../model/types.js";
import { clickSampler, type BboxXywh, type ClickSampler, type ClickSamplerName } from "./samplers.js";

/** A ground-truth object the prompt builders click on. */
export interface GtInstance {
  bboxXywh: BboxXywh;
  categoryId: number;
}

/**
 * How many clicks per category: "per-category" (one), "per-instance" (every object), or
 * `{ perCategory: k }` (k distinct objects, or all when fewer).
 */
export type PromptSetting = "per-category" | "per-instance" | { perCategory: number };

/** Parses "per-category", "per-instance" or "k" (an integer) into a {@link PromptSetting}. */
export function parsePromptSetting(text: string): PromptSetting {
  if (text === "per-category" || text === "per-instance") return text;
  const k = Number(text);
  if (Number.isInteger(k) && k >= 1) return { perCategory: k };
  throw new DealkitConfigError(`prompt setting must be "per-category", "per-instance" or a positive integer k; got "${text}"`);
}

/**
 * Clicks for one image: for each category present, `setting` picks which objects get a click (random
 * distinct objects, from `rng`) and `sampler` (default "center") where on the object. Clicks carry their
 * category and come grouped by category (ascending id), objects in the order picked.
 *
 * @example
 * const clicks = samplePromptSet(instances, "per-category", new Random(0), "gaussian");
 */
export function samplePromptSet(instances: readonly GtInstance[], setting: PromptSetting, rng: Random, sampler: ClickSamplerName | ClickSampler = "center"): Click[] {
  const sample = typeof sampler === "function" ? sampler : clickSampler(sampler);
  const byCat = new Map<number, GtInstance[]>();
  for (const inst of instances) byCat.set(inst.categoryId, [...(byCat.get(inst.categoryId) ?? []), inst]);
  const clicks: Click[] = [];
  for (const cat of [...byCat.keys()].sort((a, b) => a - b)) {
    const list = byCat.get(cat)!;
    const k = setting === "per-category" ? 1 : setting === "per-instance" ? list.length : Math.min(setting.perCategory, list.length);
    const chosen = setting === "per-instance" ? list : rng.shuffled(list).slice(0, k);
    for (const inst of chosen) clicks.push({ ...sample(inst.bboxXywh, rng), categoryId: cat });
  }
  return clicks;
}
