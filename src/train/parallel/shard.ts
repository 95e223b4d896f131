import { tf } from "../../backend/tf.js";
import type { TrainBatch } from "../../model/loss/batch.js";
import type { LossWeights } from "../../model/loss/losses.js";
import type { TrainableDetector, TrainingSettings } from "../../model/loss/training.js";
import type { ParamLayout } from "./layout.js";

/** The loss of one shard (a mean over its samples) and its terms. */
export interface ShardResult {
  loss: number;
  terms: Record<string, number>;
}

/**
 * The loss and gradient of one shard of a batch, the gradient written into `out` (layout order; a parameter the
 * loss does not reach gets zeros). Runs on the main thread for shard 0 and in every worker for the others.
 */
export function shardGradients(model: TrainableDetector, layout: ParamLayout, batch: TrainBatch, lossWeights: LossWeights, settings: TrainingSettings, out: Float32Array): ShardResult {
  const vars = layout.names.map((n) => model.params.get(n));
  const byTfName = new Map(vars.map((v, i) => [v.name, i]));
  const terms: Record<string, number> = {};
  const { value, grads } = tf.variableGrads(() => {
    const r = model.trainingLoss(batch, lossWeights, settings);
    for (const [k, t] of Object.entries(r.terms)) terms[k] = t.dataSync()[0]!;
    return r.total;
  }, vars);
  const loss = value.dataSync()[0]!;
  value.dispose();
  out.fill(0);
  for (const [k, g] of Object.entries(grads)) {
    const i = byTfName.get(k);
    if (i !== undefined) out.set(g.dataSync() as Float32Array, layout.offsets[i]);
    g.dispose();
  }
  return { loss, terms };
}
