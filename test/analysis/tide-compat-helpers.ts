import { expect } from "vitest";
import { analysisImagesFromCoco } from "../../src/analysis/tide-compat/coco.js";
import { runTide, type TideRun } from "../../src/analysis/tide.js";
import {
  TIDE_COMPAT_ERRORS, TIDE_COMPAT_SPECIAL, type TideCompatErrorName, type TideCompatInput, type TideCompatRun, type TideCompatSpecialName,
} from "../../src/analysis/tide-compat/types.js";
import { cocoLoadDt, cocoLoadGt } from "../../src/eval/index.js";

/** A ground-truth row: [imageId, categoryId, x, y, w, h, crowd?] (xywh px, as in a COCO file). */
export type GtRow = readonly [number, number, number, number, number, number, number?];
/** A detection row: [imageId, categoryId, x, y, w, h, score]. */
export type DtRow = readonly [number, number, number, number, number, number, number];

/** A TIDE input from rows; images in the given order, categories 1..5 listed. */
export function input(imageIds: number[], gt: readonly GtRow[], dt: readonly DtRow[]): TideCompatInput {
  return {
    imageIds,
    gt: gt.map((r) => ({ imageId: r[0], categoryId: r[1], bboxXywh: [r[2], r[3], r[4], r[5]], crowd: r[6] === 1 })),
    detections: dt.map((r) => ({ imageId: r[0], categoryId: r[1], bboxXywh: [r[2], r[3], r[4], r[5]], score: r[6] })),
  };
}

/** The same scene as COCO JSON (GT object, results array). */
export function cocoOf(imageIds: number[], gt: readonly GtRow[], dt: readonly DtRow[], categories = [1, 2, 3, 4, 5]) {
  return {
    gtJson: {
      images: imageIds.map((id) => ({ id, width: 200, height: 200, file_name: `${id}.png` })),
      annotations: gt.map((r, i) => ({ id: i + 1, image_id: r[0], category_id: r[1], bbox: [r[2], r[3], r[4], r[5]], area: r[4] * r[5], iscrowd: r[6] ?? 0 })),
      categories: categories.map((id) => ({ id, name: `c${id}` })),
    },
    dtJson: dt.map((r) => ({ image_id: r[0], category_id: r[1], bbox: [r[2], r[3], r[4], r[5]], score: r[6] })),
  };
}

/** dealkit's pycocotools-consistent decomposition of the same scene (AP values in [0, 1]). */
export function pycocoRun(imageIds: number[], gt: readonly GtRow[], dt: readonly DtRow[]): TideRun {
  const { gtJson, dtJson } = cocoOf(imageIds, gt, dt);
  const g = cocoLoadGt(gtJson);
  return runTide(analysisImagesFromCoco(g, cocoLoadDt(dtJson, g)));
}

export interface Expected {
  ap: number;
  dAP?: Partial<Record<TideCompatErrorName, number>>;
  special?: Partial<Record<TideCompatSpecialName, number>>;
  counts?: Partial<Record<TideCompatErrorName, number>>;
}

const TOL = 1e-9;

/** Checks every number of a run: the ones not named in `e` must be 0. */
export function expectRun(run: TideCompatRun, e: Expected): void {
  const near = (got: number, want: number, what: string) => {
    if (!(Math.abs(got - want) <= TOL)) throw new Error(`${what}: got ${got}, expected ${want}`);
  };
  near(run.ap, e.ap, "AP");
  for (const t of TIDE_COMPAT_ERRORS) near(run.dAP[t], e.dAP?.[t] ?? 0, `dAP ${t}`);
  for (const t of TIDE_COMPAT_SPECIAL) near(run.special[t], e.special?.[t] ?? 0, `special ${t}`);
  for (const t of TIDE_COMPAT_ERRORS) expect(run.counts[t], `count ${t}`).toBe(e.counts?.[t] ?? 0);
}

/** AP in percent from the sum of the 101 interpolated precisions, as a person adds them up. */
export const pct = (sumOfPrecisions: number): number => (sumOfPrecisions / 101) * 100;
