import { checkOneOf } from "../util/errors.js";
import type { Random } from "../util/random.js";
import type { BboxXywh } from "../structures/bbox.js";
import type { Click } from "../structures/click.js";

/** Names of the click samplers. */
export const CLICK_SAMPLERS = ["center", "uniform", "gaussian", "edge"] as const;
/** One of {@link CLICK_SAMPLERS}. */
export type ClickSamplerName = (typeof CLICK_SAMPLERS)[number];
/** Picks one click inside a box (pixel coordinates, continuous). */
export type ClickSampler = (bboxXywh: BboxXywh, rng: Random) => Click;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** The box centre (the rng is not used). */
export function centerClick(b: BboxXywh): Click {
  return { x: b[0] + b[2] / 2, y: b[1] + b[3] / 2 };
}

/** A point uniformly inside the box. */
export function uniformClick(b: BboxXywh, rng: Random): Click {
  return { x: b[0] + rng.next() * b[2], y: b[1] + rng.next() * b[3] };
}

/**
 * The centre jittered by a Gaussian with std `sigma` x the box side (default 0.2), clipped to the box.
 * @example gaussianClick([10, 10, 8, 6], rng, 0.25)
 */
export function gaussianClick(b: BboxXywh, rng: Random, sigma = 0.2): Click {
  return {
    x: clamp(b[0] + b[2] / 2 + rng.normal(0, sigma * b[2]), b[0], b[0] + b[2]),
    y: clamp(b[1] + b[3] / 2 + rng.normal(0, sigma * b[3]), b[1], b[1] + b[3]),
  };
}

/**
 * A point near the edge: on a random side, within the outer `band` fraction (default 0.15) of the box.
 */
export function edgeClick(b: BboxXywh, rng: Random, band = 0.15): Click {
  const side = rng.int(4);
  const along = rng.next();
  const depth = rng.next() * band;
  switch (side) {
    case 0: return { x: b[0] + along * b[2], y: b[1] + depth * b[3] };
    case 1: return { x: b[0] + along * b[2], y: b[1] + (1 - depth) * b[3] };
    case 2: return { x: b[0] + depth * b[2], y: b[1] + along * b[3] };
    default: return { x: b[0] + (1 - depth) * b[2], y: b[1] + along * b[3] };
  }
}

/**
 * The sampler called `name` (one of {@link CLICK_SAMPLERS}); an unknown name throws listing the valid ones.
 * @example const sample = clickSampler("gaussian"); const click = sample([4, 4, 10, 10], new Random(1));
 */
export function clickSampler(name: ClickSamplerName | string): ClickSampler {
  switch (checkOneOf("click sampler", name, CLICK_SAMPLERS)) {
    case "center": return (b) => centerClick(b);
    case "uniform": return uniformClick;
    case "gaussian": return (b, rng) => gaussianClick(b, rng);
    case "edge": return (b, rng) => edgeClick(b, rng);
  }
}
