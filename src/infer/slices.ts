import type { Tile } from "../data/tiling.js";

/**
 * The slice that holds a point best: among the slices containing it, the one where it lies farthest from
 * the slice border (so the click's context is as complete as possible). -1 when none contains it.
 */
export function bestSliceFor(rects: readonly Tile[], x: number, y: number): number {
  let best = -1;
  let bestMargin = -Infinity;
  rects.forEach((r, i) => {
    const margin = Math.min(x - r.x, r.x + r.width - x, y - r.y, r.y + r.height - y);
    if (margin >= 0 && margin > bestMargin) {
      best = i;
      bestMargin = margin;
    }
  });
  return best;
}
