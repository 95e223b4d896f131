import type { Dataset } from "../data/dataset.js";
import type { ImageInfo } from "../data/dataset-types.js";
import { loadImageRgb } from "../data/images.js";
import { emptyDetections, type Detections } from "../structures/detections.js";
import type { RgbImage } from "../structures/image.js";
import type { AblationData, AblationImage } from "./ablate.js";
import type { AnalysisImage } from "./types.js";

/** Options of {@link ablationDataFromDataset}. */
export interface AblationDataOptions {
  /** Keep only images for which this is true (e.g. a split). Default: all. */
  keepImage?: (image: ImageInfo) => boolean;
  /** Reads an image's pixels. Default: decode `ds.imagePath(id)`. */
  loadImage?: (image: ImageInfo) => RgbImage | Promise<RgbImage>;
  /** Overrides the computed data fingerprint (e.g. the generator's seed and version). */
  fingerprint?: string;
}

/**
 * The images of a {@link Dataset} as ablation data: `ds.groundTruth` of each image, categories flagged `heldOut`
 * as the held-out split and the others as seen, and pixels read on demand.
 *
 * @example
 * const data = ablationDataFromDataset(ds, { keepImage: (im) => im.split === "test" });
 */
export function ablationDataFromDataset(ds: Dataset, options: AblationDataOptions = {}): AblationData {
  const keep = options.keepImage ?? (() => true);
  const load = options.loadImage ?? ((im: ImageInfo) => loadImageRgb(ds.imagePath(im.id)));
  const images: AblationImage[] = ds.images.filter(keep).map((im) => ({
    ...ds.groundTruth(im.id),
    width: im.width,
    height: im.height,
    loadImage: () => load(im),
  }));
  return {
    images,
    seenCategoryIds: ds.categories.filter((c) => !c.heldOut).map((c) => c.id),
    heldOutCategoryIds: ds.categories.filter((c) => c.heldOut).map((c) => c.id),
    fingerprint: options.fingerprint,
  };
}

/**
 * Analysis images (for {@link decomposeErrors}, {@link errorBreakdown}, {@link p2sodMetrics}) from a data set
 * and the detections a model returned per image id (images without an entry get no detections).
 *
 * @example
 * const images = analysisImagesFrom(ds, detectionsById);
 */
export function analysisImagesFrom(ds: Dataset, detections: ReadonlyMap<number, Detections>, keepImage: (image: ImageInfo) => boolean = () => true): AnalysisImage[] {
  return ds.images.filter(keepImage).map((im) => ({ ...ds.groundTruth(im.id), detections: detections.get(im.id) ?? emptyDetections() }));
}
