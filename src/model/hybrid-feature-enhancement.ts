import { tf } from "../backend/tf.js";
import type { ModelConfig } from "./config.js";
import { Conv2d, FeedForward, LayerNorm, Linear, MultiHeadAttention } from "./layers.js";
import { gridCentres, sineEncoding, upsample2x } from "./ops.js";
import type { ParamStore } from "./params.js";

/** What the Hybrid Feature Enhancement hands to the heads. */
export interface EnhancedFeatures {
  /** The fine stride-4 map [B, S/4, S/4, d] every head reads. */
  fine: tf.Tensor4D;
  /** The global-context tokens of the coarsest map [B, n, d] (point embeddings attend to them). */
  context: tf.Tensor3D;
  /** Positional code of `context` [1, n, d]. */
  contextPos: tf.Tensor3D;
}

/**
 * Hybrid Feature Enhancement: global context + fine local detail.
 * 1. Global branch: the coarsest map's tokens go through `contextLayers` transformer encoder layers
 *    (self-attention with a sinusoidal position code, as RT-DETR's AIFI), and an attention-pooled global
 *    vector (GCNet-style context block) is broadcast back onto the fine map.
 * 2. Local branch: a top-down pyramid (1x1 laterals, 2x nearest upsampling, sums) brings every stage to
 *    stride 4; a separable 3x3 conv + LayerNorm smooths the fused fine map.
 */
export class HybridFeatureEnhancement {
  private readonly laterals: Conv2d[];
  private readonly attn: MultiHeadAttention[] = [];
  private readonly attnNorm: LayerNorm[] = [];
  private readonly ffn: FeedForward[] = [];
  private readonly poolLogit: Linear;
  private readonly gcMlp1: Linear;
  private readonly gcMlp2: Linear;
  private readonly smoothDw: tf.Variable;
  private readonly smoothPw: Conv2d;
  private readonly norm: LayerNorm;
  private readonly d: number;

  constructor(store: ParamStore, cfg: ModelConfig) {
    const d = cfg.dModel;
    this.d = d;
    this.laterals = cfg.widths.map((w, i) => new Conv2d(store, `hfe.lateral${i}`, 1, w, d));
    for (let i = 0; i < cfg.contextLayers; i++) {
      this.attnNorm.push(new LayerNorm(store, `hfe.context${i}.norm`, d));
      this.attn.push(new MultiHeadAttention(store, `hfe.context${i}.attn`, d, cfg.heads));
      this.ffn.push(new FeedForward(store, `hfe.context${i}.ffn`, d, cfg.ffnDim));
    }
    this.poolLogit = new Linear(store, "hfe.gc.pool", d, 1, { bias: false }); // a bias would cancel in the softmax
    this.gcMlp1 = new Linear(store, "hfe.gc.mlp1", d, Math.max(4, d / 4));
    this.gcMlp2 = new Linear(store, "hfe.gc.mlp2", Math.max(4, d / 4), d, { small: true });
    this.smoothDw = store.create("hfe.smooth.dw", [3, 3, d, 1], { normal: Math.sqrt(1 / 9) });
    this.smoothPw = new Conv2d(store, "hfe.smooth.pw", 1, d, d);
    this.norm = new LayerNorm(store, "hfe.norm", d);
  }

  apply(stages: tf.Tensor4D[]): EnhancedFeatures {
    const d = this.d;
    const lat = stages.map((s, i) => this.laterals[i]!.apply(s));
    // Global branch on the coarsest map.
    let coarse = lat[lat.length - 1]!;
    const [b, h, w] = coarse.shape;
    const pos = tf.tidy(() => sineEncoding(gridCentres(h, w), d / 2).reshape([1, h * w, d])) as tf.Tensor3D;
    let tokens = coarse.reshape([b, h * w, d]) as tf.Tensor3D;
    for (let i = 0; i < this.attn.length; i++) {
      const x = this.attnNorm[i]!.apply(tokens);
      const qk = x.add(pos) as tf.Tensor3D;
      tokens = tokens.add(this.attn[i]!.apply(qk, qk, x)) as tf.Tensor3D;
      tokens = this.ffn[i]!.apply(tokens);
    }
    coarse = tokens.reshape([b, h, w, d]) as tf.Tensor4D;
    // Global context vector (attention pooling), added to the fine map below.
    const weights = tf.softmax(this.poolLogit.apply(tokens).reshape([b, h * w]), -1);
    const pooled = tf.matMul(weights.reshape([b, 1, h * w]) as tf.Tensor3D, tokens).reshape([b, d]);
    const gc = this.gcMlp2.apply(tf.relu(this.gcMlp1.apply(pooled))).reshape([b, 1, 1, d]);
    // Local branch: top-down fusion to stride 4.
    let fused = coarse;
    for (let i = lat.length - 2; i >= 0; i--) fused = lat[i]!.add(upsample2x(fused)) as tf.Tensor4D;
    const smoothed = this.smoothPw.apply(tf.depthwiseConv2d(fused, this.smoothDw as tf.Tensor4D, 1, "same"));
    const fine = this.norm.apply(tf.relu(fused.add(smoothed)).add(gc)) as tf.Tensor4D;
    return { fine, context: tokens, contextPos: pos };
  }
}
