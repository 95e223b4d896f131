import { tf } from "../backend/tf.js";
import type { ModelConfig } from "./config.js";
import { FeedForward, LayerNorm, Linear, MultiHeadAttention } from "./layers.js";
import { bilinearSample, sineEncoding } from "./ops.js";
import type { ParamStore } from "./params.js";
import type { EnhancedFeatures } from "./hybrid-feature-enhancement.js";

/**
 * Point Embedding: each click becomes a d-vector.
 * e0 = Linear(bilinear sample of the fine map at the click) + Linear(sinusoidal code of the click position);
 * then `pointLayers` pre-norm cross-attention layers (query e + position code, keys the global-context tokens
 * + their code) and feed-forward blocks. The clicks of one prompt are averaged (masked mean) and normalised
 * into the prompt embedding the density head and the decoder read.
 */
export class PointEmbedding {
  private readonly featProj: Linear;
  private readonly posProj: Linear;
  private readonly norms: LayerNorm[] = [];
  private readonly attn: MultiHeadAttention[] = [];
  private readonly ffn: FeedForward[] = [];
  private readonly outNorm: LayerNorm;
  private readonly d: number;

  constructor(store: ParamStore, cfg: ModelConfig) {
    const d = cfg.dModel;
    this.d = d;
    this.featProj = new Linear(store, "point.feat", d, d);
    this.posProj = new Linear(store, "point.pos", d, d);
    for (let i = 0; i < cfg.pointLayers; i++) {
      this.norms.push(new LayerNorm(store, `point.layer${i}.norm`, d));
      this.attn.push(new MultiHeadAttention(store, `point.layer${i}.attn`, d, cfg.heads));
      this.ffn.push(new FeedForward(store, `point.layer${i}.ffn`, d, cfg.ffnDim));
    }
    this.outNorm = new LayerNorm(store, "point.out", d);
  }

  /** Per-click embeddings [B, K, d] for clicks at normalised positions xyNorm [B, K, 2]. */
  embed(feats: EnhancedFeatures, xyNorm: tf.Tensor3D): tf.Tensor3D {
    const [b] = xyNorm.shape;
    const sampled = bilinearSample(feats.fine, xyNorm);
    const pos = sineEncoding(xyNorm, this.d / 2) as tf.Tensor3D;
    let e = this.featProj.apply(sampled).add(this.posProj.apply(pos)) as tf.Tensor3D;
    const n = feats.context.shape[1];
    const keys = feats.context.add(feats.contextPos) as tf.Tensor3D;
    for (let i = 0; i < this.attn.length; i++) {
      const q = this.norms[i]!.apply(e).add(pos) as tf.Tensor3D;
      e = e.add(this.attn[i]!.apply(q, keys, feats.context)) as tf.Tensor3D;
      e = this.ffn[i]!.apply(e);
    }
    void n;
    void b;
    return e;
  }

  /** Prompt embeddings [B, d]: the masked mean of click embeddings [B, K, d] (mask [B, K], 1 = real click). */
  pool(clickEmb: tf.Tensor3D, clickMask: tf.Tensor2D): tf.Tensor2D {
    const m = clickMask.expandDims(-1);
    const sum = clickEmb.mul(m).sum(1);
    const cnt = m.sum(1).maximum(1);
    return this.outNorm.apply(sum.div(cnt)) as tf.Tensor2D;
  }
}
