import { tf } from "../backend/tf.js";
import { checkClicks, groupPrompts, type Click } from "../structures/click.js";
import { emptyDetections, type Detections } from "../structures/detections.js";
import type { DetectOptions, PromptEmbedding } from "../structures/detector.js";
import type { RgbImage } from "../structures/image.js";
import { DealkitInputError } from "../util/errors.js";
import { Backbone } from "./backbone.js";
import { resolveModelConfig, type ModelConfig, type ModelConfigInput } from "./config.js";
import { Decoder, type StageOutput } from "./decoder.js";
import { DensityActivation } from "./density-activation.js";
import { HybridFeatureEnhancement, type EnhancedFeatures } from "./hybrid-feature-enhancement.js";
import { imageToInput } from "./ops.js";
import { ParamStore } from "./params.js";
import { PointEmbedding } from "./point-embedding.js";
import { candidateFromNorm, candidatesToDetections, selectCandidates, type Candidate } from "./postprocess.js";
import { allocateQueries, type QueryAllocation } from "./query-allocation.js";
import type { TrainBatch } from "./loss/batch.js";
import { addTrainingClicks, dealLoss } from "./loss/deal-loss.js";
import type { LossWeights } from "./loss/losses.js";
import type { TrainableDetector, TrainingLoss, TrainingSettings } from "./loss/training.js";
import type { Random } from "../util/random.js";

/** Everything one DEAL forward pass produces for a batch of prompts (B = prompts). */
export interface DealOutputs {
  /** Encoder (query-init) stage, then one stage per decoder layer. */
  stages: StageOutput[];
  heatLogits: tf.Tensor3D;
  density: tf.Tensor3D;
  allocation: QueryAllocation;
}

/**
 * DEAL: the point-prompted detector. Pipeline: Backbone -> Hybrid Feature Enhancement -> Point Embedding
 * (per click, averaged per prompt) -> point-guided density activation -> Density-Guided Query Allocation ->
 * decoder. Build it with {@link createDeal}.
 */
export class DealModel implements TrainableDetector {
  readonly kind = "deal" as const;
  readonly promptedTraining = true;
  readonly inputSize: number;
  readonly config: ModelConfig;
  readonly params: ParamStore;
  private readonly backbone: Backbone;
  private readonly hfe: HybridFeatureEnhancement;
  private readonly point: PointEmbedding;
  private readonly densityHead: DensityActivation;
  private readonly decoder: Decoder;

  constructor(config: ModelConfig, seed = 0) {
    this.config = config;
    this.inputSize = config.inputSize;
    this.params = new ParamStore(seed);
    this.backbone = new Backbone(this.params, config);
    this.hfe = new HybridFeatureEnhancement(this.params, config);
    this.point = new PointEmbedding(this.params, config);
    this.densityHead = new DensityActivation(this.params, config);
    this.decoder = new Decoder(this.params, config, 1, true);
  }

  /** Backbone + Hybrid Feature Enhancement on normalised images [B, S, S, 3]. */
  encode(images: tf.Tensor4D): EnhancedFeatures {
    return this.hfe.apply(this.backbone.apply(images));
  }

  /** Per-click embeddings [B, K, d] for normalised click positions [B, K, 2]. */
  embedClickTensor(feats: EnhancedFeatures, xyNorm: tf.Tensor3D): tf.Tensor3D {
    return this.point.embed(feats, xyNorm);
  }

  /** Prompt embeddings [B, d] from click embeddings [B, K, d] and a click mask [B, K]. */
  poolPrompt(clickEmb: tf.Tensor3D, clickMask: tf.Tensor2D): tf.Tensor2D {
    return this.point.pool(clickEmb, clickMask);
  }

  /**
   * Density, query allocation and decoder for prompts [B, d] on features with the same batch B.
   * `minCounts` (training) lower-bounds the count used for query allocation.
   */
  heads(feats: EnhancedFeatures, prompt: tf.Tensor2D, minCounts?: readonly number[]): DealOutputs {
    const [, h, w] = feats.fine.shape;
    const { heatLogits, density } = this.densityHead.apply(this.densityHead.prepare(feats.fine), prompt, h, w);
    const allocation = allocateQueries(heatLogits, density, this.config, minCounts);
    // Density re-weighting: features where the prompted category is likely are amplified (up to 2x).
    const valueMap = feats.fine.mul(tf.sigmoid(heatLogits).expandDims(-1).add(1)) as tf.Tensor4D;
    const stages = this.decoder.apply(valueMap, allocation.indices, allocation.centres, allocation.mask, prompt);
    return { stages, heatLogits, density, allocation };
  }

  /** The full training-time forward pass: images [B, S, S, 3], clicks [B, K, 2] (normalised), mask [B, K]. */
  forward(images: tf.Tensor4D, clicksXyNorm: tf.Tensor3D, clickMask: tf.Tensor2D, minCounts?: readonly number[]): DealOutputs {
    const feats = this.encode(images);
    const prompt = this.poolPrompt(this.embedClickTensor(feats, clicksXyNorm), clickMask);
    return this.heads(feats, prompt, minCounts);
  }

  /**
   * Training: up to `promptCycles` extra clicks per sample (a uniform draw of 0..n, capped by maxClicksPerPrompt),
   * chosen by PG-CPP or at random ({@link addTrainingClicks}).
   */
  prepareBatch(batch: TrainBatch, rng: Random, settings: TrainingSettings): void {
    const extra = Math.min(settings.promptCycles, this.config.maxClicksPerPrompt - 1);
    addTrainingClicks(this, batch, extra > 0 ? rng.int(extra + 1) : 0, settings.prompting, rng);
  }

  /** Training: {@link dealLoss}. */
  trainingLoss(batch: TrainBatch, weights: LossWeights): TrainingLoss {
    return dealLoss(this, batch, weights);
  }

  /** Checks clicks ({@link checkClicks}), encodes the image once, embeds the clicks and decodes every prompt. */
  async detect(image: RgbImage, clicks: readonly Click[], options: DetectOptions = {}): Promise<Detections> {
    checkClicks(clicks, image.width, image.height);
    if (clicks.length === 0) return emptyDetections();
    const feats = this.encodeImage(image);
    try {
      const embeddings = await this.embedOnFeatures(feats, image, clicks);
      return await this.decodePrompts(feats, image, embeddings, options);
    } finally {
      disposeFeatures(feats);
    }
  }

  async embedClicks(image: RgbImage, clicks: readonly Click[]): Promise<PromptEmbedding[]> {
    checkClicks(clicks, image.width, image.height);
    if (clicks.length === 0) return [];
    const feats = this.encodeImage(image);
    try {
      return await this.embedOnFeatures(feats, image, clicks);
    } finally {
      disposeFeatures(feats);
    }
  }

  async detectWithEmbeddings(image: RgbImage, embeddings: readonly PromptEmbedding[], options: DetectOptions = {}): Promise<Detections> {
    checkEmbeddings(embeddings, this.config.dModel);
    if (embeddings.length === 0) return emptyDetections();
    const feats = this.encodeImage(image);
    try {
      return await this.decodePrompts(feats, image, embeddings, options);
    } finally {
      disposeFeatures(feats);
    }
  }

  dispose(): void {
    this.params.dispose();
  }

  private encodeImage(image: RgbImage): EnhancedFeatures {
    const [fine, context, contextPos] = tf.tidy(() => {
      const f = this.encode(imageToInput(image, this.inputSize));
      return [f.fine, f.context, f.contextPos];
    });
    return { fine: fine as tf.Tensor4D, context: context as tf.Tensor3D, contextPos: contextPos as tf.Tensor3D };
  }

  /** One embedding per click, read back to the CPU (so it can prompt other crops of the image). */
  private async embedOnFeatures(feats: EnhancedFeatures, image: RgbImage, clicks: readonly Click[]): Promise<PromptEmbedding[]> {
    const vectors = tf.tidy(() => this.embedClickTensor(feats, this.clickTensor(image, clicks)));
    const data = (await vectors.data()) as Float32Array;
    vectors.dispose();
    const d = this.config.dModel;
    return clicks.map((c, i) => ({ clickIndex: i, categoryId: c.categoryId ?? -1, vector: data.slice(i * d, (i + 1) * d) }));
  }

  /** Groups the embeddings into prompts, runs the heads once per prompt on `feats` and post-processes each prompt's boxes. */
  private async decodePrompts(feats: EnhancedFeatures, image: RgbImage, embeddings: readonly PromptEmbedding[], options: DetectOptions): Promise<Detections> {
    const d = this.config.dModel;
    const groups = groupPrompts(embeddings);
    const p = groups.length;
    const k = Math.max(...groups.map((g) => g.members.length));
    const embData = new Float32Array(p * k * d);
    const maskData = new Float32Array(p * k);
    groups.forEach((g, gi) => g.members.forEach((m, j) => {
      embData.set(embeddings[m]!.vector, (gi * k + j) * d);
      maskData[gi * k + j] = 1;
    }));
    const out = tf.tidy(() => {
      const tiled: EnhancedFeatures = {
        fine: tf.tile(feats.fine, [p, 1, 1, 1]) as tf.Tensor4D,
        context: tf.tile(feats.context, [p, 1, 1]) as tf.Tensor3D,
        contextPos: feats.contextPos,
      };
      const prompt = this.poolPrompt(tf.tensor3d(embData, [p, k, d]), tf.tensor2d(maskData, [p, k]));
      const res = this.heads(tiled, prompt);
      const last = res.stages[res.stages.length - 1]!;
      return { boxes: last.boxesCxcywhNorm, scores: tf.sigmoid(last.logits), counts: res.allocation.counts };
    });
    const [boxes, scores] = await Promise.all([out.boxes.data(), out.scores.data()]);
    out.boxes.dispose();
    out.scores.dispose();
    const q = out.boxes.shape[1];
    const cands: Candidate[] = [];
    groups.forEach((g, gi) => {
      const mine: Candidate[] = [];
      for (let j = 0; j < out.counts[gi]!; j++) {
        const o = gi * q + j;
        mine.push(candidateFromNorm(boxes, o * 4, image.width, image.height, scores[o]!, g.categoryId, embeddings[g.members[0]!]!.clickIndex));
      }
      cands.push(...selectCandidates(mine, options));
    });
    return candidatesToDetections(cands);
  }

  private clickTensor(image: RgbImage, clicks: readonly Click[]): tf.Tensor3D {
    const xy = new Float32Array(clicks.length * 2);
    clicks.forEach((c, i) => {
      xy[2 * i] = c.x / image.width;
      xy[2 * i + 1] = c.y / image.height;
    });
    return tf.tensor3d(xy, [1, clicks.length, 2]);
  }
}

function disposeFeatures(f: EnhancedFeatures): void {
  tf.dispose([f.fine, f.context, f.contextPos]);
}

/** Embeddings must have the model's width; otherwise a DealkitInputError names the embedding. */
function checkEmbeddings(embeddings: readonly PromptEmbedding[], dim: number): void {
  embeddings.forEach((e, i) => {
    if (!e.vector || e.vector.length !== dim) {
      throw new DealkitInputError(`embedding vector has length ${e.vector?.length}; this model needs ${dim}`, { record: `embedding ${i}`, field: "vector" });
    }
  });
}

/**
 * Builds DEAL from a (partial) config, validated by resolveModelConfig; `seed` fixes the initial weights.
 *
 * @example
 * const deal = createDeal({ preset: "tiny" });
 * const dets = await deal.detect(image, [{ x: 40, y: 52, categoryId: 3 }]);
 * deal.dispose();
 */
export function createDeal(config: ModelConfigInput = {}, seed = 0): DealModel {
  return new DealModel(resolveModelConfig({ ...config, kind: "deal" }), seed);
}
