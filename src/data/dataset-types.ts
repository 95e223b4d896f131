import type { AnnotationColumns } from "./annotations.js";
import type { ValidationIssue } from "./issues.js";

/**
 * One image of a data set. `fileName` is relative to the data set's root folder. `domain` and `split` are the
 * TinySet-style extensions of COCO (see src/data/formats/coco.ts); `extra` keeps other COCO image fields.
 */
export interface ImageInfo {
  id: number;
  width: number;
  height: number;
  fileName: string;
  domain?: string;
  split?: string;
  extra?: Record<string, unknown>;
}

/** One category. `heldOut` marks categories kept out of training (unseen-category experiments). */
export interface CategoryInfo {
  id: number;
  name: string;
  supercategory?: string;
  heldOut?: boolean;
}

/** Everything a {@link Dataset} is made of. */
export interface DatasetParts {
  images: readonly ImageInfo[];
  categories: readonly CategoryInfo[];
  annotations: AnnotationColumns;
  /** The folder image `fileName`s are relative to. */
  root?: string;
  /** COCO `info`, kept as is. */
  info?: unknown;
  /** COCO `licenses`, kept as is. */
  licenses?: unknown[];
  /** Other top-level keys of a COCO file, kept as is. */
  extra?: Record<string, unknown>;
  /** Warnings collected while reading (and errors, when read in "collect" mode). */
  warnings?: readonly ValidationIssue[];
}
