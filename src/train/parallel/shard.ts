import { tf } from "../../backend/tf.js";
import type { BatchSample, TrainBatch } from "../../model/loss/batch.js";
import type { LossWeights } from "../../model/loss/losses.js";
import type { TrainableDetector, TrainingSettings } from "../../model/loss/training.js";
import type { ParamLayout } from "./layout.js";
import type { SampleLoss } from "./protocol.js";

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

/** What {@link claimGroups} needs of a batch: the pixels stay in the shared buffer, the rest travels as is. */
export interface SharedBatch {
  shape: [number, number, number, number];
  samples: BatchSample[];
  size: number;
  classOf: [number, number][] | ReadonlyMap<number, number>;
  lossWeights: LossWeights;
  settings: TrainingSettings;
  /** The groups of sample indices (partitionSamples), each computed in one pass. */
  groups: number[][];
}

/**
 * Claims groups of a batch one at a time (Atomics.add on `next`) until none is left, computes each one's loss and
 * gradient on `model` ({@link shardGradients} on a batch of the group's samples, in batch order) and writes the
 * gradient into slot `g` of `grads` (one slot of layout.size floats per group). Run by every thread of a step, the
 * main one included.
 */
export function claimGroups(model: TrainableDetector, layout: ParamLayout, b: SharedBatch, images: SharedArrayBuffer, next: Int32Array, grads: SharedArrayBuffer): SampleLoss[] {
  const [, S, S2, C] = b.shape;
  const per = S * S2 * C;
  const pixels = new Float32Array(images);
  const classOf = Array.isArray(b.classOf) ? new Map(b.classOf) : b.classOf;
  const out: SampleLoss[] = [];
  for (let g = Atomics.add(next, 0, 1); g < b.groups.length; g = Atomics.add(next, 0, 1)) {
    const members = b.groups[g]!;
    const contiguous = members.every((m, k) => m === members[0]! + k);
    const data = contiguous ? pixels.subarray(members[0]! * per, (members[0]! + members.length) * per) : new Float32Array(members.length * per);
    if (!contiguous) members.forEach((m, k) => data.set(pixels.subarray(m * per, (m + 1) * per), k * per));
    const image = tf.tensor4d(data, [members.length, S, S2, C]);
    try {
      const slot = new Float32Array(grads, g * layout.size * 4, layout.size);
      const r = shardGradients(model, layout, { images: image, samples: members.map((m) => b.samples[m]!), size: b.size, classOf }, b.lossWeights, b.settings, slot);
      out.push({ index: g, ...r });
    } finally {
      image.dispose();
    }
  }
  return out;
}
