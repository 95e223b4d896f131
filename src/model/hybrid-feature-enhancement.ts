import { tf } from "../backend/tf.js";
import type { BackboneMaps } from "./backbone.js";
import type { ModelConfig } from "./config.js";
import { Conv2d, type Fused, FeedForward, LayerNorm, Linear, MultiHeadAttention, SepConv } from "./layers.js";
import { gridCentres, scoped, sineEncoding, upsample2x } from "./ops.js";
import type { ParamStore } from "./params.js";

/** What the Hybrid Feature Enhancement hands to the heads. */
export interface EnhancedFeatures {
  /** The stride-2 map [B, H/2, W/2, fineWidth] the dense heads read. */
  f2: tf.Tensor4D;
  /** The fused stride-4 map [B, H/4, W/4, dModel]. */
  f4: tf.Tensor4D;
  /** The fused stride-8 map [B, H/8, W/8, dModel]. */
  f8: tf.Tensor4D;
}

/**
 * Hybrid Feature Enhancement: global context + fine local detail.
 * 1. Global branch: the coarsest map's tokens go through `contextLayers` transformer encoder layers
 *    (self-attention with a sinusoidal position code, as RT-DETR's AIFI), and an attention-pooled global vector
 *    (GCNet-style context block) is added to the stride-4 map.
 * 2. Local branch: a top-down pyramid (1x1 laterals, 2x nearest upsampling, sums) brings every stage to stride 4,
 *    smoothed by a separable 3x3 conv + LayerNorm; then to stride 2, fused with the backbone's stem map.
 */
export class HybridFeatureEnhancement {
  private readonly laterals: Conv2d[];
  private readonly attn: MultiHeadAttention[] = [];
  private readonly attnNorm: LayerNorm[] = [];
  private readonly ffn: FeedForward[] = [];
  private readonly poolLogit: Linear;
  private readonly gc1: Linear;
  private readonly gc2: Linear;
  private readonly smooth4: SepConv;
  private readonly norm4: LayerNorm;
  private readonly stemLateral: Conv2d;
  private readonly up2: Conv2d;
  private readonly smooth2: SepConv;
  private readonly norm2: LayerNorm;
  private readonly d: number;

  constructor(store: ParamStore, cfg: ModelConfig) {
    const d = (this.d = cfg.dModel);
    this.laterals = cfg.widths.map((w, i) => new Conv2d(store, `hfe.lateral${i}`, 1, w, d));
    for (let i = 0; i < cfg.contextLayers; i++) {
      this.attnNorm.push(new LayerNorm(store, `hfe.context${i}.norm`, d));
      this.attn.push(new MultiHeadAttention(store, `hfe.context${i}.attn`, d, cfg.heads));
      this.ffn.push(new FeedForward(store, `hfe.context${i}.ffn`, d, cfg.ffnDim));
    }
    this.poolLogit = new Linear(store, "hfe.gc.pool", d, 1, { bias: false }); // a bias would cancel in the softmax
    this.gc1 = new Linear(store, "hfe.gc.mlp1", d, Math.max(4, d / 4));
    this.gc2 = new Linear(store, "hfe.gc.mlp2", Math.max(4, d / 4), d, { small: true });
    this.smooth4 = new SepConv(store, "hfe.smooth4", d, d);
    this.norm4 = new LayerNorm(store, "hfe.norm4", d);
    this.stemLateral = new Conv2d(store, "hfe.stemLateral", 1, cfg.stemWidth, cfg.fineWidth);
    this.up2 = new Conv2d(store, "hfe.up2", 1, d, cfg.fineWidth);
    this.smooth2 = new SepConv(store, "hfe.smooth2", cfg.fineWidth, cfg.fineWidth);
    this.norm2 = new LayerNorm(store, "hfe.norm2", cfg.fineWidth);
  }

  /** `lean` (inference): intermediates freed block by block and fused kernels, as in Backbone.apply. */
  apply(maps: BackboneMaps, lean = false): EnhancedFeatures {
    const d = this.d;
    const f: Fused = lean && "linear"; // inference: fused kernels (layers.ts)
    const lat = maps.stages.map((s, i) => scoped(lean, () => this.laterals[i]!.apply(s, f)));
    let coarse = lat[lat.length - 1]!;
    const [b, h, w] = coarse.shape;
    const pos = tf.tidy(() => sineEncoding(gridCentres(h, w), d / 2).reshape([1, h * w, d])) as tf.Tensor3D;
    let tokens = coarse.reshape([b, h * w, d]) as tf.Tensor3D;
    for (let i = 0; i < this.attn.length; i++) {
      const t = tokens;
      tokens = scoped(lean, () => {
        const x = this.attnNorm[i]!.apply(t);
        const qk = x.add(pos) as tf.Tensor3D;
        return this.ffn[i]!.apply(t.add(this.attn[i]!.apply(qk, qk, x, undefined, lean)) as tf.Tensor3D, lean);
      });
    }
    coarse = tokens.reshape([b, h, w, d]) as tf.Tensor4D;
    const gc = scoped(lean, () => {
      const weights = tf.softmax(this.poolLogit.apply(tokens).reshape([b, h * w]), -1);
      const pooled = tf.matMul(weights.reshape([b, 1, h * w]) as tf.Tensor3D, tokens).reshape([b, d]);
      return (lean ? this.gc2.apply(this.gc1.apply(pooled, "relu"), "linear") : this.gc2.apply(tf.relu(this.gc1.apply(pooled)))).reshape([b, 1, 1, d]);
    });
    let fused = coarse;
    const pyramid: tf.Tensor4D[] = [coarse];
    for (let i = lat.length - 2; i >= 0; i--) {
      const above = fused;
      fused = scoped(lean, () => lat[i]!.add(upsample2x(above)) as tf.Tensor4D);
      pyramid.unshift(fused);
    }
    const f4 = scoped(lean, () => this.norm4.apply(tf.relu(fused.add(this.smooth4.apply(fused, f))).add(gc)) as tf.Tensor4D);
    const u = scoped(lean, () => this.stemLateral.apply(maps.stem, f).add(upsample2x(this.up2.apply(f4, f))) as tf.Tensor4D);
    const v = scoped(lean, () => tf.relu(u.add(this.smooth2.apply(u, f))) as tf.Tensor4D);
    const f2 = scoped(lean, () => this.norm2.apply(v));
    if (lean) tf.dispose([u, v]);
    return { f2, f4, f8: pyramid[1]! };
  }
}
