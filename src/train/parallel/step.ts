import { tf } from "../../backend/tf.js";
import type { TrainBatch } from "../../model/loss/batch.js";
import type { LossWeights } from "../../model/loss/losses.js";
import type { TrainingSettings } from "../../model/loss/training.js";
import type { AdamW } from "../optimizer.js";
import { applyStep, type StepReport } from "../step.js";
import type { TrainWorkers } from "./pool.js";

/**
 * One data-parallel optimisation step: the shards' gradients averaged by {@link TrainWorkers}, then the same
 * end as optimizeStep on one thread ({@link applyStep}: finiteness checks naming the step, clipping, AdamW).
 *
 * @example
 * const report = await parallelStep(pool, optimizer, batch, DEFAULT_LOSS_WEIGHTS, DEFAULT_TRAINING_SETTINGS, 1e-3, 5, step);
 */
export async function parallelStep(pool: TrainWorkers, optimizer: AdamW, batch: TrainBatch, lossWeights: LossWeights, settings: TrainingSettings, lr: number, clipNorm: number, step: number): Promise<StepReport> {
  const { loss, terms, grads } = await pool.gradients(batch, lossWeights, settings);
  const { names, shapes, offsets } = pool.layout;
  const byName: Record<string, tf.Tensor> = {};
  names.forEach((name, i) => {
    const n = shapes[i]!.reduce((a, b) => a * b, 1);
    byName[name] = tf.tensor(grads.subarray(offsets[i], offsets[i]! + n), shapes[i]);
  });
  return applyStep(optimizer, { loss, terms }, byName, lr, clipNorm, step);
}
