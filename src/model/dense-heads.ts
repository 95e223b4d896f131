import { tf } from "../backend/tf.js";
import type { ModelConfig } from "./config.js";
import type { EnhancedFeatures } from "./hybrid-feature-enhancement.js";
import { Conv2d, type Fused, SepConv } from "./layers.js";
import { scoped } from "./ops.js";
import type { ParamStore } from "./params.js";

/** The dense predictions on the stride-2 grid (h = H/2, w = W/2). */
export interface DenseOutputs {
  /** Centre-heatmap logits [B, h, w, C]: C = 1 (DEAL: objectness of any category) or numClasses (baseline). */
  obj: tf.Tensor4D;
  /** Box size [B, h, w, 2]: log(w / 8), log(h / 8) in px (SIZE_REF_PX). */
  size: tf.Tensor4D;
  /** Sub-cell centre offset [B, h, w, 2] in cells, from the cell's centre. */
  offset: tf.Tensor4D;
  /** DEAL only: the matching embedding [B, h, w, embedDim] (unnormalised). */
  embed: tf.Tensor4D | null;
  /** DEAL with `classPrior` only: class-prior heatmap logits [B, h, w, numClasses] (one channel per training category). */
  cls: tf.Tensor4D | null;
}

/**
 * The localisation heads, shared by DEAL and its baseline (CenterNet-style, at stride 2): a residual separable
 * conv trunk on the stride-2 map, then 1x1 convs to the centre heatmap (bias at prior 0.01), the log size
 * (scale-invariant: every object size is a shift), the sub-cell offset (sub-pixel centres) and, for DEAL, the
 * matching embedding the exemplar is compared with, and (DEAL with `classPrior`) a heatmap per training category, as
 * the baseline's, that the density activation reads as a class prior.
 */
export class DenseHeads {
  private readonly trunk: SepConv;
  private readonly obj: Conv2d;
  private readonly size: Conv2d;
  private readonly offset: Conv2d;
  private readonly embed: Conv2d | null;
  private readonly cls: Conv2d | null;

  constructor(store: ParamStore, cfg: ModelConfig) {
    const c = cfg.fineWidth;
    const nObj = cfg.kind === "deal" ? 1 : cfg.numClasses;
    this.trunk = new SepConv(store, "heads.trunk", c, c);
    this.obj = new Conv2d(store, "heads.obj", 1, c, nObj, 1, 0.01);
    tf.tidy(() => this.obj.b.assign(tf.fill([nObj], Math.log(0.01 / 0.99))));
    this.size = new Conv2d(store, "heads.size", 1, c, 2, 1, 0.01);
    this.offset = new Conv2d(store, "heads.offset", 1, c, 2, 1, 0.01);
    this.embed = cfg.kind === "deal" ? new Conv2d(store, "heads.embed", 1, c, cfg.embedDim) : null;
    this.cls = cfg.kind === "deal" && cfg.classPrior ? new Conv2d(store, "heads.cls", 1, c, cfg.numClasses, 1, 0.01) : null;
    if (this.cls) tf.tidy(() => this.cls!.b.assign(tf.fill([cfg.numClasses], Math.log(0.01 / 0.99))));
  }

  /** `lean` (inference): the trunk's intermediates are freed once it is done, and the convs run fused (layers.ts). */
  apply(f: EnhancedFeatures, lean = false): DenseOutputs {
    const fu: Fused = lean && "linear"; // inference: fused kernels (layers.ts)
    const t = scoped(lean, () => tf.relu(f.f2.add(this.trunk.apply(f.f2, fu))) as tf.Tensor4D);
    return { obj: this.obj.apply(t, fu), size: this.size.apply(t, fu), offset: this.offset.apply(t, fu), embed: this.embed ? this.embed.apply(t, fu) : null,
      cls: this.cls ? this.cls.apply(t, fu) : null };
  }
}
