import { tf } from "../backend/tf.js";
import type { TrainingLoss } from "../model/loss/training.js";
import type { ParamStore } from "../model/params.js";
import { AdamW, clipByGlobalNorm } from "./optimizer.js";

/** Training diverged: the loss (or gradient norm) is not finite at `step`. */
export class DealkitTrainingError extends Error {
  constructor(message: string, readonly step: number) {
    super(message);
    this.name = "DealkitTrainingError";
  }
}

/** Loss terms of a step, as plain numbers. */
export type LossTerms = Record<string, number>;

/** What one optimisation step reports. */
export interface StepReport {
  loss: number;
  terms: LossTerms;
  gradNorm: number;
}

/**
 * One optimisation step: loss and gradients (tf.variableGrads), a finiteness check (a non-finite loss or
 * gradient throws {@link DealkitTrainingError} naming the step, before any weight changes), global-norm
 * clipping, and the AdamW update at learning rate `lr`.
 *
 * @example
 * optimizeStep(model, optimizer, () => model.trainingLoss(batch, DEFAULT_LOSS_WEIGHTS), 1e-3, 1, step);
 */
export function optimizeStep(model: { params: ParamStore }, optimizer: AdamW, lossFn: () => TrainingLoss, lr: number, clipNorm: number, step: number): StepReport {
  const named = model.params.entries();
  const byTfName = new Map(named.map(([n, v]) => [v.name, n]));
  const terms: LossTerms = {};
  const { value, grads } = tf.variableGrads(() => {
    const r = lossFn();
    for (const [k, t] of Object.entries(r.terms)) terms[k] = t.dataSync()[0]!;
    return r.total;
  }, named.map(([, v]) => v));
  const loss = value.dataSync()[0]!;
  value.dispose();
  const byName: Record<string, tf.Tensor> = {};
  for (const [k, g] of Object.entries(grads)) byName[byTfName.get(k) ?? k] = g;
  return applyStep(optimizer, { loss, terms }, byName, lr, clipNorm, step);
}

/**
 * The end of a step, on one thread or after the workers' gradients are averaged: the finiteness check (a
 * non-finite loss or gradient norm throws {@link DealkitTrainingError} naming the step, before any weight
 * changes), global-norm clipping and the AdamW update. The gradients (by parameter name) are disposed.
 */
export function applyStep(optimizer: AdamW, r: { loss: number; terms: LossTerms }, grads: Record<string, tf.Tensor>, lr: number, clipNorm: number, step: number): StepReport {
  const { loss, terms } = r;
  try {
    if (!Number.isFinite(loss)) {
      const bad = Object.entries(terms).filter(([, v]) => !Number.isFinite(v)).map(([k]) => k);
      throw new DealkitTrainingError(`loss is ${loss} at step ${step}${bad.length ? ` (non-finite terms: ${bad.join(", ")})` : ""}; stopping without saving`, step);
    }
    const gradNorm = clipByGlobalNorm(grads, clipNorm);
    if (!Number.isFinite(gradNorm)) throw new DealkitTrainingError(`gradient norm is ${gradNorm} at step ${step}; stopping without saving`, step);
    optimizer.apply(grads, lr);
    return { loss, terms, gradNorm };
  } finally {
    tf.dispose(Object.values(grads));
  }
}
