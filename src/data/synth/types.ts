import type { Random } from "../../util/random.js";
import type { Raster, Rgb } from "./raster.js";

/** The six TinySet-9M domains, in the order used for ids, tables and charts. */
export const SYNTH_DOMAINS = [
  "remote-sensing",
  "uav",
  "daily-life",
  "autonomous-driving",
  "microscopy",
  "agriculture",
] as const;

/** One of {@link SYNTH_DOMAINS}. */
export type DomainName = (typeof SYNTH_DOMAINS)[number];

/** Axis-aligned extent in pixels: [x0, y0, x1, y1]. */
export type BoundsXyxy = [number, number, number, number];

/** Where and how large one object is drawn. */
export interface Placement {
  /** Centre, px. */
  x: number;
  y: number;
  /** Heading in radians (0 = along +x); upright categories ignore it. */
  angle: number;
  /** The object's nominal long side, px. */
  size: number;
}

/** What a category's drawer may use besides the placement. */
export interface DrawContext {
  /** Pulls a colour toward the local background by the object's contrast (1 = full colour). */
  tone(c: Rgb): Rgb;
  /** The background colour at the object's centre. */
  bg: Rgb;
  /** True in the held-out "shifted" data set (alternative palettes). */
  shifted: boolean;
}

/** How members of a dense group are arranged. */
export type ClusterPattern = "grid" | "line" | "blob" | "none";

/** A category of small object: its look (drawer), size range and where it appears. */
export interface CategorySpec {
  /** Unique name across all domains (kebab-case). */
  name: string;
  /** Held-out categories appear only in the heldout-categories split. */
  heldOut: boolean;
  /** The category it is easily confused with (a fine-grained pair), if any. */
  lookalike?: string;
  /** One line on how it looks, for docs and notebooks. */
  description: string;
  /** Range of the nominal long side at scale 1, px; sampled log-uniformly. */
  sizePx: [number, number];
  /** Region labels of the layout where it may be placed (undefined: anywhere). */
  regions?: number[];
  /** How dense groups of it look. */
  cluster: ClusterPattern;
  /** Relative frequency within its domain. */
  weight: number;
  /** Radius of the object's footprint as a fraction of its size, for spacing (default 0.45). */
  footprint?: number;
  /** Grid/line spacing in sizes, [along the heading, across it] (default [1.3, 1.3]). */
  spacing?: [number, number];
  /** Draws the object and returns its exact extent (the annotation box before clipping). */
  draw(r: Raster, rng: Random, p: Placement, ctx: DrawContext): BoundsXyxy;
}

/** What a background painter tells the scene about the picture it painted. */
export interface SceneLayout {
  /** Region label per pixel (domain-specific meaning; 0 = generic ground). */
  labels: Uint8Array;
  /** A place for an object of this category, with its heading; null when the scene has none. */
  anchor?(cat: CategorySpec, rng: Random): { x: number; y: number; angle: number } | null;
  /** Size multiplier at a point (perspective); 1 when absent. */
  scaleAt?(x: number, y: number): number;
  /** Paints occluders (trees, foliage) after the objects and marks their coverage in `mask` (0-1). */
  occlude?(r: Raster, rng: Random, mask: Float32Array): void;
}

/** Image-level appearance ranges of a domain. */
export interface DomainEffects {
  /** Gaussian blur sigma range, px. */
  blur: [number, number];
  /** Sensor noise standard deviation range, 0-255 units. */
  noise: [number, number];
  /** Object contrast range (1 = full colour, lower = closer to the background). */
  contrast: [number, number];
}

/** What a background painter is told about the scene to come. */
export interface BackgroundContext {
  /** True in the held-out "shifted" data set (alternative palettes). */
  shifted: boolean;
  /** The categories that may be placed, so the painter can make room for them (e.g. water for ships). */
  categories: readonly CategorySpec[];
}

/** One TinySet-mini domain: its categories, background painter and appearance ranges. */
export interface DomainSpec {
  name: DomainName;
  /** A human title, e.g. "Remote sensing". */
  title: string;
  /** One line on the scenes, for docs and notebooks. */
  description: string;
  categories: CategorySpec[];
  effects: DomainEffects;
  background(r: Raster, rng: Random, ctx: BackgroundContext): SceneLayout;
}
