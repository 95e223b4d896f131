import { tf } from "../backend/tf.js";
import { SIZE_REF_PX, type ModelConfig } from "./config.js";
import { FeedForward, LayerNorm, Linear, Mlp, MultiHeadAttention } from "./layers.js";
import { bilinearSample, stopGradient } from "./ops.js";
import type { ParamStore } from "./params.js";

/** Side of the box-aligned sampling lattice. */
export const ROI_GRID = 5;
/** The lattice spans this many times the query's box (context around tiny objects). */
export const ROI_SPAN = 2;

/** What the decoder returns per layer: boxes [B, Q, 4] (cx, cy px; log(w/8), log(h/8)) and score logits [B, Q]. */
export interface DecoderOutput {
  boxes: tf.Tensor3D[];
  logits: tf.Tensor2D[];
}

/** The decoder's inputs for a padded batch of queries (see query-allocation.ts). */
export interface DecoderInput {
  /** Initial boxes [B, Q, 4] (constants). */
  boxes: tf.Tensor3D;
  /** Initial score logits [B, Q] (constants). */
  logits: tf.Tensor2D;
  /** [B, Q] 1 = real query. */
  mask: tf.Tensor2D;
  /** Per-query context [B, Q, contextDim] (DEAL: the prompt's exemplar; both: the stride-4 map at the query). */
  context: tf.Tensor3D;
}

/**
 * The DETR-style refinement decoder (RT-DETR's iterative refinement, with box-aligned sampling in place of
 * deformable attention, and queries initialised from the dense predictions). Per layer: pre-norm self-attention
 * over all queries of the image (padding masked; queries of different prompts see each other, so a candidate can be
 * given to the prompt it matches best), a box-aligned lattice (ROI_GRID^2 points spanning ROI_SPAN x the box)
 * sampling the stride-2 map and the image pixels, an FFN, then a box delta (centre in units of the box size, log
 * size) and a score-logit delta. Boxes are detached between layers; every layer is supervised.
 */
export class Decoder {
  private readonly inProj: Linear;
  private readonly pos: Mlp;
  private readonly saNorm: LayerNorm[] = [];
  private readonly sa: MultiHeadAttention[] = [];
  private readonly roi: Linear[] = [];
  private readonly roiNorm: LayerNorm[] = [];
  private readonly ffn: FeedForward[] = [];
  private readonly boxHead: Linear[] = [];
  private readonly scoreHead: Linear[] = [];
  private readonly fine: number;

  constructor(store: ParamStore, cfg: ModelConfig, contextDim: number) {
    const d = cfg.decoderDim;
    this.fine = cfg.fineWidth;
    this.inProj = new Linear(store, "decoder.in", cfg.fineWidth + contextDim + 3, d);
    this.pos = new Mlp(store, "decoder.pos", [4, d, d]);
    for (let i = 0; i < cfg.decoderLayers; i++) {
      this.saNorm.push(new LayerNorm(store, `decoder.layer${i}.saNorm`, d));
      this.sa.push(new MultiHeadAttention(store, `decoder.layer${i}.sa`, d, cfg.heads));
      this.roi.push(new Linear(store, `decoder.layer${i}.roi`, ROI_GRID * ROI_GRID * (cfg.fineWidth + 3), d));
      this.roiNorm.push(new LayerNorm(store, `decoder.layer${i}.roiNorm`, d));
      this.ffn.push(new FeedForward(store, `decoder.layer${i}.ffn`, d, 2 * d));
      this.boxHead.push(new Linear(store, `decoder.layer${i}.box`, d, 4, { small: true }));
      this.scoreHead.push(new Linear(store, `decoder.layer${i}.score`, d, 1, { small: true }));
    }
  }

  /** f2 [B, h, w, fine] and the normalised images [B, H, W, 3] (H = 2h); boxes are in px of that input. */
  apply(f2: tf.Tensor4D, images: tf.Tensor4D, q: DecoderInput): DecoderOutput {
    const [b, nq] = q.mask.shape;
    const [, imgH, imgW] = images.shape;
    const toNorm = tf.tensor1d([1 / imgW, 1 / imgH]);
    const lattice = latticeOffsets();
    const centre = (bx: tf.Tensor3D) => bx.slice([0, 0, 0], [b, nq, 2]);
    const logSize = (bx: tf.Tensor3D) => bx.slice([0, 0, 2], [b, nq, 2]);
    let box = q.boxes;
    let logit = q.logits;
    const atCentre = bilinearSample(f2, centre(box).mul(toNorm) as tf.Tensor3D);
    let x = this.inProj.apply(tf.concat([atCentre, q.context, logSize(box), logit.expandDims(-1)], -1)) as tf.Tensor3D;
    const out: DecoderOutput = { boxes: [], logits: [] };
    for (let i = 0; i < this.sa.length; i++) {
      const ref = stopGradient(box);
      const posCode = this.pos.apply(tf.concat([centre(ref).mul(toNorm), logSize(ref)], -1)) as tf.Tensor3D;
      const xn = this.saNorm[i]!.apply(x);
      const qk = xn.add(posCode) as tf.Tensor3D;
      x = x.add(this.sa[i]!.apply(qk, qk, xn, q.mask)) as tf.Tensor3D;
      const wh = tf.exp(logSize(ref)).mul(SIZE_REF_PX);
      const pts = centre(ref).reshape([b, nq, 1, 2]).add(wh.reshape([b, nq, 1, 2]).mul(lattice));
      const ptsNorm = pts.mul(toNorm).reshape([b, nq * ROI_GRID * ROI_GRID, 2]) as tf.Tensor3D;
      const sampled = tf.concat([bilinearSample(f2, ptsNorm), bilinearSample(images, ptsNorm)], -1);
      x = this.roiNorm[i]!.apply(x.add(this.roi[i]!.apply(sampled.reshape([b, nq, ROI_GRID * ROI_GRID * (this.fine + 3)])))) as tf.Tensor3D;
      x = this.ffn[i]!.apply(x);
      const d = this.boxHead[i]!.apply(x) as tf.Tensor3D;
      box = tf.concat([centre(ref).add(d.slice([0, 0, 0], [b, nq, 2]).mul(wh)), logSize(ref).add(d.slice([0, 0, 2], [b, nq, 2]))], -1) as tf.Tensor3D;
      logit = logit.add(this.scoreHead[i]!.apply(x).reshape([b, nq])) as tf.Tensor2D;
      out.boxes.push(box);
      out.logits.push(logit);
    }
    return out;
  }
}

function latticeOffsets(): tf.Tensor4D {
  const offs: number[] = [];
  for (let gy = 0; gy < ROI_GRID; gy++) {
    for (let gx = 0; gx < ROI_GRID; gx++) offs.push(((gx + 0.5) / ROI_GRID - 0.5) * ROI_SPAN, ((gy + 0.5) / ROI_GRID - 0.5) * ROI_SPAN);
  }
  return tf.tensor4d(offs, [1, 1, ROI_GRID * ROI_GRID, 2]);
}

/** Decoded xyxy (px) of an encoded box (cx, cy, log(w/8), log(h/8)) at offset `o` of a flat array. */
export function decodeBoxXyxy(boxes: ArrayLike<number>, o: number): [number, number, number, number] {
  const w = Math.exp(boxes[o + 2]!) * SIZE_REF_PX, h = Math.exp(boxes[o + 3]!) * SIZE_REF_PX;
  return [boxes[o]! - w / 2, boxes[o + 1]! - h / 2, boxes[o]! + w / 2, boxes[o + 1]! + h / 2];
}
