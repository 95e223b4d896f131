import type { RgbImage } from "../../structures/image.js";
import { checkOneOf } from "../../util/errors.js";
import type { Random } from "../../util/random.js";
import { categoryIdOf, domainSpec } from "./catalog.js";
import { applyImageEffects } from "./effects.js";
import { Raster, mix } from "./raster.js";
import type { BoundsXyxy, CategorySpec, DomainName, Placement, SceneLayout } from "./types.js";

/** How crowded a scene is. `auto` draws one at random (sparse 30%, medium 40%, dense 30%). */
export type SceneDensity = "sparse" | "medium" | "dense";

/** Which categories a scene may contain. */
export type CategoryMode = "seen" | "heldout" | "all";

/** Options of {@link generateImage}. */
export interface GenerateImageOptions {
  /** Image width, px (default 256). */
  width?: number;
  /** Image height, px (default: the width). */
  height?: number;
  /** Crowding (default "auto"). Object counts scale with the image area. */
  density?: SceneDensity | "auto";
  /**
   * "seen" (default): no held-out categories; "heldout": held-out categories make up about half of the
   * objects (at least one); "all": every category at its natural frequency.
   */
  categories?: CategoryMode;
  /** Render with the held-out data set's shifted statistics (palettes, haze, colour cast, noise). */
  shifted?: boolean;
  /** Multiplies every object size (default 1). */
  objectScale?: number;
}

/** One generated object, boxes in pixels. */
export interface SynthAnnotation {
  /** Global category id (see {@link synthCategories}). */
  categoryId: number;
  category: string;
  /** [x, y, w, h], px, clipped to the image, rounded to 0.01. */
  bboxXywh: [number, number, number, number];
  /** w * h of the clipped box, px^2. */
  area: number;
  /** Fraction of the box covered by occluders (trees, foliage), 0-1. */
  occlusion: number;
  /** Fraction of the unclipped box outside the image, 0-1. */
  truncation: number;
  /** Too occluded to be fairly detected: kept as an ignore region (AI-TOD / TinyPerson `ignore`). */
  ignore: boolean;
}

/** A generated image with its annotations. */
export interface SynthImage {
  image: RgbImage;
  annotations: SynthAnnotation[];
  domain: DomainName;
  density: SceneDensity;
}

const COUNT_PER_64K: Record<SceneDensity, [number, number]> = { sparse: [3, 10], medium: [12, 35], dense: [40, 110] };
const CLUSTER_P: Record<SceneDensity, number> = { sparse: 0.15, medium: 0.5, dense: 0.8 };
const IGNORE_OCCLUSION = 0.6;
const MAX_TRUNCATION = 0.5;

interface Cluster {
  cat: CategorySpec;
  x: number;
  y: number;
  angle: number;
  size: number;
  left: number;
}

/**
 * Draws one scene of a domain: background, objects (sparse or in dense groups), occluders, then blur,
 * noise and contrast. Deterministic in `rng`; nothing touches the disk.
 *
 * @example
 * const { image, annotations } = generateImage("uav", new Random(1), { width: 256 });
 * const big = generateImage("remote-sensing", new Random(2), { width: 4000, density: "dense" }); // thousands
 */
export function generateImage(domain: DomainName, rng: Random, options: GenerateImageOptions = {}): SynthImage {
  const spec = domainSpec(domain);
  const width = Math.round(options.width ?? 256);
  const height = Math.round(options.height ?? width);
  if (!(width >= 16 && height >= 16)) throw new RangeError(`generateImage: image must be at least 16x16, got ${width}x${height}`);
  const mode = checkOneOf("categories", options.categories ?? "seen", ["seen", "heldout", "all"] as const);
  const densityOpt = checkOneOf("density", options.density ?? "auto", ["auto", "sparse", "medium", "dense"] as const);
  const shifted = options.shifted ?? false;
  const density: SceneDensity =
    densityOpt !== "auto" ? densityOpt : ((u) => (u < 0.3 ? "sparse" : u < 0.7 ? "medium" : "dense"))(rng.next());

  const r = new Raster(width, height);
  const cats = spec.categories.filter((c) => mode !== "seen" || !c.heldOut);
  const layout = spec.background(r, rng, { shifted, categories: cats });
  const weights = cats.map((c) => (mode === "heldout" && c.heldOut ? c.weight * heldOutBoost(spec.categories) : c.weight));
  const [lo, hi] = COUNT_PER_64K[density];
  const target = Math.max(1, Math.round(rng.uniform(lo, hi) * ((width * height) / 65536)));
  const imageScale = Math.exp(rng.uniform(Math.log(0.8), Math.log(1.6))) * (options.objectScale ?? 1) * (shifted ? 0.85 : 1);

  const placed = placeObjects(rng, layout, cats, weights, target, density, imageScale, width, height);
  if (mode === "heldout" && !placed.some((p) => p.cat.heldOut)) {
    const held = cats.filter((c) => c.heldOut);
    for (let t = 0; t < 50 && held.length; t++) {
      const extra = placeObjects(rng, layout, [rng.pick(held)], [1], 1, "sparse", imageScale, width, height);
      if (extra.length) {
        placed.push(...extra);
        break;
      }
    }
  }
  placed.sort((a, b) => a.p.y - b.p.y || a.p.x - b.p.x);

  const [c0, c1] = spec.effects.contrast;
  const drawn: { cat: CategorySpec; b: BoundsXyxy }[] = [];
  for (const { cat, p } of placed) {
    const bg = r.get(p.x, p.y);
    const k = rng.uniform(c0, c1);
    const b = cat.draw(r, rng, p, { bg, tone: (c) => mix(bg, c, k), shifted });
    drawn.push({ cat, b });
  }

  let mask: Float32Array | undefined;
  if (layout.occlude) {
    mask = new Float32Array(width * height);
    layout.occlude(r, rng, mask);
  }
  applyImageEffects(r, rng, spec.effects, shifted);

  const annotations: SynthAnnotation[] = [];
  for (const { cat, b } of drawn) {
    const [x0, y0, x1, y1] = b;
    const full = Math.max(1e-6, (x1 - x0) * (y1 - y0));
    const cx0 = Math.max(0, x0), cy0 = Math.max(0, y0), cx1 = Math.min(width, x1), cy1 = Math.min(height, y1);
    const w = cx1 - cx0, h = cy1 - cy0;
    if (w < 1 || h < 1) continue;
    const truncation = 1 - (w * h) / full;
    if (truncation > MAX_TRUNCATION) continue;
    const occlusion = mask ? meanOver(mask, width, cx0, cy0, cx1, cy1) : 0;
    const bx = round2(cx0), by = round2(cy0), bw = round2(cx1 - bx), bh = round2(cy1 - by);
    annotations.push({
      categoryId: categoryIdOf(cat.name),
      category: cat.name,
      bboxXywh: [bx, by, bw, bh],
      area: round2(bw * bh),
      occlusion: round2(occlusion),
      truncation: round2(truncation),
      ignore: occlusion > IGNORE_OCCLUSION,
    });
  }
  return { image: r.toRgbImage(), annotations, domain, density };
}

function heldOutBoost(all: readonly CategorySpec[]): number {
  const seen = all.filter((c) => !c.heldOut).reduce((s, c) => s + c.weight, 0);
  const held = all.filter((c) => c.heldOut).reduce((s, c) => s + c.weight, 0);
  return held > 0 ? seen / held : 1;
}

function placeObjects(
  rng: Random,
  layout: SceneLayout,
  cats: CategorySpec[],
  weights: number[],
  target: number,
  density: SceneDensity,
  imageScale: number,
  width: number,
  height: number,
): { cat: CategorySpec; p: Placement }[] {
  const out: { cat: CategorySpec; p: Placement }[] = [];
  const grid = new SpatialGrid(width, height, 24);
  const clusters: Cluster[] = [];
  const pCluster = CLUSTER_P[density];
  const totalW = weights.reduce((s, w) => s + w, 0);
  for (let attempt = 0; attempt < target * 12 && out.length < target; attempt++) {
    let cat: CategorySpec, x: number, y: number, angle: number, size: number;
    const open = clusters.filter((c) => c.left > 0);
    if (open.length && rng.bool(pCluster)) {
      const c = rng.pick(open);
      c.left--;
      cat = c.cat;
      [x, y] = memberOffset(rng, c);
      angle = c.angle + rng.normal(0, 0.06);
      size = c.size * rng.uniform(0.88, 1.12);
      if (cat.regions && !cat.regions.includes(labelAt(layout, width, height, x, y))) continue;
    } else {
      cat = pickWeighted(rng, cats, weights, totalW);
      const a = layout.anchor?.(cat, rng) ?? sampleRegion(rng, layout, cat, width, height);
      if (!a) continue;
      ({ x, y, angle } = a);
      const [lo, hi] = cat.sizePx;
      size = lo * Math.pow(hi / lo, rng.next()) * imageScale * (layout.scaleAt?.(x, y) ?? 1);
      if (cat.cluster !== "none" && rng.bool(pCluster)) {
        clusters.push({ cat, x, y, angle, size, left: rng.intBetween(3, density === "dense" ? 30 : 10) });
      }
    }
    size = Math.max(2, size);
    if (x < -size / 2 || y < -size / 2 || x > width + size / 2 || y > height + size / 2) continue;
    const rad = size * (cat.footprint ?? 0.45);
    if (grid.collides(x, y, rad)) continue;
    grid.add(x, y, rad);
    out.push({ cat, p: { x, y, angle, size } });
  }
  return out;
}

function memberOffset(rng: Random, c: Cluster): [number, number] {
  const [along, across] = c.cat.spacing ?? [1.3, 1.3];
  const co = Math.cos(c.angle), si = Math.sin(c.angle);
  let u = 0, v = 0;
  if (c.cat.cluster === "grid") {
    u = rng.intBetween(-3, 3) * along * c.size;
    v = rng.intBetween(-3, 3) * across * c.size;
  } else if (c.cat.cluster === "line") {
    u = rng.intBetween(-8, 8) * along * c.size * rng.uniform(1, 1.4);
    v = rng.normal(0, 0.08) * c.size;
  } else {
    u = rng.normal(0, 2.2) * c.size;
    v = rng.normal(0, 2.2) * c.size;
  }
  return [c.x + u * co - v * si, c.y + u * si + v * co];
}

function pickWeighted(rng: Random, cats: CategorySpec[], weights: number[], total: number): CategorySpec {
  let u = rng.next() * total;
  for (let i = 0; i < cats.length; i++) {
    u -= weights[i]!;
    if (u < 0) return cats[i]!;
  }
  return cats[cats.length - 1]!;
}

function labelAt(layout: SceneLayout, width: number, height: number, x: number, y: number): number {
  const xi = Math.min(width - 1, Math.max(0, Math.floor(x)));
  const yi = Math.min(height - 1, Math.max(0, Math.floor(y)));
  return layout.labels[yi * width + xi]!;
}

function sampleRegion(
  rng: Random,
  layout: SceneLayout,
  cat: CategorySpec,
  width: number,
  height: number,
): { x: number; y: number; angle: number } | null {
  for (let t = 0; t < 40; t++) {
    const x = rng.uniform(0, width), y = rng.uniform(0, height);
    if (!cat.regions || cat.regions.includes(labelAt(layout, width, height, x, y))) {
      return { x, y, angle: rng.uniform(0, 2 * Math.PI) };
    }
  }
  return null;
}

function meanOver(mask: Float32Array, width: number, x0: number, y0: number, x1: number, y1: number): number {
  let s = 0, n = 0;
  for (let y = Math.floor(y0); y < Math.ceil(y1); y++) {
    for (let x = Math.floor(x0); x < Math.ceil(x1); x++) {
      s += mask[y * width + x] ?? 0;
      n++;
    }
  }
  return n ? s / n : 0;
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** A uniform grid of discs for fast "does this new object overlap too much" checks. */
class SpatialGrid {
  private readonly cells = new Map<number, number[]>();
  private maxR = 0;
  private readonly gw: number;

  constructor(width: number, height: number, private readonly cell: number) {
    this.gw = Math.ceil(width / cell) + 4;
    void height;
  }

  private key(cx: number, cy: number): number {
    return (cy + 2) * this.gw + (cx + 2);
  }

  collides(x: number, y: number, r: number): boolean {
    const reach = Math.ceil((r + this.maxR) / this.cell);
    const cx = Math.floor(x / this.cell), cy = Math.floor(y / this.cell);
    for (let j = cy - reach; j <= cy + reach; j++) {
      for (let i = cx - reach; i <= cx + reach; i++) {
        const list = this.cells.get(this.key(i, j));
        if (!list) continue;
        for (let k = 0; k < list.length; k += 3) {
          const d = Math.hypot(list[k]! - x, list[k + 1]! - y);
          if (d < 0.8 * (r + list[k + 2]!)) return true;
        }
      }
    }
    return false;
  }

  add(x: number, y: number, r: number): void {
    const k = this.key(Math.floor(x / this.cell), Math.floor(y / this.cell));
    const list = this.cells.get(k);
    if (list) list.push(x, y, r);
    else this.cells.set(k, [x, y, r]);
    this.maxR = Math.max(this.maxR, r);
  }
}
