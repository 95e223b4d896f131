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

/** The training settings a detector's {@link TrainableDetector.prepareBatch} reads. */
export interface TrainingSettings {
  /** How extra clicks are chosen. */
  prompting: PromptingStrategy;
  /** At most this many extra clicks per prompt; each step draws 0..promptCycles. */
  promptCycles: number;
}

/** A loss as the optimiser needs it: the total and its named terms (scalars, inside tf.variableGrads). */
export interface TrainingLoss {
  total: tf.Scalar;
  terms: Record<string, tf.Scalar>;
}

/**
 * What the training loop needs of a detector beyond inference: its parameters and config (optimiser,
 * checkpoints), and its own loss. Each model owns how it is trained, so the loop never asks which model it
 * has: DEAL adds PG-CPP or random clicks in `prepareBatch` and computes its set, heatmap and density losses;
 * the baseline computes its set and heatmap losses. A new network slots in by implementing this.
 *
 * @example
 * model.prepareBatch(batch, rng, { prompting: "pgcpp", promptCycles: 2 });
 * const { total } = model.trainingLoss(batch, DEFAULT_LOSS_WEIGHTS);
 */
export interface TrainableDetector extends PromptableDetector {
  readonly config: ModelConfig;
  readonly params: ParamStore;
  /** True when each training sample prompts one category with clicks (DEAL); false when every object is a target (baseline). */
  readonly promptedTraining: boolean;
  /** Completes a drawn batch with what this model's loss needs (DEAL: the extra clicks); may draw from `rng`. */
  prepareBatch(batch: TrainBatch, rng: Random, settings: TrainingSettings): void;
  /** The training loss on a prepared batch; called inside tf.variableGrads. */
  trainingLoss(batch: TrainBatch, weights: LossWeights): TrainingLoss;
}
