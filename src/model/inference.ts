import { tf } from "../backend/tf.js";
import { FINE_STRIDE } from "./config.js";
import { decodeBoxXyxy } from "./decoder.js";
import type { Encoded, DetectorNetwork } from "./network.js";
import type { Exemplar } from "./point-embedding.js";
import { DETECT_DEFAULTS, type DetectOptions } from "../structures/detector.js";
import { iouXyxy } from "../structures/iou.js";
import { selectCandidates, type Candidate } from "./postprocess.js";
import { allocateQueries, type QuerySet } from "./query-allocation.js";

/** Frees an encoded batch's tensors. */
export function disposeEncoded(e: Encoded): void {
  const d = e.dense;
  tf.dispose([e.f.f2, e.f.f4, e.f.f8, d.obj, d.size, d.offset, ...(d.embed ? [d.embed] : [])]);
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
  const qs = allocateQueries(heat, { batch: 1, prompts, h, w }, size, offset, net.config, () => true, classOf);
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
