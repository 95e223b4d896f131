import { tf } from "../backend/tf.js";
import type { ModelConfig } from "./config.js";
import { Conv2d, LayerNorm } from "./layers.js";
import type { ParamStore } from "./params.js";

/** A residual block: x + conv(relu(LN(conv(x)))), the second conv starting near zero. */
class ResidualBlock {
  private readonly c1: Conv2d;
  private readonly c2: Conv2d;
  private readonly norm: LayerNorm;
  constructor(store: ParamStore, name: string, ch: number) {
    this.c1 = new Conv2d(store, `${name}.c1`, 3, ch, ch);
    this.norm = new LayerNorm(store, `${name}.norm`, ch);
    this.c2 = new Conv2d(store, `${name}.c2`, 3, ch, ch, 1, 0.1 * Math.sqrt(2 / (9 * ch)));
  }
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.relu(x.add(this.c2.apply(tf.relu(this.norm.apply(this.c1.apply(x)))))) as tf.Tensor4D;
  }
}

/**
 * The multi-scale convolutional backbone: a stride-2 stem, then one stage per entry of `widths`, each a
 * stride-2 conv + LayerNorm + ReLU followed by `depths[i]` residual blocks. Stage i has stride 2^(i+2), so
 * the outputs are the stride-4, 8, 16 (, 32) maps. `tiny` is ~40k weights; `paper` ~ResNet-50-sized.
 */
export class Backbone {
  private readonly stem: Conv2d;
  private readonly downs: Conv2d[] = [];
  private readonly norms: LayerNorm[] = [];
  private readonly blocks: ResidualBlock[][] = [];

  constructor(store: ParamStore, cfg: ModelConfig) {
    this.stem = new Conv2d(store, "backbone.stem", 3, 3, cfg.stemWidth, 2);
    let prev = cfg.stemWidth;
    cfg.widths.forEach((w, i) => {
      this.downs.push(new Conv2d(store, `backbone.stage${i}.down`, 3, prev, w, 2));
      this.norms.push(new LayerNorm(store, `backbone.stage${i}.norm`, w));
      const blocks: ResidualBlock[] = [];
      for (let j = 0; j < cfg.depths[i]!; j++) blocks.push(new ResidualBlock(store, `backbone.stage${i}.block${j}`, w));
      this.blocks.push(blocks);
      prev = w;
    });
  }

  /** x: normalised images [B, S, S, 3] -> one map per stage, finest first. */
  apply(x: tf.Tensor4D): tf.Tensor4D[] {
    let y = tf.relu(this.stem.apply(x)) as tf.Tensor4D;
    const outs: tf.Tensor4D[] = [];
    this.downs.forEach((down, i) => {
      y = tf.relu(this.norms[i]!.apply(down.apply(y))) as tf.Tensor4D;
      for (const block of this.blocks[i]!) y = block.apply(y);
      outs.push(y);
    });
    return outs;
  }
}
