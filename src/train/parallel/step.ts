import { tf } from "../../backend/tf.js";
import type { TrainBatch } from "../../model/loss/batch.js";
import type { LossWeights } from "../../model/loss/losses.js";
import type { TrainingSettings } from "../../model/loss/training.js";
import { clipByGlobalNorm, type AdamW } from "../optimizer.js";
import { DealkitTrainingError, type StepReport } from "../step.js";
import type { TrainWorkers } from "./pool.js";

/**
 * One data-parallel optimisation step: the shards' gradients averaged by {@link TrainWorkers}, then what
 * optimizeStep does on one thread: the finiteness check (a non-finite loss or gradient norm throws
 * {@link DealkitTrainingError} naming the step, before any weight changes), global-norm clipping and AdamW.
 *
 * @example
 * const report = await parallelStep(pool, optimizer, batch, DEFAULT_LOSS_WEIGHTS, DEFAULT_TRAINING_SETTINGS, 1e-3, 5, step);
 */
export async function parallelStep(pool: TrainWorkers, optimizer: AdamW, batch: TrainBatch, lossWeights: LossWeights, settings: TrainingSettings, lr: number, clipNorm: number, step: number): Promise<StepReport> {
  const { loss, terms, grads } = await pool.gradients(batch, lossWeights, settings);
  if (!Number.isFinite(loss)) {
    const bad = Object.entries(terms).filter(([, v]) => !Number.isFinite(v)).map(([k]) => k);
    throw new DealkitTrainingError(`loss is ${loss} at step ${step}${bad.length ? ` (non-finite terms: ${bad.join(", ")})` : ""}; stopping without saving`, step);
  }
  const { names, shapes, offsets } = pool.layout;
  const byName: Record<string, tf.Tensor> = {};
  names.forEach((name, i) => {
    const n = shapes[i]!.reduce((a, b) => a * b, 1);
    byName[name] = tf.tensor(grads.subarray(offsets[i], offsets[i]! + n), shapes[i]);
  });
  try {
    const gradNorm = clipByGlobalNorm(byName, clipNorm);
    if (!Number.isFinite(gradNorm)) throw new DealkitTrainingError(`gradient norm is ${gradNorm} at step ${step}; stopping without saving`, step);
    optimizer.apply(byName, lr);
    return { loss, terms, gradNorm };
  } finally {
    tf.dispose(Object.values(byName));
  }
}
