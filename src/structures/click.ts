import { DealkitInputError } from "../util/errors.js";

/**
 * A point prompt: a click at pixel (x, y) of the image (x to the right, y down; continuous coordinates,
 * so the centre of pixel (0, 0) is (0.5, 0.5)). `categoryId` is optional: when given, detections found
 * from this click carry it; without it they carry -1 (class-agnostic use).
 *
 * @example
 * const click: Click = { x: 120.5, y: 64, categoryId: 3 };
 */
export interface Click {
  x: number;
  y: number;
  categoryId?: number;
}

/**
 * Checks clicks against a width x height image and returns them as given: coordinates must be finite and
 * inside [0, width] x [0, height], and a `categoryId`, when given, an integer. Otherwise throws a
 * DealkitInputError naming the click (`click #i`), its coordinates and the valid range. Detectors call it
 * in `detect`/`embedClicks`; the sliced and interactive front ends call it on the whole image.
 *
 * @example
 * checkClicks([{ x: 600, y: 10 }], 512, 512); // throws: click #0: click at (600, 10) is outside the 512x512 image ...
 */
export function checkClicks(clicks: readonly Click[], width: number, height: number): readonly Click[] {
  clicks.forEach((c, i) => {
    const where = { record: `click #${i}` };
    if (!Number.isFinite(c.x) || !Number.isFinite(c.y)) {
      throw new DealkitInputError(`coordinates must be finite numbers, got (${c.x}, ${c.y})`, where);
    }
    if (c.x < 0 || c.y < 0 || c.x > width || c.y > height) {
      throw new DealkitInputError(`click at (${c.x}, ${c.y}) is outside the ${width}x${height} image (x in [0, ${width}], y in [0, ${height}])`, where);
    }
    if (c.categoryId !== undefined && !Number.isInteger(c.categoryId)) {
      throw new DealkitInputError(`categoryId must be an integer, got ${c.categoryId}`, { ...where, field: "categoryId" });
    }
  });
  return clicks;
}

/** Clicks that form one prompt: all clicks sharing a categoryId, or a single click without one. */
export interface PromptGroup {
  /** The prompt's category, -1 for an unlabelled click. */
  categoryId: number;
  /** Indices (into the caller's clicks or embeddings) of the group's clicks, ascending. */
  members: number[];
}

/**
 * Groups clicks (or anything with an optional categoryId, such as click embeddings) into prompts: clicks with
 * the same non-negative `categoryId` form one prompt (a detector averages their embeddings, so k clicks of a
 * category ask one question), and a click without one (or with a negative one) is a prompt of its own with
 * category -1. Groups come in the order of their first click.
 *
 * @example
 * groupPrompts([{ categoryId: 2 }, {}, { categoryId: 2 }]);
 * // [{ categoryId: 2, members: [0, 2] }, { categoryId: -1, members: [1] }]
 */
export function groupPrompts(items: readonly { categoryId?: number }[]): PromptGroup[] {
  const groups: PromptGroup[] = [];
  const byCat = new Map<number, PromptGroup>();
  items.forEach((it, i) => {
    const cat = it.categoryId;
    if (cat === undefined || cat === null || cat < 0) {
      groups.push({ categoryId: -1, members: [i] });
      return;
    }
    let g = byCat.get(cat);
    if (!g) {
      g = { categoryId: cat, members: [] };
      byCat.set(cat, g);
      groups.push(g);
    }
    g.members.push(i);
  });
  return groups;
}
