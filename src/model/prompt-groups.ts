import { DealkitInputError } from "../util/errors.js";
import type { Click, PromptEmbedding } from "./types.js";

/** Clicks that form one prompt: all clicks sharing a categoryId, or a single click without one. */
export interface PromptGroup {
  categoryId: number;
  /** Indices (into the caller's clicks / embeddings) of the group's clicks, ascending. */
  members: number[];
}

/**
 * Groups clicks (or embeddings) into prompts: clicks with the same `categoryId` form one prompt (their
 * embeddings are averaged, so k clicks of a category give one query set), a click without a categoryId is a
 * prompt of its own with category -1. Groups come in order of their first click.
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

/**
 * Checks clicks against an image: coordinates must be finite and inside [0, width] x [0, height].
 * Throws DealkitInputError naming the click index and its coordinates.
 */
export function validateClicks(clicks: readonly Click[], width: number, height: number): void {
  clicks.forEach((c, i) => {
    const ok = Number.isFinite(c.x) && Number.isFinite(c.y) && c.x >= 0 && c.y >= 0 && c.x <= width && c.y <= height;
    if (!ok) {
      throw new DealkitInputError(`click at (${c.x}, ${c.y}) is outside the ${width}x${height} image (valid: 0 <= x <= ${width}, 0 <= y <= ${height})`, {
        record: `click ${i}`,
      });
    }
    if (c.categoryId !== undefined && !Number.isInteger(c.categoryId)) {
      throw new DealkitInputError(`categoryId must be an integer; got ${c.categoryId}`, { record: `click ${i}`, field: "categoryId" });
    }
  });
}

/** Checks embeddings: all vectors must have the model's width. */
export function validateEmbeddings(embeddings: readonly PromptEmbedding[], dim: number): void {
  embeddings.forEach((e, i) => {
    if (!e.vector || e.vector.length !== dim) {
      throw new DealkitInputError(`embedding vector has length ${e.vector?.length}; this model needs ${dim}`, { record: `embedding ${i}`, field: "vector" });
    }
  });
}
