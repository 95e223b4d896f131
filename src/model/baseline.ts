import { tf } from "../backend/tf.js";
import { checkClicks, type Click } from "../structures/click.js";
import type { Detections } from "../structures/detections.js";
import { DETECT_DEFAULTS, type DetectOptions, type PromptEmbedding } from "../structures/detector.js";
import type { RgbImage } from "../structures/image.js";
import type { Random } from "../util/random.js";
import { Backbone } from "./backbone.js";
import { resolveModelConfig, type ModelConfig, type ModelConfigInput } from "./config.js";
import { Decoder, type StageOutput } from "./decoder.js";
import { HybridFeatureEnhancement, type EnhancedFeatures } from "./hybrid-feature-enhancement.js";
import { Conv2d } from "./layers.js";
import { imageToInput } from "./ops.js";
import { ParamStore } from "./params.js";
import { candidateFromNorm, candidatesToDetections, selectCandidates, type Candidate } from "./postprocess.js";
import { selectPeaks } from "./query-allocation.js";
import type { TrainBatch } from "./loss/batch.js";
import { baselineLoss } from "./loss/baseline-loss.js";
import type { LossWeights } from "./loss/losses.js";
import type { TrainableDetector, TrainingLoss } from "./loss/training.js";

/** What one baseline forward pass produces (B = images). */
export interface BaselineOutputs {
  stages: StageOutput[];
  /** Per-class centre-heatmap logits [B, H, W, C]. */
  heatLogits: tf.Tensor4D;
  /** Query mask [B, Q] (all ones: the baseline always uses maxQueries). */
  mask: tf.Tensor2D;
}

/**
 * The fully supervised baseline DEAL is measured against: the same backbone, Hybrid Feature Enhancement and
 * decoder, but no clicks: a dense per-class centre heatmap (1x1 conv) gives the objectness used for top-K
 * query selection (K = maxQueries, as RT-DETR) and re-weights the features like DEAL's density does, and the
 * decoder predicts one logit per class. Build it with {@link createBaseline}.
 */
export class BaselineModel implements TrainableDetector {
  readonly kind = "baseline" as const;
  readonly promptedTraining = false;
  readonly inputSize: number;
  readonly config: ModelConfig;
  readonly params: ParamStore;
  private readonly backbone: Backbone;
  private readonly hfe: HybridFeatureEnhancement;
  private readonly heat: Conv2d;
  private readonly decoder: Decoder;

  constructor(config: ModelConfig, seed = 0) {
    this.config = config;
    this.inputSize = config.inputSize;
    this.params = new ParamStore(seed);
    this.backbone = new Backbone(this.params, config);
    this.hfe = new HybridFeatureEnhancement(this.params, config);
    this.heat = new Conv2d(this.params, "baseline.heat", 1, config.dModel, config.numClasses, 1, 0.01);
    tf.tidy(() => this.heat.b.assign(tf.fill([config.numClasses], -4.6)));
    this.decoder = new Decoder(this.params, config, config.numClasses, false);
  }

  /** Backbone + Hybrid Feature Enhancement on normalised images [B, S, S, 3]. */
  encode(images: tf.Tensor4D): EnhancedFeatures {
    return this.hfe.apply(this.backbone.apply(images));
  }

  /** The training-time forward pass on normalised images [B, S, S, 3]. */
  forward(images: tf.Tensor4D): BaselineOutputs {
    const feats = this.encode(images);
    const [b, h, w] = feats.fine.shape;
    const heatLogits = this.heat.apply(feats.fine);
    const objectness = heatLogits.max(-1) as tf.Tensor3D;
    const q = Math.min(this.config.maxQueries, h * w);
    const { indices, centres } = selectPeaks(objectness, q);
    const mask = tf.ones([b, q]) as tf.Tensor2D;
    const valueMap = feats.fine.mul(tf.sigmoid(objectness).expandDims(-1).add(1)) as tf.Tensor4D;
    const stages = this.decoder.apply(valueMap, indices, centres, mask, null);
    return { stages, heatLogits, mask };
  }

  /** Training: nothing to add (every object of a sample is a target). */
  prepareBatch(_batch: TrainBatch, _rng: Random): void {}

  /** Training: {@link baselineLoss}. */
  trainingLoss(batch: TrainBatch, weights: LossWeights): TrainingLoss {
    return baselineLoss(this, batch, weights);
  }

  /** Clicks are checked ({@link checkClicks}) but otherwise ignored: the baseline detects every class it was trained on. */
  async detect(image: RgbImage, clicks: readonly Click[] = [], options: DetectOptions = {}): Promise<Detections> {
    checkClicks(clicks, image.width, image.height);
    const out = tf.tidy(() => {
      const last = this.forward(imageToInput(image, this.inputSize)).stages;
      const s = last[last.length - 1]!;
      const probs = tf.sigmoid(s.logits);
      return { boxes: s.boxesCxcywhNorm, score: probs.max(-1), cls: probs.argMax(-1) };
    });
    const [boxes, score, cls] = await Promise.all([out.boxes.data(), out.score.data(), out.cls.data()]);
    tf.dispose([out.boxes, out.score, out.cls]);
    const cands: Candidate[] = [];
    for (let j = 0; j < score.length; j++) {
      const c = cls[j]!;
      cands.push(candidateFromNorm(boxes, j * 4, image.width, image.height, score[j]!, this.config.categoryIds[c] ?? c, -1));
    }
    // Class-aware NMS: run the selection per class, then keep the best maxDetections overall.
    const byClass = new Map<number, Candidate[]>();
    for (const c of cands) byClass.set(c.categoryId, [...(byClass.get(c.categoryId) ?? []), c]);
    const kept = [...byClass.values()].flatMap((g) => selectCandidates(g, options));
    kept.sort((a, b) => b.score - a.score);
    return candidatesToDetections(kept.slice(0, options.maxDetections ?? DETECT_DEFAULTS.maxDetections));
  }

  async embedClicks(): Promise<PromptEmbedding[]> {
    return [];
  }

  async detectWithEmbeddings(image: RgbImage, _embeddings: readonly PromptEmbedding[], options: DetectOptions = {}): Promise<Detections> {
    return this.detect(image, [], options);
  }

  dispose(): void {
    this.params.dispose();
  }
}

/**
 * Builds the supervised baseline. `numClasses` and `categoryIds` (class index -> dataset category id) come
 * from the training data.
 *
 * @example
 * const base = createBaseline({ preset: "tiny", numClasses: 6, categoryIds: [1, 2, 3, 4, 5, 6] });
 */
export function createBaseline(config: ModelConfigInput = {}, seed = 0): BaselineModel {
  return new BaselineModel(resolveModelConfig({ ...config, kind: "baseline" }), seed);
}
