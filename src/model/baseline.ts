import { tf } from "../backend/tf.js";
import { checkClicks, type Click } from "../structures/click.js";
import type { Detections } from "../structures/detections.js";
import type { DetectOptions, PromptEmbedding } from "../structures/detector.js";
import type { RgbImage } from "../structures/image.js";
import type { Random } from "../util/random.js";
import { resolveModelConfig, type ModelConfig, type ModelConfigInput } from "./config.js";
import { decodeQueries, disposeEncoded, groupCandidates } from "./inference.js";
import { baselineLoss } from "./loss/baseline-loss.js";
import type { TrainBatch } from "./loss/batch.js";
import type { LossWeights } from "./loss/losses.js";
import type { TrainableDetector, TrainingLoss, TrainingSettings } from "./loss/training.js";
import { DetectorNetwork } from "./network.js";
import { imageToPaddedInput, tidyObject } from "./ops.js";
import { strongestClassHeat } from "./query-allocation.js";
import type { ParamStore } from "./params.js";
import { candidatesToDetections } from "./postprocess.js";

/**
 * The fully supervised baseline: DEAL's network (same backbone, HFE, stride-2 localisation heads, query allocation
 * and decoder) with one heatmap channel per trained class instead of the prompt path. Each stride-2 cell belongs
 * to its strongest class (so one object is one candidate, as DEAL's decoder sees one candidate per prompt);
 * clicks are ignored.
 */
export class BaselineModel implements TrainableDetector {
  readonly kind = "baseline" as const;
  readonly promptedTraining = false;
  /** Images up to this side run whole at native scale; detectSliced tiles larger ones (config.sliceSize). */
  readonly inputSize: number;
  readonly config: ModelConfig;
  readonly net: DetectorNetwork;

  constructor(config: ModelConfig, seed = 0) {
    this.config = config;
    this.inputSize = config.sliceSize;
    this.net = new DetectorNetwork(config, seed);
  }

  get params(): ParamStore {
    return this.net.params;
  }

  prepareBatch(_batch: TrainBatch, _rng: Random, _settings: TrainingSettings): void {}

  trainingLoss(batch: TrainBatch, weights: LossWeights): TrainingLoss {
    return baselineLoss(this.net, batch, weights);
  }

  async detect(image: RgbImage, clicks: readonly Click[] = [], options: DetectOptions = {}): Promise<Detections> {
    checkClicks(clicks, image.width, image.height);
    const input = imageToPaddedInput(image, this.net.padMultiple);
    const e = tidyObject(() => this.net.encode(input, true));
    try {
      const [, h, w, nc] = e.dense.obj.shape;
      const obj = (await e.dense.obj.data()) as Float32Array;
      const { heat, classOf } = strongestClassHeat(obj, h * w, nc);
      const r = await decodeQueries(this.net, input, e, heat, 1, null, classOf);
      const ids = this.config.categoryIds;
      const cands = groupCandidates(r, () => true, (q) => ({ categoryId: ids[r.queries.classIndex[q]!] ?? r.queries.classIndex[q]!, clickIndex: -1 }), image.width, image.height, options);
      return candidatesToDetections(cands);
    } finally {
      disposeEncoded(e);
      input.dispose();
    }
  }

  async embedClicks(): Promise<PromptEmbedding[]> {
    return [];
  }

  async detectWithEmbeddings(image: RgbImage, _embeddings: readonly PromptEmbedding[], options: DetectOptions = {}): Promise<Detections> {
    return this.detect(image, [], options);
  }

  dispose(): void {
    this.net.dispose();
  }
}

/**
 * Builds the baseline from a (partial) config (`numClasses`, `categoryIds`); `seed` fixes the initial weights.
 *
 * @example
 * const base = createBaseline({ preset: "tiny", numClasses: 18 });
 */
export function createBaseline(config: ModelConfigInput = {}, seed = 0): BaselineModel {
  return new BaselineModel(resolveModelConfig({ ...config, kind: "baseline" }), seed);
}
