import type { Dataset } from "../data/dataset.js";
import type { ImageInfo } from "../data/dataset-types.js";
import { loadImageRgb } from "../data/images.js";
import type { DetectionList } from "../model/types.js";
import type { RgbImage } from "../structures/image.js";
import type { AblationData, AblationImage } from "./ablate.js";
import type { AnalysisImage } from "./types.js";

/** Ground truth of one image of a {@link Dataset} as xyxy px columns (crowd and ignore both ignored). */
function gtOf(ds: Dataset, imageId: number): Pick<AnalysisImage, "gtBoxesXyxy" | "gtCategoryIds" | "gtIgnore" | "gtIds" | "gtAreaPx2"> {
  const rows = ds.annotationsOfImage(imageId);
  const a = ds.annotations;
  const boxes = new Float64Array(rows.length * 4);
  rows.forEach((r, j) => {
    const x = a.bboxXywh[4 * r]!, y = a.bboxXywh[4 * r + 1]!, w = a.bboxXywh[4 * r + 2]!, h = a.bboxXywh[4 * r + 3]!;
    boxes.set([x, y, x + w, y + h], 4 * j);
  });
  return {
    gtBoxesXyxy: boxes,
    gtCategoryIds: Int32Array.from(rows, (r) => a.categoryIds[r]!),
    gtIgnore: Uint8Array.from(rows, (r) => (a.iscrowd[r] || a.ignore[r] ? 1 : 0)),
    gtIds: Int32Array.from(rows, (r) => a.ids[r]!),
    gtAreaPx2: Float64Array.from(rows, (r) => a.area[r]!),
  };
}

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
 * The images of a {@link Dataset} as ablation data: ground truth in xyxy px, categories flagged `heldOut`
 * as the held-out split and the others as seen, and pixels read on demand.
 *
 * @example
 * const data = ablationDataFromDataset(ds, { keepImage: (im) => im.split === "test" });
 */
export function ablationDataFromDataset(ds: Dataset, options: AblationDataOptions = {}): AblationData {
  const keep = options.keepImage ?? (() => true);
  const load = options.loadImage ?? ((im: ImageInfo) => loadImageRgb(ds.imagePath(im.id)));
  const images: AblationImage[] = ds.images.filter(keep).map((im) => ({
    imageId: im.id,
    domain: im.domain,
    width: im.width,
    height: im.height,
    loadImage: () => load(im),
    ...gtOf(ds, im.id),
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
export function analysisImagesFrom(ds: Dataset, detections: ReadonlyMap<number, DetectionList>, keepImage: (image: ImageInfo) => boolean = () => true): AnalysisImage[] {
  const none: DetectionList = { length: 0, boxesXyxy: new Float32Array(0), scores: new Float32Array(0), categoryIds: new Int32Array(0), clickIndex: new Int32Array(0) };
  return ds.images.filter(keepImage).map((im) => ({ imageId: im.id, domain: im.domain, ...gtOf(ds, im.id), detections: detections.get(im.id) ?? none }));
}
