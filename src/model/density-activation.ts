import { tf } from "../backend/tf.js";
import type { ModelConfig } from "./config.js";
import { Conv2d, Linear } from "./layers.js";
import { unfold3x3 } from "./ops.js";
import type { ParamStore } from "./params.js";

/** The per-prompt maps of the density head. */
export interface DensityMaps {
  /** Centre-heatmap logits [B, H, W] (sigmoid -> probability that a prompted-category centre is here). */
  heatLogits: tf.Tensor3D;
  /** Density [B, H, W] >= 0; its integral estimates the number of prompted-category objects. */
  density: tf.Tensor3D;
}

/**
 * Point-guided density activation (CondInst-style dynamic head). The prompt embedding generates the weights
 * of a tiny two-layer network: a dynamic 3x3 conv (densityChannels -> densityHidden) + ReLU, then a dynamic
 * 1x1 conv (densityHidden -> 2). It runs over a shared 1x1 projection of the fine map, giving two channels:
 * a centre heatmap (focal loss against Gaussian-splatted centres) and a density whose sum is the count.
 * Static biases start the heatmap at prior 0.01 and the density near zero.
 */
export class DensityActivation {
  private readonly proj: Conv2d;
  private readonly gen1: Linear;
  private readonly gen2: Linear;
  private readonly outBias: tf.Variable;
  private readonly ck: number;
  private readonly hid: number;

  constructor(store: ParamStore, cfg: ModelConfig) {
    const d = cfg.dModel;
    this.ck = cfg.densityChannels;
    this.hid = cfg.densityHidden;
    this.proj = new Conv2d(store, "density.proj", 1, d, this.ck);
    this.gen1 = new Linear(store, "density.gen1", d, 9 * this.ck * this.hid + this.hid, { std: 0.5 / Math.sqrt(d) });
    this.gen2 = new Linear(store, "density.gen2", d, this.hid * 2 + 2, { std: 0.5 / Math.sqrt(d) });
    const bias = new Float32Array([-4.6, -6]);
    this.outBias = store.create("density.bias", [2], "zeros");
    tf.tidy(() => this.outBias.assign(tf.tensor1d(bias)));
  }

  /** The prompt-independent part: the unfolded projected fine map [B, H*W, 9*ck] (compute once per image). */
  prepare(fine: tf.Tensor4D): tf.Tensor3D {
    const [b, h, w] = fine.shape;
    return unfold3x3(this.proj.apply(fine)).reshape([b, h * w, 9 * this.ck]) as tf.Tensor3D;
  }

  /** Maps for prompts [B, d] over prepared features [B, H*W, 9ck] of a map of size h x w. */
  apply(prepared: tf.Tensor3D, prompt: tf.Tensor2D, h: number, w: number): DensityMaps {
    const b = prompt.shape[0];
    const ck9 = 9 * this.ck;
    const g1 = this.gen1.apply(prompt);
    const w1 = g1.slice([0, 0], [b, ck9 * this.hid]).reshape([b, ck9, this.hid]).mul(1 / Math.sqrt(ck9)) as tf.Tensor3D;
    const b1 = g1.slice([0, ck9 * this.hid], [b, this.hid]).reshape([b, 1, this.hid]);
    const g2 = this.gen2.apply(prompt);
    const w2 = g2.slice([0, 0], [b, this.hid * 2]).reshape([b, this.hid, 2]).mul(1 / Math.sqrt(this.hid)) as tf.Tensor3D;
    const b2 = g2.slice([0, this.hid * 2], [b, 2]).reshape([b, 1, 2]);
    const hidden = tf.relu(tf.matMul(prepared, w1).add(b1)) as tf.Tensor3D;
    const out = tf.matMul(hidden, w2).add(b2).add(this.outBias).reshape([b, h, w, 2]);
    const heatLogits = out.slice([0, 0, 0, 0], [b, h, w, 1]).reshape([b, h, w]) as tf.Tensor3D;
    const density = tf.softplus(out.slice([0, 0, 0, 1], [b, h, w, 1]).reshape([b, h, w])) as tf.Tensor3D;
    return { heatLogits, density };
  }
}
