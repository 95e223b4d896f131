import { tf } from "../backend/tf.js";
import { checkClicks, groupPrompts, type Click } from "../structures/click.js";
import { emptyDetections, type Detections } from "../structures/detections.js";
import type { DetectOptions, PromptEmbedding } from "../structures/detector.js";
import type { RgbImage } from "../structures/image.js";
import { DealkitInputError } from "../util/errors.js";
import type { Random } from "../util/random.js";
import { resolveModelConfig, type ModelConfig, type ModelConfigInput } from "./config.js";
import { decodeQueries, disposeEncoded, encodeBatchLimit, groupCandidates, ownCandidates, withEncodedBatch } from "./inference.js";
import type { TrainBatch } from "./loss/batch.js";
import { dealLoss } from "./loss/deal-loss.js";
import type { LossWeights } from "./loss/losses.js";
import type { TrainableDetector, TrainingLoss, TrainingSettings } from "./loss/training.js";
import { DetectorNetwork, type Encoded } from "./network.js";
import { imageToPaddedInput, tidyObject } from "./ops.js";
import type { ParamStore } from "./params.js";
import { candidatesToDetections } from "./postprocess.js";
import { embedExemplars, exemplarFeatureDims, exemplarFromVectors, exemplarLength, exemplarToVectors } from "./point-embedding.js";

/**
 * DEAL v2, the point-prompted detector: Backbone -> Hybrid Feature Enhancement -> dense stride-2 localisation heads
 * -> Point Embedding (the exemplar at the clicks) -> point-guided density activation (exemplar matching) ->
 * Density-Guided Query Allocation -> refinement decoder. Images run at their native scale (zero-padded to the
 * coarsest stride, never resized). Build it with {@link createDeal}; src/model/README.md explains every choice.
 */
export class DealModel implements TrainableDetector {
  readonly kind = "deal" as const;
  readonly promptedTraining = true;
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

  /** Training: prompts are drawn with the batch (every category of a crop); PG-CPP runs inside the loss. */
  prepareBatch(_batch: TrainBatch, _rng: Random, _settings: TrainingSettings): void {}

  /** Training: {@link dealLoss}. */
  trainingLoss(batch: TrainBatch, weights: LossWeights, settings?: TrainingSettings): TrainingLoss {
    return dealLoss(this.net, batch, weights, settings);
  }

  /** Checks clicks, encodes the image once, embeds the clicks and decodes every prompt (clicks of one category form one prompt). */
  async detect(image: RgbImage, clicks: readonly Click[], options: DetectOptions = {}): Promise<Detections> {
    checkClicks(clicks, image.width, image.height);
    if (clicks.length === 0) return emptyDetections();
    return this.withEncoded(image, async (input, e) => this.decodePrompts(input, e, image, await this.embedOn(input, e, clicks), options));
  }

  async embedClicks(image: RgbImage, clicks: readonly Click[]): Promise<PromptEmbedding[]> {
    checkClicks(clicks, image.width, image.height);
    if (clicks.length === 0) return [];
    return this.withEncoded(image, (input, e) => this.embedOn(input, e, clicks));
  }

  async detectWithEmbeddings(image: RgbImage, embeddings: readonly PromptEmbedding[], options: DetectOptions = {}): Promise<Detections> {
    this.checkEmbeddings(embeddings);
    if (embeddings.length === 0) return emptyDetections();
    return this.withEncoded(image, (input, e) => this.decodePrompts(input, e, image, embeddings, options));
  }

  /**
   * {@link detectWithEmbeddings} on several images at once: each run of consecutive equal-size images is encoded
   * in one batch (backbone, HFE and dense heads with a batch dimension), then the prompt heads run per image.
   * The result of image i is exactly `detectWithEmbeddings(images[i], ...)`'s. Keep a batch within
   * {@link maxBatch} (memory).
   */
  async detectWithEmbeddingsBatch(images: readonly RgbImage[], embeddings: readonly PromptEmbedding[], options: DetectOptions = {}): Promise<Detections[]> {
    this.checkEmbeddings(embeddings);
    if (embeddings.length === 0) return images.map(() => emptyDetections());
    const out: Detections[] = [];
    for (let i = 0; i < images.length;) {
      let j = i + 1;
      while (j < images.length && images[j]!.width === images[i]!.width && images[j]!.height === images[i]!.height) j++;
      const run = images.slice(i, j);
      out.push(...(run.length === 1
        ? [await this.detectWithEmbeddings(run[0]!, embeddings, options)]
        : await withEncodedBatch(this.net, run, (input, e, k) => this.decodePrompts(input, e, run[k]!, embeddings, options))));
      i = j;
    }
    return out;
  }

  /** How many width x height images one {@link detectWithEmbeddingsBatch} call should take: {@link encodeBatchLimit}. */
  maxBatch(width: number, height: number): number {
    return encodeBatchLimit(this.config, width, height);
  }

  dispose(): void {
    this.net.dispose();
  }

  private checkEmbeddings(embeddings: readonly PromptEmbedding[]): void {
    const len = exemplarLength(this.config);
    embeddings.forEach((e, i) => {
      if (!e.vector || e.vector.length !== len) {
        throw new DealkitInputError(`embedding vector has length ${e.vector?.length}; this model needs ${len}`, { record: `embedding ${i}`, field: "vector" });
      }
    });
  }

  private async withEncoded<T>(image: RgbImage, fn: (input: tf.Tensor4D, e: Encoded) => Promise<T>): Promise<T> {
    const input = imageToPaddedInput(image, this.net.padMultiple);
    const e = tidyObject(() => this.net.encode(input, true));
    try {
      return await fn(input, e);
    } finally {
      disposeEncoded(e);
      input.dispose();
    }
  }

  /** One exemplar vector per click (each click its own prompt), read back so it can prompt other crops. */
  private async embedOn(input: tf.Tensor4D, e: Encoded, clicks: readonly Click[]): Promise<PromptEmbedding[]> {
    const [, H, W] = input.shape;
    const n = clicks.length;
    const xy = new Float32Array(n * 2);
    clicks.forEach((c, i) => {
      xy[2 * i] = c.x / W;
      xy[2 * i + 1] = c.y / H;
    });
    const vectors = tf.tidy(() => exemplarToVectors(embedExemplars(e.f, e.dense, tf.tensor4d(xy, [1, n, 1, 2]), tf.ones([1, n, 1]) as tf.Tensor3D, e.pix)));
    const data = (await vectors.data()) as Float32Array;
    vectors.dispose();
    const len = data.length / n;
    return clicks.map((c, i) => ({ clickIndex: i, categoryId: c.categoryId ?? -1, vector: data.slice(i * len, (i + 1) * len) }));
  }

  /** Pools each prompt's click vectors, runs the density activation, query allocation and decoder, and selects per prompt. */
  private async decodePrompts(input: tf.Tensor4D, e: Encoded, image: RgbImage, embeddings: readonly PromptEmbedding[], options: DetectOptions): Promise<Detections> {
    const groups = groupPrompts(embeddings);
    const c = this.config;
    const pooled = poolExemplarVectors(groups.map((g) => g.members.map((m) => embeddings[m]!.vector)), exemplarFeatureDims(c));
    const len = pooled.length / groups.length;
    const ex = tidyObject(() => exemplarFromVectors(tf.tensor2d(pooled, [groups.length, len]), c));
    try {
      const heatT = tf.tidy(() => this.net.promptHeat(e, ex, undefined, true));
      const heat = (await heatT.data()) as Float32Array;
      heatT.dispose();
      const r = await decodeQueries(this.net, input, e, heat, groups.length, ex);
      const cands = groups.flatMap((g, gi) =>
        groupCandidates(r, (q) => r.queries.prompt[q] === gi, () => ({ categoryId: g.categoryId, clickIndex: embeddings[g.members[0]!]!.clickIndex }), image.width, image.height, options),
      );
      return candidatesToDetections(groups.length > 1 ? ownCandidates(cands, options) : cands);
    } finally {
      tf.dispose(Object.values(ex).flat().filter((t): t is tf.Tensor => t !== null));
    }
  }
}

/**
 * Pools per-click exemplar vectors into one per prompt: the mean of the clicks' vectors, with each feature field
 * (the first `featureDims` segments) normalised to unit length again, as embedExemplars pools inside the network.
 */
export function poolExemplarVectors(groups: readonly (readonly Float32Array[])[], featureDims: readonly number[]): Float32Array {
  const len = groups[0]![0]!.length;
  const out = new Float32Array(groups.length * len);
  groups.forEach((vs, g) => {
    const o = g * len;
    for (const v of vs) for (let i = 0; i < len; i++) out[o + i] += v[i]! / vs.length;
    let start = o;
    for (const d of featureDims) {
      let ss = 0;
      for (let i = start; i < start + d; i++) ss += out[i]! * out[i]!;
      const s = 1 / Math.sqrt(ss + 1e-6);
      for (let i = start; i < start + d; i++) out[i] *= s;
      start += d;
    }
  });
  return out;
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
