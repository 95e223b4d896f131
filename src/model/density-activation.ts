import { tf } from "../backend/tf.js";
import type { ModelConfig } from "./config.js";
import type { DenseOutputs } from "./dense-heads.js";
import type { EnhancedFeatures } from "./hybrid-feature-enhancement.js";
import { Linear } from "./layers.js";
import { l2normalize, upsampleNearest } from "./ops.js";
import type { ParamStore } from "./params.js";
import { PIXEL_LEVELS, pixelMatch, type PixelPyramid } from "./pixel-match.js";
import type { Exemplar } from "./point-embedding.js";

/** Per-location inputs of the density activation (see {@link DensityActivation}); 3 more with `pixelMatch`, 2 more with `classPrior`. */
export const DENSITY_FEATURES = 9;

/** Training-time input dropout of the density activation, per prompt [B, P]: 1 keeps, 0 zeroes. */
export interface InputDropout {
  obj: tf.Tensor2D;
  cls?: tf.Tensor2D;
}

/** The density activation's input count for a config. */
export function densityFeatures(cfg: Pick<ModelConfig, "classPrior" | "pixelMatch">): number {
  return DENSITY_FEATURES + (cfg.pixelMatch ? PIXEL_LEVELS.length : 0) + (cfg.classPrior ? 2 : 0);
}

/**
 * Point-guided density activation, exemplar-relative: for every prompt and every stride-2 location, the cosine
 * similarity between that location and the prompt's exemplar at four levels (matching embedding, stride-2, 4 and 8
 * maps: a learned correlation, as FamNet/BMNet+/SAFECount correlate exemplar and image features), the objectness
 * relative to the exemplar's and both absolute, and the absolute log-size difference to the clicked object (its
 * siblings have similar sizes) go through a small per-location network to one heatmap logit: "a centre of an
 * object like the clicked one". No absolute position enters. With `classPrior`, two more: the class match
 * sum_c p_loc(c) p_ex(c) between the class-prior probabilities at the location and at the clicks (for a click on a
 * training category, about that category's heatmap, the baseline's knowledge), and the clicks' total class
 * probability sum_c p_ex(c) (how much the click looks like any training category; low on a novel one, so the head can
 * lean on the similarities instead). With `pixelMatch`, before those, the NCC of the clicked pixels with every patch at
 * three scales (pixel-match.ts). `dropout` (training) multiplies the objectness inputs by `obj` [B, P] and the
 * class inputs by `cls` (default: `obj`): that dropout teaches the head to find objects from similarity alone.
 */
export class DensityActivation {
  private readonly l1: Linear;
  private readonly l2: Linear;
  private readonly l3: Linear;

  constructor(store: ParamStore, cfg: ModelConfig) {
    this.l1 = new Linear(store, "density.l1", densityFeatures(cfg), cfg.densityHidden);
    this.l2 = new Linear(store, "density.l2", cfg.densityHidden, cfg.densityHidden);
    this.l3 = new Linear(store, "density.l3", cfg.densityHidden, 1, { small: true });
    tf.tidy(() => this.l3.b!.assign(tf.fill([1], Math.log(0.01 / 0.99))));
  }

  /** Heatmap logits [B, P, h, w]. `fused` (inference): the per-location MLP in fused kernels (layers.ts). */
  apply(e: { f: EnhancedFeatures; dense: DenseOutputs; pix: PixelPyramid | null }, ex: Exemplar, dropout?: InputDropout, fused = false): tf.Tensor4D {
    const { f, dense } = e;
    const [b, h, w] = dense.obj.shape;
    const p = ex.embed.shape[1];
    const cosine = (map: tf.Tensor4D, e: tf.Tensor3D): tf.Tensor4D => {
      const [, mh, mw, c] = map.shape;
      const cs = tf.matMul(l2normalize(map.reshape([b, mh * mw, c]) as tf.Tensor3D), e, false, true).reshape([b, mh, mw, p]) as tf.Tensor4D;
      return upsampleNearest(cs, h / mh);
    };
    const keep = dropout ? dropout.obj.reshape([b, 1, 1, p]) : tf.ones([b, 1, 1, p]);
    const clsKeep = dropout?.cls ? dropout.cls.reshape([b, 1, 1, p]) : keep;
    const exObj = ex.obj.reshape([b, 1, 1, p]);
    // Broadcasting (not tile): tf.tile's gradient is one Add per tile. The inputs (9, plus 3 with pixel
    // matching and 2 with the class prior) are stacked as rows of an [inputs, N] matrix (N = B h w P) and transposed
    // to [N, inputs], in the order of density.l1's weight rows: a concat on
    // the last axis of [B, h, w, P, 1] maps has a 5-D split as its gradient, on wasm ~4x slower than a transpose
    // and contiguous slices.
    const rows = [
      cosine(dense.embed!, ex.embed),
      cosine(f.f2, ex.f2),
      cosine(f.f4, ex.f4),
      cosine(f.f8, ex.f8),
      dense.obj.sub(exObj).mul(keep),
      tf.sigmoid(dense.obj).mul(keep),
      tf.sigmoid(exObj).mul(keep).mul(tf.fill([b, h, w, p], 1)),
      ...[0, 1].map((k) => dense.size.slice([0, 0, 0, k], [b, h, w, 1]).sub(ex.size.slice([0, 0, k], [b, p, 1]).reshape([b, 1, 1, p])).abs()),
      ...(e.pix && ex.pix ? pixelMatch(e.pix, ex.pix) : []),
      ...(dense.cls && ex.cls ? classInputs(dense.cls, ex.cls, clsKeep) : []),
    ].map((t) => t.reshape([1, b * h * w * p]));
    const x = tf.concat(rows, 0).transpose(); // [B h w P, inputs]
    const hid = fused ? this.l2.apply(this.l1.apply(x, "relu"), "relu") : tf.relu(this.l2.apply(tf.relu(this.l1.apply(x))));
    return this.l3.apply(hid, fused && "linear").reshape([b, h, w, p]).transpose([0, 3, 1, 2]) as tf.Tensor4D;
  }
}

/** The two class-prior inputs [B, h, w, P]: class match and the clicks' total class probability (times `keep`). */
function classInputs(cls: tf.Tensor4D, exCls: tf.Tensor3D, keep: tf.Tensor): tf.Tensor4D[] {
  const [b, h, w, c] = cls.shape;
  const p = exCls.shape[1];
  const match = tf.matMul(tf.sigmoid(cls).reshape([b, h * w, c]) as tf.Tensor3D, exCls, false, true).reshape([b, h, w, p]);
  const total = exCls.sum(2).reshape([b, 1, 1, p]).mul(keep).mul(tf.fill([b, h, w, p], 1));
  return [match.mul(keep) as tf.Tensor4D, total as tf.Tensor4D];
}
