import type { Click } from "./click.js";
import type { Detections } from "./detections.js";
import type { RgbImage } from "./image.js";
import type { MatchMetric } from "./iou.js";

/**
 * Options of a detection call: one set of names for a detector's own `detect`, for {@link detect} and for
 * `detectSliced` (src/infer). The detector applies the first three to each prompt's boxes; `detect` and
 * `detectSliced` then merge the boxes of one prompt group across clicks (and slices) and keep the best `topK`.
 * Defaults: {@link DETECT_DEFAULTS} (detectSliced merges by IoS at 0.5 by default, see its options).
 */
export interface DetectOptions {
  /** Drop detections scoring below this. Default 0.05. */
  scoreThreshold?: number;
  /**
   * At most this many detections per prompt (a category group of clicks; for the baseline, per image), highest
   * scores first. Default 300.
   */
  maxDetections?: number;
  /** Greedy NMS IoU within one prompt's boxes, inside the detector; 1 switches it off. Default 0.7. */
  nmsIou?: number;
  /** At most this many detections in the merged result, best first. Default Infinity (all). */
  topK?: number;
  /** How boxes are compared when merging across clicks: "iou" or "ios" (over the smaller box). Default "iou". */
  mergeMetric?: MatchMetric;
  /** Boxes of one prompt group matching at >= this are one object. Default 0.5. */
  mergeThreshold?: number;
}

/**
 * The defaults of {@link DetectOptions}, in one place.
 *
 * @example
 * const thr = options.scoreThreshold ?? DETECT_DEFAULTS.scoreThreshold;
 */
export const DETECT_DEFAULTS = Object.freeze({
  scoreThreshold: 0.05,
  maxDetections: 300,
  nmsIou: 0.7,
  topK: Infinity,
  mergeMetric: "iou" as MatchMetric,
  mergeThreshold: 0.5,
});

/** What a click turns into inside a detector; computed once and reusable on other crops of the same image. */
export interface PromptEmbedding {
  clickIndex: number;
  categoryId: number;
  vector: Float32Array;
}

/** The detectors dealkit ships: "deal" takes clicks, "baseline" detects its trained classes without any. */
export type DetectorKind = "deal" | "baseline";

/**
 * The inference contract every detector implements (DEAL, the baseline, test doubles), used by prediction,
 * prompting, sliced inference, the click UI and the analysis tools.
 *
 * @example
 * const dets = await model.detect(image, [{ x: 40, y: 52, categoryId: 3 }], { scoreThreshold: 0.3 });
 */
export interface PromptableDetector {
  readonly kind: DetectorKind;
  /**
   * The default tile side (px) of sliced inference. `detect()` runs any image whole at its native scale (padded to the
   * stride grid); callers that bound memory (the studio, `predict --slice`) tile images larger than about this side.
   */
  readonly inputSize: number;
  /**
   * Detects every instance of each clicked category. Clicks sharing a `categoryId` form one prompt
   * (`groupPrompts`: their embeddings are averaged, one point per category up to one point per instance); a
   * click without one is a prompt of its own (detections carry -1). A detection's `clickIndex` is the first
   * click of its prompt. Clicks are checked with `checkClicks` (outside the image: DealkitInputError naming
   * `click #i`). The baseline takes no clicks (pass []).
   */
  detect(image: RgbImage, clicks: readonly Click[], options?: DetectOptions): Promise<Detections>;
  /** Click embeddings computed on `image` (DEAL only; the baseline returns []). */
  embedClicks(image: RgbImage, clicks: readonly Click[]): Promise<PromptEmbedding[]>;
  /** Detection on `image` with embeddings computed elsewhere (e.g. on the slice that holds the click). */
  detectWithEmbeddings(image: RgbImage, embeddings: readonly PromptEmbedding[], options?: DetectOptions): Promise<Detections>;
  /**
   * Optional: detectWithEmbeddings on several images in one call (DEAL: equal-size images share one batched
   * encoding); result i is exactly detectWithEmbeddings(images[i])'s. Sliced inference batches its slices with it.
   */
  detectWithEmbeddingsBatch?(images: readonly RgbImage[], embeddings: readonly PromptEmbedding[], options?: DetectOptions): Promise<Detections[]>;
  /** Optional, with detectWithEmbeddingsBatch: the most width x height images one batched call should take (its memory bound). */
  maxBatch?(width: number, height: number): number;
  dispose(): void;
}
