import { tf } from "../../backend/tf.js";
import { pickHardestInstance } from "../../prompts/pgcpp.js";
import { centerClick, uniformClick } from "../../prompts/samplers.js";
import type { Random } from "../../util/random.js";
import { FINE_STRIDE } from "../config.js";
import type { DealModel } from "../deal.js";
import { clickTensors, denseTargets, type TrainBatch } from "./batch.js";
import { densityLosses, heatmapFocalLoss, DEFAULT_LOSS_WEIGHTS, type LossWeights } from "./losses.js";
import { stageTerms, sumScalars } from "./stage-terms.js";
import type { PromptingStrategy, TrainingLoss } from "./training.js";

/**
 * DEAL's loss on a batch whose samples hold their clicks: the set loss of every stage, the centre-heatmap
 * focal loss, and the density and count terms.
 *
 * @example
 * const { total, terms } = dealLoss(model, batch);
 */
export function dealLoss(model: DealModel, batch: TrainBatch, w: LossWeights = DEFAULT_LOSS_WEIGHTS): TrainingLoss {
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
  return { total: sumScalars(Object.values(all)), terms: all };
}

/**
 * Adds `extra` clicks to every DEAL sample of the batch. "random": a random not-yet-clicked object, uniform
 * inside it. "pgcpp": predict with the clicks so far (no gradient), then click the centre of the hardest
 * missed or worst-localised object ({@link pickHardestInstance}), once per cycle.
 *
 * @example
 * addTrainingClicks(model, batch, 2, "pgcpp", rng);
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
