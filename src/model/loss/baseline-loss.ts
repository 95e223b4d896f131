import { tf } from "../../backend/tf.js";
import { FINE_STRIDE } from "../config.js";
import type { DetectorNetwork } from "../network.js";
import { assignQueries, decoderTerms } from "./assignment.js";
import type { TrainBatch } from "./batch.js";
import { focalLoss, weightedL1, type LossWeights } from "./losses.js";
import { allocateQueries, strongestClassHeat } from "../query-allocation.js";
import { denseTargets } from "./targets.js";
import type { TrainingLoss } from "./training.js";

/**
 * The baseline's loss: per-class centre heatmaps (focal), size and offset (L1), and the decoder over queries from
 * the strongest class's peaks, every non-ignored object a target (one "prompt" per image).
 */
export function baselineLoss(net: DetectorNetwork, batch: TrainBatch, w: LossWeights): TrainingLoss {
  const B = batch.samples.length;
  const g = batch.size / FINE_STRIDE;
  const nc = net.config.numClasses;
  const t = denseTargets(batch.samples, g, nc, (c) => batch.classOf.get(c) ?? 0);
  const e = net.encode(batch.images);
  const keep = tf.tensor4d(t.ignore.map((v) => 1 - v), [B, g, g, 1]);
  const terms: Record<string, tf.Scalar> = {
    obj: focalLoss(e.dense.obj, t.obj, keep).mul(w.obj) as tf.Scalar,
    offset: weightedL1(e.dense.offset, t.offset, t.regWeight, t.objects).mul(w.offset) as tf.Scalar,
    size: weightedL1(e.dense.size, t.size, t.regWeight, t.objects).mul(w.size) as tf.Scalar,
  };
  if (net.hasDecoder) {
    const { heat, classOf } = strongestClassHeat(e.dense.obj.dataSync() as Float32Array, B * g * g, nc);
    const qs = allocateQueries(heat, { batch: B, prompts: 1, h: g, w: g }, e.dense.size.dataSync() as Float32Array, e.dense.offset.dataSync() as Float32Array, net.config, () => true, classOf);
    const objectsOf = (b: number) => batch.samples[b]!.objects;
    const assigned = assignQueries(qs, objectsOf, (b) => batch.samples[b]!.objects.map((o, k) => (o.ignore ? -1 : k)).filter((k) => k >= 0));
    const out = net.decode(e, batch.images, qs, net.queryContext(e, null, qs, batch.size, batch.size));
    Object.assign(terms, decoderTerms(out, qs, assigned, objectsOf, w));
  }
  return { total: tf.addN(Object.values(terms)) as tf.Scalar, terms };
}
