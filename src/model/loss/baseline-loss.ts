import type { tf } from "../../backend/tf.js";
import type { BaselineModel } from "../baseline.js";
import { FINE_STRIDE } from "../config.js";
import { denseTargets, type TrainBatch } from "./batch.js";
import { heatmapFocalLoss, DEFAULT_LOSS_WEIGHTS, type LossWeights } from "./losses.js";
import { stageTerms, sumScalars } from "./stage-terms.js";
import type { TrainingLoss } from "./training.js";

/**
 * The baseline's loss on a batch: the set loss of every stage (all queries in use) and the per-class
 * centre-heatmap focal loss.
 *
 * @example
 * const { total } = baselineLoss(model, batch);
 */
export function baselineLoss(model: BaselineModel, batch: TrainBatch, w: LossWeights = DEFAULT_LOSS_WEIGHTS): TrainingLoss {
  const g = model.inputSize / FINE_STRIDE;
  const out = model.forward(batch.images);
  const q = out.mask.shape[1];
  const dense = denseTargets(batch.samples, g, g, model.config.numClasses);
  const terms = stageTerms(out.stages, batch.samples.map(() => q), batch, w);
  const heat = heatmapFocalLoss(out.heatLogits, dense.heat).mul(w.heat) as tf.Scalar;
  const all = { ...terms, heat };
  return { total: sumScalars(Object.values(all)), terms: all };
}
