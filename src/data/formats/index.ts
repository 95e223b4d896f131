import { checkOneOf } from "../../util/errors.js";
import type { Dataset } from "../dataset.js";
import type { BoxPolicy } from "../issues.js";
import { readCoco, type CocoFileOptions } from "./coco.js";
import { readDota } from "./dota.js";
import type { ImageSizes } from "./txt-common.js";
import { readVisDrone } from "./visdrone.js";
import { readYolo } from "./yolo.js";

/** The annotation formats dealkit reads. */
export type DatasetFormat = "coco" | "aitod" | "tinyperson" | "visdrone" | "yolo" | "dota";
/** The valid {@link DatasetFormat} values. */
export const DATASET_FORMATS: readonly DatasetFormat[] = ["coco", "aitod", "tinyperson", "visdrone", "yolo", "dota"];

/** Options of {@link readDataset}: the union of the readers' options that the CLI exposes. */
export interface ReadDatasetOptions {
  /** Images folder: COCO root, and where txt formats read image sizes. */
  images?: string;
  imageSizes?: ImageSizes;
  /** YOLO class list file. */
  classes?: string;
  /** Default "keep". */
  boxPolicy?: BoxPolicy;
  /** Default "throw". */
  errors?: "throw" | "collect";
  /** COCO: see {@link CocoFileOptions}. */
  streamThresholdBytes?: number;
}

/**
 * Reads a data set in any supported format: a COCO-style JSON file, or a labels folder for visdrone,
 * yolo and dota.
 *
 * @example
 * const ds = await readDataset("yolo", "data/labels", { images: "data/images" });
 */
export async function readDataset(format: string, input: string, options: ReadDatasetOptions = {}): Promise<Dataset> {
  const f = checkOneOf("format", format, DATASET_FORMATS);
  const common = { boxPolicy: options.boxPolicy, errors: options.errors, imagesDir: options.images, imageSizes: options.imageSizes };
  switch (f) {
    case "coco":
    case "aitod":
    case "tinyperson": {
      const o: CocoFileOptions = { root: options.images, boxPolicy: options.boxPolicy, errors: options.errors, variant: f, streamThresholdBytes: options.streamThresholdBytes };
      return readCoco(input, o);
    }
    case "visdrone":
      return readVisDrone(input, common);
    case "yolo":
      return readYolo(input, { ...common, classesFile: options.classes });
    case "dota":
      return readDota(input, common);
  }
}
