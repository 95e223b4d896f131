import type { RgbImage } from "../structures/image.js";

/**
 * A point prompt: a click at pixel (x, y) of the image (x to the right, y down; continuous coordinates,
 * so the centre of pixel (0, 0) is (0.5, 0.5)). `categoryId` is optional: when given, detections found
 * from this click carry it; without it they carry -1 (class-agnostic use).
 */
export interface Click {
  x: number;
  y: number;
  categoryId?: number;
}

/** Options of a detect call. Defaults: scoreThreshold 0.05, maxDetections 300, nmsIou 0.7. */
export interface DetectOptions {
  /** Drop detections scoring below this. Default 0.05. */
  scoreThreshold?: number;
  /**
   * Keep at most this many detections per prompt (per category group of clicks; for the baseline, per
   * image), highest scores first. Default 300.
   */
  maxDetections?: number;
  /** Greedy NMS IoU within a prompt's detections; 1 switches it off. Default 0.7. */
  nmsIou?: number;
}

/**
 * Detections, columnar. Boxes are xyxy in image pixels. `clickIndex[i]` is the index of the click that
 * produced detection i (-1 for a detector that takes no clicks, such as the supervised baseline).
 */
export interface DetectionList {
  length: number;
  boxesXyxy: Float32Array;
  scores: Float32Array;
  categoryIds: Int32Array;
  clickIndex: Int32Array;
}

/** What a click turns into inside the model; computed once and reusable on other crops of the same image. */
export interface PromptEmbedding {
  clickIndex: number;
  categoryId: number;
  vector: Float32Array;
}

/**
 * The inference contract shared by DEAL and the baseline, used by prompting, sliced inference, the click UI
 * and the analysis tools.
 */
export interface PromptableDetector {
  readonly kind: "deal" | "baseline";
  /** The side length (px) of the square input the network runs at; larger images are resized or sliced. */
  readonly inputSize: number;
  /**
   * Detects every instance of each clicked category. Clicks sharing a `categoryId` form one prompt (their
   * embeddings are averaged: one point per category up to one point per instance); a click without one is a
   * prompt of its own (detections carry -1). A detection's `clickIndex` is the first click of its prompt.
   * Clicks must lie on the image (0 <= x <= width, 0 <= y <= height, finite), else DealkitInputError naming
   * `click <i>` and its coordinates. The baseline ignores clicks.
   */
  detect(image: RgbImage, clicks: readonly Click[], options?: DetectOptions): Promise<DetectionList>;
  /** Click embeddings computed on `image` (DEAL only; the baseline returns []). */
  embedClicks(image: RgbImage, clicks: readonly Click[]): Promise<PromptEmbedding[]>;
  /** Detection on `image` with embeddings computed elsewhere (e.g. on the slice that holds the click). */
  detectWithEmbeddings(image: RgbImage, embeddings: readonly PromptEmbedding[], options?: DetectOptions): Promise<DetectionList>;
  dispose(): void;
}
