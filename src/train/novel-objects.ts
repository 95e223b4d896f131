import type { TrainObject } from "../model/loss/batch.js";
import type { Random } from "../util/random.js";

/**
 * Procedural "novel categories" for prompted training: on a training crop, a few instances of one or two object
 * kinds that exist in no data set (a random shape, aspect, colour, optional second-colour core, size and
 * heading) are painted with soft edges and sensor noise. Each kind gets a fresh negative category id, so it is
 * prompted like any other category while no fixed class can be memorised for it: the prompt mechanism must match
 * the clicked exemplar's appearance and shape. This is the class-agnostic counting recipe of training on many
 * categories (FSC-147's 89 training classes), made synthetic for a project whose data set has 18 seen classes.
 */

/** Shapes a novel kind can take. */
const SHAPES = ["ellipse", "box", "diamond", "ring", "cross"] as const;
type Shape = (typeof SHAPES)[number];

/** One novel object kind: how all its instances look. */
export interface NovelKind {
  shape: Shape;
  /** Long side in crop px (instances jitter around it). */
  size: number;
  /** Short side / long side, (0, 1]. */
  aspect: number;
  /** RGB 0-255. */
  colour: [number, number, number];
  /** A second colour for a central core (half the size), or null. */
  core: [number, number, number] | null;
  /** One heading for all instances, or null for a random heading each. */
  heading: number | null;
  /** Peak opacity, (0, 1]. */
  opacity: number;
  /** Edge softness, px. */
  softness: number;
}

/**
 * Painted novel objects: an RGB layer (0-255) and its coverage (0-1) over the crop, the new objects, and whether
 * the layer is a whole synthetic scene that covers the crop (its own objects are then no longer visible).
 */
export interface NovelLayer {
  colour: Float32Array;
  alpha: Float32Array;
  objects: TrainObject[];
  scene: boolean;
}

/** A painted instance: its crop-px box (what the object list gets). */
export interface NovelInstance {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

function randomColour(rng: Random): [number, number, number] {
  return [rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255)];
}

/** A random kind; with `like`, a look-alike (same shape and size, another colour; or same colour, another shape). */
export function randomKind(rng: Random, like?: NovelKind): NovelKind {
  if (like) {
    if (rng.bool(0.5)) return { ...like, colour: randomColour(rng), core: like.core ? randomColour(rng) : null };
    const others = SHAPES.filter((s) => s !== like.shape);
    return { ...like, shape: others[rng.int(others.length)]! };
  }
  return {
    shape: SHAPES[rng.int(SHAPES.length)]!,
    size: Math.exp(rng.uniform(Math.log(3), Math.log(28))),
    aspect: rng.bool(0.4) ? 1 : rng.uniform(0.35, 1),
    colour: randomColour(rng),
    core: rng.bool(0.3) ? randomColour(rng) : null,
    heading: rng.bool(0.5) ? rng.uniform(0, Math.PI) : null,
    opacity: rng.uniform(0.6, 1),
    softness: rng.uniform(0.4, 1.5),
  };
}

/** Signed distance (px, negative inside) of a point in the object's frame (u along the long side) to its outline. */
function distance(shape: Shape, u: number, v: number, a: number, b: number): number {
  const au = Math.abs(u), av = Math.abs(v);
  switch (shape) {
    case "ellipse": return (Math.hypot(u / a, v / b) - 1) * Math.min(a, b);
    case "box": return Math.max(au - a, av - b);
    case "diamond": return (au / a + av / b - 1) * Math.min(a, b) * 0.7;
    case "ring": return Math.abs(Math.hypot(u / a, v / b) - 0.7) * Math.min(a, b) - 0.3 * Math.min(a, b);
    case "cross": return Math.min(Math.max(au - a, av - b * 0.35), Math.max(au - b * 0.35, av - a));
  }
}

/**
 * Paints `count` instances of `kind` into the RGB layer (`colour`, 0-255) and its coverage (`alpha`, 0-1) of a
 * `size` x `size` crop, avoiding `taken` boxes (grown as instances are placed); returns the placed instances'
 * boxes. Positions are uniform or, a third of the time, clustered around one point.
 */
export function paintKind(kind: NovelKind, count: number, size: number, colour: Float32Array, alpha: Float32Array, taken: NovelInstance[], rng: Random): NovelInstance[] {
  const placed: NovelInstance[] = [];
  const cluster = rng.bool(1 / 3) ? { x: rng.uniform(0.2, 0.8) * size, y: rng.uniform(0.2, 0.8) * size } : null;
  for (let n = 0; n < count; n++) {
    for (let attempt = 0; attempt < 25; attempt++) {
      const s = kind.size * Math.exp(rng.normal() * 0.12);
      const a = s / 2, b = Math.max(0.75, (s * kind.aspect) / 2);
      const th = kind.heading ?? rng.uniform(0, Math.PI);
      const c = Math.cos(th), sn = Math.sin(th);
      const ex = Math.abs(a * c) + Math.abs(b * sn), ey = Math.abs(a * sn) + Math.abs(b * c);
      const x = cluster ? cluster.x + rng.normal() * 4 * s : rng.uniform(ex, size - ex);
      const y = cluster ? cluster.y + rng.normal() * 4 * s : rng.uniform(ey, size - ey);
      const box = { x1: x - ex, y1: y - ey, x2: x + ex, y2: y + ey };
      if (box.x1 < 0 || box.y1 < 0 || box.x2 > size || box.y2 > size) continue;
      // A 1 px gap between extents; soft edges of elongated kinds may still cover a neighbour's outermost 1-3 px.
      const gap = 1;
      if (taken.some((t) => box.x1 < t.x2 + gap && t.x1 < box.x2 + gap && box.y1 < t.y2 + gap && t.y1 < box.y2 + gap)) continue;
      const pad = kind.softness + 1;
      let bx1 = Infinity, by1 = Infinity, bx2 = -Infinity, by2 = -Infinity;
      for (let py = Math.max(0, Math.floor(box.y1 - pad)); py < Math.min(size, Math.ceil(box.y2 + pad)); py++) {
        for (let px = Math.max(0, Math.floor(box.x1 - pad)); px < Math.min(size, Math.ceil(box.x2 + pad)); px++) {
          const dx = px + 0.5 - x, dy = py + 0.5 - y;
          const u = dx * c + dy * sn, v = -dx * sn + dy * c;
          const inside = Math.min(1, Math.max(0, 0.5 - distance(kind.shape, u, v, a, b) / kind.softness));
          if (inside <= 0) continue;
          if (inside >= 0.5) [bx1, by1, bx2, by2] = [Math.min(bx1, px), Math.min(by1, py), Math.max(bx2, px + 1), Math.max(by2, py + 1)];
          const cover = inside * kind.opacity;
          const k = py * size + px;
          const inCore = kind.core !== null && distance(kind.shape, u, v, a * 0.5, b * 0.5) < 0;
          const rgb = inCore ? kind.core! : kind.colour;
          if (cover >= alpha[k]!) {
            alpha[k] = cover;
            for (let ch = 0; ch < 3; ch++) colour[3 * k + ch] = rgb[ch]!;
          }
        }
      }
      // The annotation box is the drawn extent: the pixels at least half inside the outline.
      if (bx2 > bx1) placed.push({ x1: bx1, y1: by1, x2: bx2, y2: by2 });
      taken.push(box);
      break;
    }
  }
  return placed;
}

/**
 * With probability `p`, paints one or two novel kinds (the second a look-alike of the first half the time), 2-10
 * instances each, into a crop; returns the colour layer, its coverage and the new objects (fresh negative
 * category ids from `nextId` down). Null when nothing was painted. Draws nothing from `rng` when `p` is 0. With
 * `scene` > 0, that share of the painted crops is a whole synthetic scene instead ({@link paintNovelScene}); at 0 no
 * extra number is drawn, so the crops are those of before.
 */
export function paintNovelObjects(p: number, size: number, existing: readonly TrainObject[], rng: Random, nextId = -1, scene = 0): NovelLayer | null {
  if (p <= 0 || !rng.bool(p)) return null;
  if (scene > 0 && rng.bool(scene)) return paintNovelScene(size, rng, nextId);
  const colour = new Float32Array(size * size * 3), alpha = new Float32Array(size * size);
  const taken: NovelInstance[] = existing.map((o) => ({ x1: o.x1, y1: o.y1, x2: o.x2, y2: o.y2 }));
  const objects: TrainObject[] = [];
  const first = randomKind(rng);
  const kinds = rng.bool(0.5) ? [first, rng.bool(0.5) ? randomKind(rng, first) : randomKind(rng)] : [first];
  kinds.forEach((kind, i) => {
    for (const box of paintKind(kind, 2 + rng.int(9), size, colour, alpha, taken, rng)) objects.push({ ...box, categoryId: nextId - i, ignore: false });
  });
  addSensorNoise(colour, alpha, rng);
  return objects.length ? { colour, alpha, objects, scene: false } : null;
}

/** Sensor noise inside the painted layer, so painted objects are not the only noise-free pixels. */
function addSensorNoise(colour: Float32Array, alpha: Float32Array, rng: Random): void {
  const sigma = rng.uniform(1, 8);
  for (let k = 0; k < alpha.length; k++) if (alpha[k]! > 0) for (let ch = 0; ch < 3; ch++) colour[3 * k + ch] = Math.min(255, Math.max(0, colour[3 * k + ch]! + rng.normal() * sigma));
}

/**
 * A whole synthetic scene (domain randomisation): the crop is covered by a random background (a flat colour, dark a
 * third of the time, plus a smooth low-frequency texture), on which one to three novel kinds are painted with 2-40
 * instances each; a kind is a faint point source (a soft disc of 2-5 px at 30-100% opacity, like a star on the
 * sky) a quarter of the time. Nothing of the crop's own image stays visible, so its objects are dropped
 * (`scene: true`). Teaches the prompt to match the clicked exemplar on backgrounds and at densities no data set
 * category shows.
 */
function paintNovelScene(size: number, rng: Random, nextId: number): NovelLayer {
  const colour = new Float32Array(size * size * 3), alpha = new Float32Array(size * size).fill(1);
  const base = rng.bool(1 / 3) ? [0, 0, 0].map(() => rng.uniform(0, 40)) : [0, 0, 0].map(() => rng.uniform(0, 255));
  // Smooth texture: a coarse grid of random offsets, bilinearly interpolated.
  const g = 2 + rng.int(7), amp = rng.uniform(0, 50);
  const grid = Float32Array.from({ length: (g + 1) * (g + 1) * 3 }, () => rng.uniform(-amp, amp));
  for (let y = 0; y < size; y++) {
    const fy = (y / size) * g, iy = Math.min(g - 1, Math.floor(fy)), wy = fy - iy;
    for (let x = 0; x < size; x++) {
      const fx = (x / size) * g, ix = Math.min(g - 1, Math.floor(fx)), wx = fx - ix;
      const o00 = (iy * (g + 1) + ix) * 3, o10 = o00 + (g + 1) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const t = (grid[o00 + ch]! * (1 - wx) + grid[o00 + 3 + ch]! * wx) * (1 - wy) + (grid[o10 + ch]! * (1 - wx) + grid[o10 + 3 + ch]! * wx) * wy;
        colour[(y * size + x) * 3 + ch] = Math.min(255, Math.max(0, base[ch]! + t));
      }
    }
  }
  const kindAlpha = new Float32Array(size * size), kindColour = new Float32Array(size * size * 3);
  const taken: NovelInstance[] = [];
  const objects: TrainObject[] = [];
  const n = 1 + rng.int(3);
  let prev: NovelKind | null = null;
  for (let i = 0; i < n; i++) {
    let kind: NovelKind = prev && rng.bool(0.5) ? randomKind(rng, prev) : randomKind(rng);
    if (rng.bool(0.25)) kind = { ...kind, shape: "ellipse", size: rng.uniform(2, 5), aspect: 1, core: null, opacity: rng.uniform(0.3, 1), softness: rng.uniform(1, 2) };
    prev = kind;
    const count = Math.round(Math.exp(rng.uniform(Math.log(2), Math.log(40))));
    for (const box of paintKind(kind, count, size, kindColour, kindAlpha, taken, rng)) objects.push({ ...box, categoryId: nextId - i, ignore: false });
  }
  for (let k = 0; k < kindAlpha.length; k++) {
    const a = kindAlpha[k]!;
    if (a > 0) for (let ch = 0; ch < 3; ch++) colour[3 * k + ch] = colour[3 * k + ch]! * (1 - a) + kindColour[3 * k + ch]! * a;
  }
  addSensorNoise(colour, alpha, rng);
  return { colour, alpha, objects, scene: true };
}
