/**
 * Inputs and outputs of dealkit's tidecv 1.0.1 compatibility mode (see README.md beside this file for every
 * quirk reproduced). The names are TIDE's own (Cls, Loc, Both, Dupe, Bkg, Miss; FalsePos, FalseNeg), and every
 * AP value is in percent, as TIDE prints them.
 */

/** TIDE's six main error types, in TIDE's order (`TIDE._error_types`). */
export const TIDE_COMPAT_ERRORS = ["Cls", "Loc", "Both", "Dupe", "Bkg", "Miss"] as const;

/** A TIDE main error type, by TIDE's short name. */
export type TideCompatErrorName = (typeof TIDE_COMPAT_ERRORS)[number];

/** TIDE's two special error types (`TIDE._special_error_types`). */
export const TIDE_COMPAT_SPECIAL = ["FalsePos", "FalseNeg"] as const;

/** A TIDE special error type, by TIDE's short name. */
export type TideCompatSpecialName = (typeof TIDE_COMPAT_SPECIAL)[number];

/** One ground-truth annotation, as TIDE's COCO loader reads it. `crowd` makes it an ignore region. */
export interface TideCompatGt {
  imageId: number;
  categoryId: number;
  /** `[x, y, w, h]` in px, as in the COCO file. */
  bboxXywh: readonly [number, number, number, number];
  /** COCO `iscrowd`: an ignore region of its category, not a positive. Default false. */
  crowd?: boolean;
}

/** One detection of a COCO results file. */
export interface TideCompatDetection {
  imageId: number;
  categoryId: number;
  /** `[x, y, w, h]` in px. */
  bboxXywh: readonly [number, number, number, number];
  score: number;
}

/**
 * Everything one TIDE run reads. Order matters, as it does in TIDE: images are visited in `imageIds` order
 * (the GT file's `images` order) and annotations and detections keep their file order (it breaks ties).
 */
export interface TideCompatInput {
  /** The images to evaluate, in the GT file's order; every annotation and detection must name one. */
  imageIds: readonly number[];
  gt: readonly TideCompatGt[];
  detections: readonly TideCompatDetection[];
}

/** Options of {@link runTideCompat}; the defaults are TIDE's (`TIDE()` and the COCO loader's `max_dets`). */
export interface TideCompatOptions {
  /** IoU at which a detection matches a ground truth (`pos_threshold`). Default 0.5. */
  foregroundIou?: number;
  /** IoU at or below which a detection is background (`background_threshold`). Default 0.1. */
  backgroundIou?: number;
  /** Detections kept per image over all categories, best first (`Data.max_dets`). Default 100. */
  maxDetections?: number;
}

/** The numbers `tide.summarize()` prints for one run, in percent, plus the error counts. */
export interface TideCompatRun {
  /** mAP at the foreground IoU (TIDE's "bbox AP @ 50"), in percent; NaN where TIDE divides by zero. */
  ap: number;
  /** Main errors: mAP after fixing only that type, minus `ap`, floored at 0 (percent). */
  dAP: Record<TideCompatErrorName, number>;
  /** Special errors: perfect precision / perfect recall oracles minus `ap`, not floored (percent). */
  special: Record<TideCompatSpecialName, number>;
  /** Number of errors of each type (`run.count_errors()`). */
  counts: Record<TideCompatErrorName, number>;
  /** Non-crowd ground truth evaluated. */
  numGt: number;
  /** Detections evaluated (after the per-image cap), ignored ones included. */
  numDetections: number;
}
