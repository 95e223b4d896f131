import type { BackendName } from "../../backend/init.js";
import type { ModelConfig } from "../../model/config.js";
import type { Click } from "../../structures/click.js";
import type { Detections } from "../../structures/detections.js";
import type { DetectOptions, PromptEmbedding } from "../../structures/detector.js";
import type { RgbImage } from "../../structures/image.js";

/** What an inference worker starts with: the detector's config and weights (creation order, float32). */
export interface DetectorWorkerInit {
  config: ModelConfig;
  backend: BackendName | "auto";
  weights: Float32Array;
}

/** Main -> worker: one detector call. */
export type DetectorWorkerRequest =
  | { type: "detect"; id: number; image: RgbImage; clicks: Click[]; options?: DetectOptions }
  | { type: "embed"; id: number; image: RgbImage; clicks: Click[] }
  | { type: "detectWithEmbeddings"; id: number; image: RgbImage; embeddings: PromptEmbedding[]; options?: DetectOptions }
  | { type: "detectWithEmbeddingsBatch"; id: number; images: RgbImage[]; embeddings: PromptEmbedding[]; options?: DetectOptions };

/** Worker -> main: a call's result (id -1: the worker is ready, or could not start). */
export type DetectorWorkerReply =
  | { id: number; ok: true; result: Detections | Detections[] | PromptEmbedding[] | null; ms: number }
  | { id: number; ok: false; name: string; message: string };
