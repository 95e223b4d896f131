import type { Random } from "../util/random.js";
import { xywhToXyxy, type BboxXywh } from "../structures/bbox.js";
import type { Click } from "../structures/click.js";
import type { Detections } from "../structures/detections.js";
import { iouXyxy } from "../structures/iou.js";
import { centerClick, uniformClick } from "./samplers.js";

/** Options of PG-CPP. Defaults: cycles 2, scoreThreshold 0.3. */
export interface PgcppOptions {
  /** Extra clicks after the first random one. Default 2. */
  cycles?: number;
  /** Predictions below this score do not count as finding an object. Default 0.3. */
  scoreThreshold?: number;
}

/**
 * The hardest ground-truth object for the next click: the one whose best IoU with any prediction scoring at
 * least `scoreThreshold` is lowest (a missed object has 0; among equals the smaller object wins, then the
 * lower index). Objects in `exclude` (already clicked) are skipped; returns -1 when none is left.
 * `predBoxesXyxy` holds 4 numbers per prediction in the same pixel frame as the GT boxes.
 */
export function pickHardestInstance(gtBoxes: readonly BboxXywh[], predBoxesXyxy: ArrayLike<number>, predScores: ArrayLike<number>, exclude: ReadonlySet<number>, scoreThreshold = 0.3): number {
  let best = -1;
  let bestIou = Infinity;
  let bestArea = Infinity;
  gtBoxes.forEach((g, i) => {
    if (exclude.has(i)) return;
    const gXyxy = xywhToXyxy(g);
    let m = 0;
    for (let j = 0; j < predScores.length; j++) {
      if (predScores[j]! < scoreThreshold) continue;
      m = Math.max(m, iouXyxy(gXyxy, 0, predBoxesXyxy, j));
    }
    const area = g[2] * g[3];
    if (m < bestIou - 1e-9 || (Math.abs(m - bestIou) <= 1e-9 && area < bestArea)) {
      best = i;
      bestIou = m;
      bestArea = area;
    }
  });
  return best;
}

/**
 * PG-CPP's pick without a score threshold: among `candidates` (object indices), the one the model finds least,
 * i.e. with the lowest `found[i]` (e.g. the heatmap's peak probability around the object's centre); ties go to the
 * earlier candidate. Returns -1 when there are no candidates.
 *
 * @example
 * pickLeastFound([0.9, 0.2, 0.5], [0, 2]); // 2
 */
export function pickLeastFound(found: ArrayLike<number>, candidates: readonly number[]): number {
  let best = -1;
  let bestV = Infinity;
  for (const i of candidates) {
    if (found[i]! < bestV) {
      bestV = found[i]!;
      best = i;
    }
  }
  return best;
}

/**
 * PG-CPP (prediction-guided cyclic point prompting) against any detector-like function: the first click is
 * uniform inside a random object, then for `cycles` rounds predict with the clicks so far, pick the hardest
 * missed or worst-localised object ({@link pickHardestInstance}) and click its centre. Returns the clicks
 * (all with `categoryId`) and the last prediction.
 *
 * @example
 * const { clicks } = await pgcppPrompt((c) => model.detect(img, c), boxes, 3, new Random(0), { cycles: 2 });
 */
export async function pgcppPrompt(predict: (clicks: Click[]) => Promise<Detections>, gtBoxes: readonly BboxXywh[], categoryId: number, rng: Random, options: PgcppOptions = {}): Promise<{ clicks: Click[]; detections: Detections | null }> {
  if (gtBoxes.length === 0) return { clicks: [], detections: null };
  const cycles = options.cycles ?? 2;
  const first = rng.int(gtBoxes.length);
  const clicked = new Set<number>([first]);
  const clicks: Click[] = [{ ...uniformClick(gtBoxes[first]!, rng), categoryId }];
  let detections: Detections | null = null;
  for (let c = 0; c < cycles && clicked.size < gtBoxes.length; c++) {
    detections = await predict(clicks.slice());
    const next = pickHardestInstance(gtBoxes, detections.boxesXyxy, detections.scores, clicked, options.scoreThreshold ?? 0.3);
    if (next < 0) break;
    clicked.add(next);
    clicks.push({ ...centerClick(gtBoxes[next]!), categoryId });
  }
  return { clicks, detections };
}
