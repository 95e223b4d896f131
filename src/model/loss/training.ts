import type { tf } from "../../backend/tf.js";
import type { Random } from "../../util/random.js";
import type { ModelConfig } from "../config.js";
import type { ParamStore } from "../params.js";
import type { PromptableDetector } from "../../structures/detector.js";
import type { TrainBatch } from "./batch.js";
import type { LossWeights } from "./losses.js";

/** How a prompted detector's extra training clicks are chosen: at random, or by PG-CPP. */
export const PROMPTING_STRATEGIES = ["random", "pgcpp"] as const;
/** One of {@link PROMPTING_STRATEGIES}. */
export type PromptingStrategy = (typeof PROMPTING_STRATEGIES)[number];

/** The training settings a detector's loss reads. Defaults: {@link DEFAULT_TRAINING_SETTINGS}. */
export interface TrainingSettings {
  /** How extra clicks are chosen: "pgcpp" (the least-found target) or "random" (a random unclicked target). */
  prompting: PromptingStrategy;
  /** Extra click cycles per prompt after the first click (each adds one click; the loss averages every round). */
  promptCycles: number;
  /** Probability that a prompt's objectness inputs are zeroed in the density activation (DEAL). */
  objectnessDropout: number;
  /**
   * DEAL: the round whose prompts the decoder is trained on: "first" (the first click only, as a one-click prompt is
   * at inference) or "last" (every click of the cycles). Default {@link DEFAULT_DECODER_ROUND}, "first": decided on
   * val over three training seeds (src/model/README.md).
   */
  decoderRound?: DecoderRound;
}

/** See {@link TrainingSettings.decoderRound}. */
export const DECODER_ROUNDS = ["last", "first"] as const;
export type DecoderRound = (typeof DECODER_ROUNDS)[number];
/** The default {@link TrainingSettings.decoderRound}. */
export const DEFAULT_DECODER_ROUND: DecoderRound = "first";

/** Default {@link TrainingSettings}: PG-CPP, 1 extra cycle, objectness dropout 0.3. */
export const DEFAULT_TRAINING_SETTINGS: Readonly<TrainingSettings> = Object.freeze({ prompting: "pgcpp", promptCycles: 1, objectnessDropout: 0.3 });

/** A loss as the optimiser needs it: the total and its named terms (scalars, inside tf.variableGrads). */
export interface TrainingLoss {
  total: tf.Scalar;
  terms: Record<string, tf.Scalar>;
}

/**
 * What the training loop needs of a detector beyond inference: its parameters and config (optimiser,
 * checkpoints), and its own loss. Each model owns how it is trained, so the loop never asks which model it
 * has. Losses are means over the batch's samples of per-sample terms, so a batch split into shards gives the
 * same gradient (data-parallel training).
 *
 * @example
 * const { total } = model.trainingLoss(batch, DEFAULT_LOSS_WEIGHTS, DEFAULT_TRAINING_SETTINGS);
 */
export interface TrainableDetector extends PromptableDetector {
  readonly config: ModelConfig;
  readonly params: ParamStore;
  /** True when training samples carry prompts (DEAL); false when every object is a target (baseline). */
  readonly promptedTraining: boolean;
  /** Completes a drawn batch with anything else this model's loss needs (today: nothing); may draw from `rng`. */
  prepareBatch(batch: TrainBatch, rng: Random, settings: TrainingSettings): void;
  /** The training loss on a prepared batch; called inside tf.variableGrads. */
  trainingLoss(batch: TrainBatch, weights: LossWeights, settings?: TrainingSettings): TrainingLoss;
}
