import { tf } from "../../backend/tf.js";
import { pickLeastFound } from "../../prompts/pgcpp.js";
import { Random } from "../../util/random.js";
import { FINE_STRIDE } from "../config.js";
import type { DetectorNetwork, Encoded } from "../network.js";
import { embedExemplars, type Exemplar } from "../point-embedding.js";
import { allocateQueries } from "../query-allocation.js";
import { assignQueries, decoderTerms } from "./assignment.js";
import type { BatchSample, TrainBatch } from "./batch.js";
import { focalLoss, weightedL1, type LossWeights } from "./losses.js";
import type { InputDropout } from "../density-activation.js";
import { centreCell, classTargets, denseTargets, promptTargets } from "./targets.js";
import { DEFAULT_DECODER_ROUND, DEFAULT_TRAINING_SETTINGS, type TrainingSettings } from "./training.js";

/**
 * With the class prior: probability that a prompt's class inputs are zeroed in the density activation (drawn
 * independently of the objectness dropout), so the head keeps finding objects from the exemplar alone.
 */
export const CLASS_PRIOR_DROPOUT = 0.5;

/** Clicks of a batch as tensors: [B, P, K, 2] normalised by the crop size, and the mask [B, P, K]. */
function clickTensors(samples: readonly BatchSample[], size: number, P: number, K: number): { xy: tf.Tensor4D; mask: tf.Tensor3D } {
  const B = samples.length;
  const xy = new Float32Array(B * P * K * 2);
  const mask = new Float32Array(B * P * K);
  samples.forEach((s, b) => s.prompts.slice(0, P).forEach((p, j) => p.clicks.slice(0, K).forEach((c, k) => {
    const o = (b * P + j) * K + k;
    xy[o * 2] = c.x / size;
    xy[o * 2 + 1] = c.y / size;
    mask[o] = 1;
  })));
  return { xy: tf.tensor4d(xy, [B, P, K, 2]), mask: tf.tensor3d(mask, [B, P, K]) };
}

/**
 * One PG-CPP cycle (in place): every prompt gets one more click at the centre of a target it has not clicked yet.
 * "pgcpp": the target the current heatmap finds least (lowest peak probability in the 3x3 around its centre cell,
 * no score threshold); "random": a random unclicked target (each sample's own seeded Random).
 */
export function addCycleClicks(samples: readonly BatchSample[], heat: Float32Array, g: number, P: number, K: number, settings: TrainingSettings, rngs: readonly Random[]): void {
  samples.forEach((s, b) => s.prompts.slice(0, P).forEach((p, j) => {
    if (p.clicks.length >= K) return;
    const left = p.targets.filter((t) => !p.clickObjects.includes(t));
    if (left.length === 0) return;
    let pick: number;
    if (settings.prompting === "random") pick = rngs[b]!.pick(left);
    else {
      const found = new Float32Array(s.objects.length);
      const base = (b * P + j) * g * g;
      for (const t of left) {
        const { ix, iy } = centreCell(s.objects[t]!, g);
        let m = -Infinity;
        for (let y = Math.max(0, iy - 1); y <= Math.min(g - 1, iy + 1); y++) for (let x = Math.max(0, ix - 1); x <= Math.min(g - 1, ix + 1); x++) m = Math.max(m, heat[base + y * g + x]!);
        found[t] = m;
      }
      pick = pickLeastFound(found, left);
    }
    const o = s.objects[pick]!;
    p.clickObjects.push(pick);
    p.clicks.push({ x: (o.x1 + o.x2) / 2, y: (o.y1 + o.y2) / 2 });
  }));
}

/**
 * DEAL's loss on a batch whose samples carry prompts (every category of the crop, a first click each):
 * - objectness heatmap (focal, every non-ignored object), size and offset (L1), as the baseline's dense heads;
 *   with `classPrior`, the class-prior heatmaps (focal, per training class, as the baseline's; weight `obj`);
 * - the prompt heatmaps (focal, every target of each prompt), averaged over 1 + `promptCycles` rounds: after each
 *   round PG-CPP (or random) adds a click ({@link addCycleClicks}); the backbone runs once, only the prompt path
 *   re-runs;
 * - the decoder on the first round's queries (one click, as at inference; the default), or the last round's with
 *   `decoderRound: "last"` (one-to-one assignment per prompt; queries of another prompt's object are negatives).
 * Objectness dropout zeroes a prompt's objectness inputs with probability `objectnessDropout`.
 */
export function dealLoss(net: DetectorNetwork, batch: TrainBatch, w: LossWeights, settings: TrainingSettings = DEFAULT_TRAINING_SETTINGS): { total: tf.Scalar; terms: Record<string, tf.Scalar> } {
  const samples = batch.samples;
  const B = samples.length;
  const g = batch.size / FINE_STRIDE;
  const P = Math.max(1, ...samples.map((s) => s.prompts.length));
  const K = net.config.maxClicksPerPrompt;
  const rngs = samples.map((s) => new Random(s.seed));
  const t = denseTargets(samples, g, 1, () => 0);
  const e: Encoded = net.encode(batch.images);
  const keep = tf.tensor4d(t.ignore.map((v) => 1 - v), [B, g, g, 1]);
  const terms: Record<string, tf.Scalar> = {
    obj: focalLoss(e.dense.obj, t.obj, keep).mul(w.obj) as tf.Scalar,
    offset: weightedL1(e.dense.offset, t.offset, t.regWeight, t.objects).mul(w.offset) as tf.Scalar,
    size: weightedL1(e.dense.size, t.size, t.regWeight, t.objects).mul(w.size) as tf.Scalar,
  };
  if (e.dense.cls) {
    const nc = net.config.numClasses;
    terms.cls = focalLoss(e.dense.cls, classTargets(samples, g, nc, batch.classOf), keep).mul(w.obj) as tf.Scalar;
  }
  const pt = promptTargets(samples, g, P);
  const promptKeep = keep.reshape([B, 1, g, g]).mul(tf.tensor4d(pt.mask, [B, P, 1, 1]));
  // Per-prompt keep masks [B, P] (0 with probability p), drawn from each sample's own Random.
  const keepMask = (p: number): tf.Tensor2D => {
    const m = new Float32Array(B * P);
    for (let b = 0; b < B; b++) for (let j = 0; j < P; j++) m[b * P + j] = rngs[b]!.bool(p) ? 0 : 1;
    return tf.tensor2d(m, [B, P]);
  };
  const dropout: InputDropout = { obj: keepMask(settings.objectnessDropout) };
  if (net.config.classPrior) dropout.cls = keepMask(CLASS_PRIOR_DROPOUT);
  const rounds: tf.Scalar[] = [];
  let heat: tf.Tensor4D | null = null;
  let ex: Exemplar | null = null;
  let first: { heat: tf.Tensor4D; ex: Exemplar } | null = null;
  for (let c = 0; c <= settings.promptCycles; c++) {
    if (c > 0) addCycleClicks(samples, heat!.dataSync() as Float32Array, g, P, K, settings, rngs);
    const { xy, mask } = clickTensors(samples, batch.size, P, K);
    ex = embedExemplars(e.f, e.dense, xy, mask, e.pix);
    heat = net.promptHeat(e, ex, dropout);
    if (c === 0) first = { heat, ex };
    rounds.push(focalLoss(heat, pt.heat, promptKeep));
  }
  // The decoder's round: the first (one click, as at inference) or the last (all clicks).
  if ((settings.decoderRound ?? DEFAULT_DECODER_ROUND) === "first") ({ heat, ex } = first!);
  terms.prompt = (tf.addN(rounds).div(rounds.length) as tf.Scalar).mul(w.prompt) as tf.Scalar;
  if (net.hasDecoder) {
    const qs = allocateQueries(heat!.dataSync() as Float32Array, { batch: B, prompts: P, h: g, w: g }, e.dense.size.dataSync() as Float32Array,
      e.dense.offset.dataSync() as Float32Array, net.config, (b, j) => j < samples[b]!.prompts.length);
    const objectsOf = (b: number) => samples[b]!.objects;
    const assigned = assignQueries(qs, objectsOf, (b, j) => samples[b]!.prompts[j]!.targets);
    const out = net.decode(e, batch.images, qs, net.queryContext(e, ex, qs, batch.size, batch.size));
    Object.assign(terms, decoderTerms(out, qs, assigned, objectsOf, w));
  }
  return { total: tf.addN(Object.values(terms)) as tf.Scalar, terms };
}
