import { tf } from "../backend/tf.js";
import type { ModelConfig } from "./config.js";
import { FeedForward, LayerNorm, Linear, Mlp, MultiHeadAttention } from "./layers.js";
import { bilinearSample, inverseSigmoid, stopGradient } from "./ops.js";
import type { ParamStore } from "./params.js";

/** Boxes (normalised cxcywh, [B, Q, 4]) and score logits ([B, Q, C]) of one decoder stage. */
export interface StageOutput {
  boxesCxcywhNorm: tf.Tensor3D;
  logits: tf.Tensor3D;
}

/**
 * Confidence head. DEAL (prompted): logit = Linear(x) + <x, W p> / sqrt(d), one logit "is an instance of the
 * prompted category". Baseline: Linear(x) -> one logit per class. Bias starts at prior 0.01.
 */
class ScoreHead {
  private readonly lin: Linear;
  private readonly promptProj: Linear | null;
  constructor(store: ParamStore, name: string, d: number, classes: number, prompted: boolean) {
    this.lin = new Linear(store, `${name}.lin`, d, classes);
    tf.tidy(() => this.lin.b!.assign(tf.fill([classes], -4.6)));
    this.promptProj = prompted ? new Linear(store, `${name}.prompt`, d, d) : null;
  }
  apply(x: tf.Tensor3D, prompt: tf.Tensor2D | null): tf.Tensor3D {
    let logit = this.lin.apply(x);
    if (this.promptProj && prompt) {
      const p = this.promptProj.apply(prompt).expandDims(1);
      logit = logit.add(x.mul(p).sum(-1, true).mul(1 / Math.sqrt(x.shape[2])));
    }
    return logit as tf.Tensor3D;
  }
}

/**
 * Single-scale multi-head deformable cross-attention (RT-DETR / Deformable DETR style): each query predicts
 * `points` sampling offsets per head around its reference box (offset / points * box size / 2) and softmax
 * weights; the value map is sampled bilinearly there.
 */
class DeformableCrossAttention {
  private readonly value: Linear;
  private readonly offsets: Linear;
  private readonly weights: Linear;
  private readonly out: Linear;
  constructor(store: ParamStore, name: string, private readonly d: number, private readonly heads: number, private readonly points: number) {
    this.value = new Linear(store, `${name}.value`, d, d);
    this.offsets = new Linear(store, `${name}.offsets`, d, heads * points * 2, { small: true });
    const bias = new Float32Array(heads * points * 2);
    for (let h = 0; h < heads; h++) {
      const a = (2 * Math.PI * h) / heads;
      const dx = Math.cos(a);
      const dy = Math.sin(a);
      const m = Math.max(Math.abs(dx), Math.abs(dy));
      for (let p = 0; p < points; p++) {
        bias[(h * points + p) * 2] = (dx / m) * (p + 1);
        bias[(h * points + p) * 2 + 1] = (dy / m) * (p + 1);
      }
    }
    tf.tidy(() => this.offsets.b!.assign(tf.tensor1d(bias)));
    this.weights = new Linear(store, `${name}.weights`, d, heads * points, { small: true });
    this.out = new Linear(store, `${name}.out`, d, d);
  }
  /** Projects the value map once: [B, H, W, d] -> [B*heads, H, W, d/heads]. */
  prepare(valueMap: tf.Tensor4D): tf.Tensor4D {
    const [b, h, w] = valueMap.shape;
    const dh = this.d / this.heads;
    return this.value.apply(valueMap).reshape([b, h, w, this.heads, dh]).transpose([0, 3, 1, 2, 4]).reshape([b * this.heads, h, w, dh]) as tf.Tensor4D;
  }
  apply(x: tf.Tensor3D, ref: tf.Tensor3D, value: tf.Tensor4D): tf.Tensor3D {
    const [b, q] = x.shape;
    const { heads, points } = this;
    const dh = this.d / heads;
    const off = this.offsets.apply(x).reshape([b, q, heads, points, 2]);
    const centre = ref.slice([0, 0, 0], [b, q, 2]).reshape([b, q, 1, 1, 2]);
    const size = ref.slice([0, 0, 2], [b, q, 2]).reshape([b, q, 1, 1, 2]);
    const loc = centre.add(off.mul(size).mul(0.5 / points));
    const locFlat = loc.transpose([0, 2, 1, 3, 4]).reshape([b * heads, q * points, 2]) as tf.Tensor3D;
    const sampled = bilinearSample(value, locFlat).reshape([b, heads, q, points, dh]);
    const attn = tf.softmax(this.weights.apply(x).reshape([b, q, heads, points]), -1).transpose([0, 2, 1, 3]).reshape([b, heads, q, points, 1]);
    const mixed = sampled.mul(attn).sum(3).transpose([0, 2, 1, 3]).reshape([b, q, this.d]);
    return this.out.apply(mixed) as tf.Tensor3D;
  }
}

class DecoderLayer {
  readonly n1: LayerNorm;
  readonly sa: MultiHeadAttention;
  readonly n2: LayerNorm;
  readonly ca: DeformableCrossAttention;
  readonly ffn: FeedForward;
  readonly n3: LayerNorm;
  readonly boxHead: Mlp;
  readonly scoreHead: ScoreHead;
  constructor(store: ParamStore, name: string, cfg: ModelConfig, classes: number, prompted: boolean) {
    const d = cfg.dModel;
    this.n1 = new LayerNorm(store, `${name}.n1`, d);
    this.sa = new MultiHeadAttention(store, `${name}.sa`, d, cfg.heads);
    this.n2 = new LayerNorm(store, `${name}.n2`, d);
    this.ca = new DeformableCrossAttention(store, `${name}.ca`, d, cfg.heads, cfg.decoderPoints);
    this.ffn = new FeedForward(store, `${name}.ffn`, d, cfg.ffnDim);
    this.n3 = new LayerNorm(store, `${name}.n3`, d);
    this.boxHead = new Mlp(store, `${name}.box`, [d, d, 4], { zeroLast: true });
    this.scoreHead = new ScoreHead(store, `${name}.score`, d, classes, prompted);
  }
}

/**
 * The RT-DETR-like decoder. Query init (as RT-DETR's encoder query selection): the content of each query is
 * the (density re-weighted) fine feature at its peak; an encoder box head turns it into an initial box around
 * the peak (aux-supervised). Each layer: query self-attention (padded queries masked out), deformable
 * cross-attention around the reference box, FFN, then iterative box refinement
 * (box = sigmoid(logit(ref) + delta), reference detached between layers, as Deformable DETR) and a
 * confidence head. The positional query is an MLP of the reference box.
 */
export class Decoder {
  private readonly encProj: Linear;
  private readonly encNorm: LayerNorm;
  private readonly encBox: Mlp;
  private readonly encScore: ScoreHead;
  private readonly promptProj: Linear | null;
  private readonly posMlp: Mlp;
  private readonly layers: DecoderLayer[] = [];
  private readonly whPrior: number;

  constructor(store: ParamStore, cfg: ModelConfig, classes: number, prompted: boolean) {
    const d = cfg.dModel;
    this.encProj = new Linear(store, "decoder.enc.proj", d, d);
    this.encNorm = new LayerNorm(store, "decoder.enc.norm", d);
    this.encBox = new Mlp(store, "decoder.enc.box", [d, d, 4], { zeroLast: true });
    this.encScore = new ScoreHead(store, "decoder.enc.score", d, classes, prompted);
    this.promptProj = prompted ? new Linear(store, "decoder.prompt", d, d) : null;
    this.posMlp = new Mlp(store, "decoder.pos", [4, 2 * d, d]);
    for (let i = 0; i < cfg.decoderLayers; i++) this.layers.push(new DecoderLayer(store, `decoder.layer${i}`, cfg, classes, prompted));
    // Initial box side ~ 12 px at the input size, a typical small object.
    const p = Math.min(0.5, 12 / cfg.inputSize);
    this.whPrior = Math.log(p / (1 - p));
  }

  /**
   * Runs the decoder. `valueMap` [B, H, W, d] is the (re-weighted) fine map, `indices` [B, Q] the flat query
   * positions, `centres` [B, Q, 2] their normalised centres, `mask` [B, Q] the allocated queries, `prompt`
   * [B, d] or null. Returns the encoder stage first, then one stage per layer.
   */
  apply(valueMap: tf.Tensor4D, indices: tf.Tensor2D, centres: tf.Tensor3D, mask: tf.Tensor2D, prompt: tf.Tensor2D | null): StageOutput[] {
    const [b, h, w, d] = valueMap.shape;
    const q = indices.shape[1];
    const flat = valueMap.reshape([b * h * w, d]);
    const offs = tf.range(0, b, 1, "int32").mul(tf.scalar(h * w, "int32")).reshape([b, 1]);
    const content = tf.gather(flat, indices.add(offs).reshape([b * q])).reshape([b, q, d]) as tf.Tensor3D;
    let tgt = this.encNorm.apply(this.encProj.apply(content)) as tf.Tensor3D;
    const encDelta = this.encBox.apply(tgt).add(tf.tensor1d([0, 0, this.whPrior, this.whPrior]));
    const encLogit = tf.concat([inverseSigmoid(centres), tf.zeros([b, q, 2])], -1).add(encDelta);
    const encBoxes = tf.sigmoid(encLogit) as tf.Tensor3D;
    const stages: StageOutput[] = [{ boxesCxcywhNorm: encBoxes, logits: this.encScore.apply(tgt, prompt) }];
    if (this.promptProj && prompt) tgt = tgt.add(this.promptProj.apply(prompt).expandDims(1)) as tf.Tensor3D;
    let ref = stopGradient(encBoxes);
    for (const layer of this.layers) {
      const pos = this.posMlp.apply(ref) as tf.Tensor3D;
      const x1 = layer.n1.apply(tgt);
      const qk = x1.add(pos) as tf.Tensor3D;
      tgt = tgt.add(layer.sa.apply(qk, qk, x1, mask)) as tf.Tensor3D;
      const value = layer.ca.prepare(valueMap);
      tgt = tgt.add(layer.ca.apply(layer.n2.apply(tgt).add(pos) as tf.Tensor3D, ref, value)) as tf.Tensor3D;
      tgt = layer.ffn.apply(tgt);
      const out = layer.n3.apply(tgt);
      const boxes = tf.sigmoid(inverseSigmoid(ref).add(layer.boxHead.apply(out))) as tf.Tensor3D;
      stages.push({ boxesCxcywhNorm: boxes, logits: layer.scoreHead.apply(out, prompt) });
      ref = stopGradient(boxes);
    }
    return stages;
  }
}
