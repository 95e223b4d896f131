import { tf } from "../backend/tf.js";
import type { ModelConfig } from "./config.js";
import { Conv2d, LayerNorm, ResidualBlock } from "./layers.js";
import { scoped } from "./ops.js";
import type { ParamStore } from "./params.js";

/** The backbone's maps, finest first: the stride-2 stem, then one map per stage (strides 4, 8, 16, ...). */
export interface BackboneMaps {
  stem: tf.Tensor4D;
  stages: tf.Tensor4D[];
}

/**
 * The multi-scale convolutional backbone: a stride-2 stem, then one stage per entry of `widths`, each a stride-2
 * conv + channel LayerNorm + ReLU followed by `depths[i]` residual blocks. tiny: 16 / 24-48-96 channels, ~0.27 M
 * weights; `paper` is ResNet-50-sized. The stem map is kept: the stride-2 heads read it for fine detail.
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

  /**
   * x: normalised images [B, H, W, 3] (H, W multiples of the coarsest stride). `lean` (inference): each layer's
   * intermediate tensors are freed as soon as it is done (a fraction of the peak memory), and convolutions run fused
   * with their bias (the same values to float rounding; see Fused in layers.ts).
   */
  apply(x: tf.Tensor4D, lean = false): BackboneMaps {
    const stem = scoped(lean, () => (lean ? this.stem.apply(x, "relu") : tf.relu(this.stem.apply(x))) as tf.Tensor4D);
    let y = stem;
    const stages: tf.Tensor4D[] = [];
    this.downs.forEach((down, i) => {
      y = scoped(lean, () => tf.relu(this.norms[i]!.apply(down.apply(y, lean && "linear"))) as tf.Tensor4D);
      for (const block of this.blocks[i]!) y = scoped(lean, () => block.apply(y, lean));
      stages.push(y);
    });
    return { stem, stages };
  }
}
