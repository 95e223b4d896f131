import { DealkitConfigError } from "../util/errors.js";
import type { Random } from "../util/random.js";
import type { Click } from "../structures/click.js";
import { gtBoxXywh, gtTargets, type GroundTruth } from "../structures/ground-truth.js";
import { clickSampler, type ClickSampler, type ClickSamplerName } from "./samplers.js";

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
 * Clicks for one image's ground truth: for each category present among the objects to detect (crowd and
 * ignore regions are never clicked), `setting` picks which objects get a click (random distinct objects,
 * from `rng`) and `sampler` (default "center") where on the object (its COCO box). Clicks carry their
 * category and come grouped by category (ascending id), objects in the order picked.
 *
 * @example
 * const clicks = samplePromptSet(ds.groundTruth(imageId), "per-category", new Random(0), "gaussian");
 */
export function samplePromptSet(gt: GroundTruth, setting: PromptSetting, rng: Random, sampler: ClickSamplerName | ClickSampler = "center"): Click[] {
  const sample = typeof sampler === "function" ? sampler : clickSampler(sampler);
  const byCat = new Map<number, number[]>();
  for (const g of gtTargets(gt)) {
    const cat = gt.gtCategoryIds[g]!;
    byCat.set(cat, [...(byCat.get(cat) ?? []), g]);
  }
  const clicks: Click[] = [];
  for (const cat of [...byCat.keys()].sort((a, b) => a - b)) {
    const list = byCat.get(cat)!;
    const k = setting === "per-category" ? 1 : setting === "per-instance" ? list.length : Math.min(setting.perCategory, list.length);
    const chosen = setting === "per-instance" ? list : rng.shuffled(list).slice(0, k);
    for (const g of chosen) clicks.push({ ...sample(gtBoxXywh(gt, g), rng), categoryId: cat });
  }
  return clicks;
}
