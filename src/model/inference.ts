import { tf } from "../backend/tf.js";
import { coarsestStride, FINE_STRIDE, type ModelConfig } from "./config.js";
import { decodeBoxXyxy } from "./decoder.js";
import type { Encoded, DetectorNetwork } from "./network.js";
import type { Exemplar } from "./point-embedding.js";
import { DETECT_DEFAULTS, type DetectOptions } from "../structures/detector.js";
import type { RgbImage } from "../structures/image.js";
import { iouXyxy } from "../structures/iou.js";
import { imageToPaddedInput, tidyObject } from "./ops.js";
import { selectCandidates, type Candidate } from "./postprocess.js";
import { allocateQueries, inferenceQueryBudget, type QuerySet } from "./query-allocation.js";

/** Frees an encoded batch's tensors. */
export function disposeEncoded(e: Encoded): void {
  const d = e.dense;
  tf.dispose([e.f.f2, e.f.f4, e.f.f8, d.obj, d.size, d.offset, ...(d.embed ? [d.embed] : []), ...(d.cls ? [d.cls] : []), ...(e.pix ? [...e.pix.levels, ...e.pix.norms] : [])]);
}

/**
 * Bytes one image of width x height needs while {@link DetectorNetwork.encode} runs lean (an upper bound of the
 * peak, from tf.profile: micro 92, tiny 290, small 452 bytes per input pixel; the stride-2 maps dominate, about
 * nine live maps of the widest stride-2 width, plus the input): 12 x that width + 24 bytes per pixel.
 */
export function encodeBytesPerImage(cfg: Pick<ModelConfig, "fineWidth" | "stemWidth" | "embedDim" | "widths">, width: number, height: number): number {
  const m = coarsestStride(cfg);
  const px = Math.ceil(width / m) * m * Math.ceil(height / m) * m;
  return px * (12 * Math.max(cfg.fineWidth, cfg.stemWidth, cfg.embedDim) + 24);
}

/** Memory one batched encode may take, per thread (each worker has its own heap): 512 MiB. */
export const ENCODE_BATCH_BUDGET_BYTES = 512 * 2 ** 20;
/** The most images one batched encode takes, whatever the memory bound says. */
export const MAX_ENCODE_BATCH = 8;

/**
 * The memory bound on a batch of width x height images: as many as fit {@link ENCODE_BATCH_BUDGET_BYTES} by
 * {@link encodeBytesPerImage}, at least 1 and at most {@link MAX_ENCODE_BATCH} (tiny, 512 px slices: 5).
 */
export function encodeBatchLimit(cfg: Pick<ModelConfig, "fineWidth" | "stemWidth" | "embedDim" | "widths">, width: number, height: number): number {
  return Math.max(1, Math.min(MAX_ENCODE_BATCH, Math.floor(ENCODE_BATCH_BUDGET_BYTES / encodeBytesPerImage(cfg, width, height))));
}

/**
 * Encodes equal-size images in one batch (lean: a batch dimension through backbone, HFE and dense heads), then
 * calls `fn` once per image, in order, with that image's padded input [1, H, W, 3] and encoding (slices of the
 * batch), as if it had been encoded alone; every tensor is freed before returning.
 */
export async function withEncodedBatch<T>(net: DetectorNetwork, images: readonly RgbImage[], fn: (input: tf.Tensor4D, e: Encoded, index: number) => Promise<T>): Promise<T[]> {
  const { width, height } = images[0]!;
  if (images.some((im) => im.width !== width || im.height !== height)) throw new Error("withEncodedBatch: the images must have one size");
  const input = tf.tidy(() => tf.concat(images.map((im) => imageToPaddedInput(im, net.padMultiple)), 0)) as tf.Tensor4D;
  const out: T[] = [];
  try {
    const e = tidyObject(() => net.encode(input, true));
    try {
      for (let i = 0; i < images.length; i++) {
        const one = tidyObject(() => {
          const pick = <R extends tf.Rank>(t: tf.Tensor<R>) => t.slice(i, 1) as tf.Tensor<R>;
          const d = e.dense;
          return {
            input: pick(input),
            e: { f: { f2: pick(e.f.f2), f4: pick(e.f.f4), f8: pick(e.f.f8) }, dense: { obj: pick(d.obj), size: pick(d.size), offset: pick(d.offset), embed: d.embed ? pick(d.embed) : null, cls: d.cls ? pick(d.cls) : null }, pix: e.pix ? { levels: e.pix.levels.map(pick), norms: e.pix.norms.map(pick) } : null },
          };
        });
        try {
          out.push(await fn(one.input, one.e, i));
        } finally {
          disposeEncoded(one.e);
          one.input.dispose();
        }
      }
    } finally {
      disposeEncoded(e);
    }
  } finally {
    input.dispose();
  }
  return out;
}

/** Final boxes (encoded, px of the padded input) and scores (probabilities) of every query. */
export interface QueryResults {
  queries: QuerySet;
  boxes: Float32Array;
  scores: Float32Array;
}

/**
 * Inference after the heatmap: query allocation on the heat logits [1, P, h, w] (read back), the decoder (when the
 * config has one) and the read-back of its last layer. Without a decoder the dense boxes and heat scores are the
 * results. `classOf` (baseline) is each cell's class.
 */
export async function decodeQueries(net: DetectorNetwork, input: tf.Tensor4D, e: Encoded, heat: Float32Array, prompts: number, ex: Exemplar | null, classOf?: Int32Array): Promise<QueryResults> {
  const [, h, w] = e.dense.obj.shape;
  const [size, offset] = (await Promise.all([e.dense.size.data(), e.dense.offset.data()])) as Float32Array[];
  const qs = allocateQueries(heat, { batch: 1, prompts, h, w }, size, offset, inferenceQueryBudget(net.config), () => true, classOf);
  if (!net.hasDecoder) {
    return { queries: qs, boxes: qs.boxes, scores: qs.logits.map((v) => 1 / (1 + Math.exp(-v))) };
  }
  const [boxesT, scoresT] = tf.tidy(() => {
    const out = net.decode(e, input, qs, net.queryContext(e, ex, qs, w * FINE_STRIDE, h * FINE_STRIDE));
    return [out.boxes[out.boxes.length - 1]!, tf.sigmoid(out.logits[out.logits.length - 1]!)];
  });
  const [boxes, scores] = (await Promise.all([boxesT!.data(), scoresT!.data()])) as Float32Array[];
  tf.dispose([boxesT!, scoresT!]);
  return { queries: qs, boxes, scores };
}

/**
 * Candidates of one group of queries (a prompt, or every query of the baseline), boxes clipped to the image, then
 * {@link selectCandidates} (score threshold, NMS, max detections).
 */
export function groupCandidates(r: QueryResults, accept: (q: number) => boolean, label: (q: number) => { categoryId: number; clickIndex: number }, width: number, height: number, options: DetectOptions): Candidate[] {
  const cands: Candidate[] = [];
  const n = r.queries.batch * r.queries.perImage;
  for (let q = 0; q < n; q++) {
    if (!r.queries.mask[q] || !accept(q)) continue;
    const [x1, y1, x2, y2] = decodeBoxXyxy(r.boxes, q * 4);
    cands.push({
      x1: Math.max(0, x1), y1: Math.max(0, y1), x2: Math.min(width, x2), y2: Math.min(height, y2),
      score: r.scores[q]!,
      ...label(q),
    });
  }
  return selectCandidates(cands, options);
}

/**
 * Prompt ownership: a box belongs to the prompt that scores it highest. Candidates of several prompts of one image,
 * best first; one is dropped when it overlaps (IoU > `nmsIou`, the within-prompt NMS threshold; >= 1 switches it
 * off) a kept candidate of another prompt (another `clickIndex`). The baseline's classes get the same treatment
 * from its single NMS over all queries, so DEAL and the baseline both return one box per object.
 */
export function ownCandidates(cands: readonly Candidate[], options: DetectOptions): Candidate[] {
  const nmsIou = options.nmsIou ?? DETECT_DEFAULTS.nmsIou;
  if (nmsIou >= 1) return [...cands];
  const sorted = cands.map((c, i) => [c, i] as const).sort((a, b) => b[0].score - a[0].score || a[1] - b[1]).map(([c]) => c);
  const kept: Candidate[] = [];
  const box = (c: Candidate) => [c.x1, c.y1, c.x2, c.y2];
  for (const c of sorted) {
    if (kept.some((k) => k.clickIndex !== c.clickIndex && iouXyxy(box(k), 0, box(c), 0) > nmsIou)) continue;
    kept.push(c);
  }
  return kept;
}
