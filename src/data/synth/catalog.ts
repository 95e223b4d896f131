import { checkOneOf } from "../../util/errors.js";
import { agriculture } from "./domains/agriculture.js";
import { dailyLife } from "./domains/daily-life.js";
import { driving } from "./domains/driving.js";
import { microscopy } from "./domains/microscopy.js";
import { remoteSensing } from "./domains/remote-sensing.js";
import { uav } from "./domains/uav.js";
import { type DomainName, type DomainSpec, SYNTH_DOMAINS } from "./types.js";

const SPECS: Record<DomainName, DomainSpec> = {
  "remote-sensing": remoteSensing,
  uav,
  "daily-life": dailyLife,
  "autonomous-driving": driving,
  microscopy,
  agriculture,
};

/** A TinySet-mini category as written to COCO JSON. */
export interface SynthCategory {
  /** 1-based, stable: domains in {@link SYNTH_DOMAINS} order, categories in their domain's order. */
  id: number;
  name: string;
  /** The domain name (COCO's supercategory). */
  supercategory: DomainName;
  domain: DomainName;
  /** Only in the heldout-categories split, never in train/val/test. */
  heldOut: boolean;
  /** The name of its look-alike category (a fine-grained pair), if any. */
  lookalike?: string;
  /** How it looks. */
  description: string;
}

const CATEGORIES: SynthCategory[] = (() => {
  const out: SynthCategory[] = [];
  for (const d of SYNTH_DOMAINS) {
    for (const c of SPECS[d].categories) {
      const cat: SynthCategory = { id: out.length + 1, name: c.name, supercategory: d, domain: d, heldOut: c.heldOut, description: c.description };
      if (c.lookalike) cat.lookalike = c.lookalike;
      out.push(cat);
    }
  }
  return out;
})();
const ID_BY_NAME = new Map(CATEGORIES.map((c) => [c.name, c.id]));

/**
 * The specification of one domain (categories, background painter, appearance ranges).
 *
 * @example
 * domainSpec("microscopy").categories.map((c) => c.name); // ["parasite", "lymphocyte", ...]
 */
export function domainSpec(domain: string): DomainSpec {
  return SPECS[checkOneOf("domain", domain, SYNTH_DOMAINS)];
}

/**
 * All 24 TinySet-mini categories (4 per domain, one held out per domain), as COCO category records.
 * Returns fresh copies; ids are stable across generator versions unless the version says otherwise.
 *
 * @example
 * synthCategories().filter((c) => c.heldOut).map((c) => c.name); // ["ship", "bus", "kite", ...]
 */
export function synthCategories(): SynthCategory[] {
  return CATEGORIES.map((c) => ({ ...c }));
}

/** The global id of a TinySet-mini category name; throws a config error listing valid names if unknown. */
export function categoryIdOf(name: string): number {
  const id = ID_BY_NAME.get(name);
  if (id === undefined) checkOneOf("category", name, CATEGORIES.map((c) => c.name));
  return id!;
}
