import { tf } from "../backend/tf.js";
import type { BaselineModel } from "../model/baseline.js";
import type { DealModel } from "../model/deal.js";
import type { Detector } from "../model/factory.js";
import { FINE_STRIDE } from "../model/config.js";
import { centerClick, uniformClick } from "../prompts/samplers.js";
import { pickHardestInstance } from "../prompts/pgcpp.js";
import type { Random } from "../util/random.js";
import { clickTensors, denseTargets, type TrainBatch } from "./batch.js";
import { densityLosses, heatmapFocalLoss, setLoss, DEFAULT_LOSS_WEIGHTS, type LossWeights } from "./losses.js";
import { AdamW, clipByGlobalNorm } from "./optimizer.js";

/** How DEAL's extra clicks are chosen in training. */
export const PROMPTING_STRATEGIES = ["random", "pgcpp"] as const;
/** One of {@link PROMPTING_STRATEGIES}. */
export type PromptingStrategy = (typeof PROMPTING_STRATEGIES)[number];

/** Training diverged: the loss (or gradient norm) is not finite at `step`. */
export class DealkitTrainingError extends Error {
  constructor(message: string, readonly step: number) {
    super(message);
    this.name = "DealkitTrainingError";
  }
}

/** Loss terms of a step, as plain numbers. */
export type LossTerms = Record<string, number>;

type LossOut = { total: tf.Scalar; terms: Record<string, tf.Scalar> };

function sum(xs: tf.Scalar[]): tf.Scalar {
  return xs.length === 1 ? xs[0]! : (tf.addN(xs) as tf.Scalar);
}

function stageTerms(stages: { boxesCxcywhNorm: tf.Tensor3D; logits: tf.Tensor3D }[], counts: readonly number[], batch: TrainBatch, w: LossWeights) {
  const vfl: tf.Scalar[] = [], l1: tf.Scalar[] = [], giou: tf.Scalar[] = [];
  for (const s of stages) {
    const r = setLoss(s, counts, batch.samples.map((x) => x.target));
    vfl.push(r.vfl); l1.push(r.l1); giou.push(r.giou);
  }
  return { vfl: sum(vfl).mul(w.vfl) as tf.Scalar, l1: sum(l1).mul(w.l1) as tf.Scalar, giou: sum(giou).mul(w.giou) as tf.Scalar };
}

/** DEAL's loss on a batch whose samples hold their clicks. */
export function dealLoss(model: DealModel, batch: TrainBatch, w: LossWeights = DEFAULT_LOSS_WEIGHTS): LossOut {
  const s = model.inputSize;
  const g = s / FINE_STRIDE;
  const { xy, mask } = clickTensors(batch.samples, s, model.config.maxClicksPerPrompt);
  const gtCounts = batch.samples.map((x) => x.target.boxesCxcywhNorm.length);
  const out = model.forward(batch.images, xy, mask, gtCounts);
  const dense = denseTargets(batch.samples, g, g, 1);
  const terms = stageTerms(out.stages, out.allocation.counts, batch, w);
  const heat = heatmapFocalLoss(out.heatLogits, dense.heat).mul(w.heat) as tf.Scalar;
  const dl = densityLosses(out.density, dense.density, gtCounts);
  const all = { ...terms, heat, density: dl.density.mul(w.density) as tf.Scalar, count: dl.count.mul(w.count) as tf.Scalar };
  return { total: sum(Object.values(all)), terms: all };
}

/** The baseline's loss on a batch. */
export function baselineLoss(model: BaselineModel, batch: TrainBatch, w: LossWeights = DEFAULT_LOSS_WEIGHTS): LossOut {
  const g = model.inputSize / FINE_STRIDE;
  const out = model.forward(batch.images);
  const q = out.mask.shape[1];
  const dense = denseTargets(batch.samples, g, g, model.config.numClasses);
  const terms = stageTerms(out.stages, batch.samples.map(() => q), batch, w);
  const heat = heatmapFocalLoss(out.heatLogits, dense.heat).mul(w.heat) as tf.Scalar;
  const all = { ...terms, heat };
  return { total: sum(Object.values(all)), terms: all };
}

/**
 * Adds `extra` clicks to every DEAL sample of the batch. "random": a random not-yet-clicked object, uniform
 * inside it. "pgcpp": predict with the clicks so far (no gradient), then click the centre of the hardest
 * missed or worst-localised object ({@link pickHardestInstance}), once per cycle.
 */
export function addTrainingClicks(model: DealModel, batch: TrainBatch, extra: number, strategy: PromptingStrategy, rng: Random): void {
  const s = model.inputSize;
  for (let c = 0; c < extra; c++) {
    let preds: { boxes: Float32Array; scores: Float32Array; counts: number[]; q: number } | null = null;
    if (strategy === "pgcpp") {
      const { xy, mask } = clickTensors(batch.samples, s, model.config.maxClicksPerPrompt);
      const r = tf.tidy(() => {
        const out = model.forward(batch.images, xy, mask);
        const last = out.stages[out.stages.length - 1]!;
        return { boxes: last.boxesCxcywhNorm, scores: tf.sigmoid(last.logits), counts: out.allocation.counts };
      });
      preds = { boxes: r.boxes.dataSync() as Float32Array, scores: r.scores.dataSync() as Float32Array, counts: r.counts, q: r.boxes.shape[1] };
      tf.dispose([r.boxes, r.scores, xy, mask]);
    }
    batch.samples.forEach((sample, i) => {
      const clicked = sample.clicked!;
      if (clicked.size >= sample.boxesInput.length || sample.clicks!.length >= model.config.maxClicksPerPrompt) return;
      let next: number;
      if (preds) {
        const n = preds.counts[i]!;
        const xyxy = new Float32Array(n * 4);
        const sc = new Float32Array(n);
        for (let j = 0; j < n; j++) {
          const o = (i * preds.q + j) * 4;
          const [cx, cy, bw, bh] = [preds.boxes[o]! * s, preds.boxes[o + 1]! * s, preds.boxes[o + 2]! * s, preds.boxes[o + 3]! * s];
          xyxy.set([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], j * 4);
          sc[j] = preds.scores[i * preds.q + j]!;
        }
        next = pickHardestInstance(sample.boxesInput, xyxy, sc, clicked, 0.3);
      } else {
        const left = sample.boxesInput.map((_, k) => k).filter((k) => !clicked.has(k));
        next = rng.pick(left);
      }
      if (next < 0) return;
      clicked.add(next);
      const box = sample.boxesInput[next]!;
      sample.clicks!.push(preds ? centerClick(box) : uniformClick(box, rng));
    });
  }
}

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
 */
export function optimizeStep(model: Detector, optimizer: AdamW, lossFn: () => LossOut, lr: number, clipNorm: number, step: number): StepReport {
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
  try {
    if (!Number.isFinite(loss)) {
      const bad = Object.entries(terms).filter(([, v]) => !Number.isFinite(v)).map(([k]) => k);
      throw new DealkitTrainingError(`loss is ${loss} at step ${step}${bad.length ? ` (non-finite terms: ${bad.join(", ")})` : ""}; stopping without saving`, step);
    }
    const gradNorm = clipByGlobalNorm(byName, clipNorm);
    if (!Number.isFinite(gradNorm)) throw new DealkitTrainingError(`gradient norm is ${gradNorm} at step ${step}; stopping without saving`, step);
    optimizer.apply(byName, lr);
    return { loss, terms, gradNorm };
  } finally {
    tf.dispose(Object.values(byName));
  }
}
