import { tf } from "../backend/tf.js";
import { Backbone } from "./backbone.js";
import { coarsestStride, type ModelConfig } from "./config.js";
import { Decoder, type DecoderOutput } from "./decoder.js";
import { DenseHeads, type DenseOutputs } from "./dense-heads.js";
import { DensityActivation, type InputDropout } from "./density-activation.js";
import { HybridFeatureEnhancement, type EnhancedFeatures } from "./hybrid-feature-enhancement.js";
import { bilinearSample } from "./ops.js";
import { ParamStore } from "./params.js";
import { pixelPyramid, type PixelPyramid } from "./pixel-match.js";
import type { Exemplar } from "./point-embedding.js";
import type { QuerySet } from "./query-allocation.js";

/** An encoded batch: the enhanced feature maps and the dense predictions. */
export interface Encoded {
  f: EnhancedFeatures;
  dense: DenseOutputs;
  /** DEAL with `pixelMatch`: the pixel-matching pyramid (pixel-match.ts); else null. */
  pix: PixelPyramid | null;
}

/**
 * The network DEAL and its baseline share (one class, so the comparison is fair by construction): Backbone ->
 * Hybrid Feature Enhancement -> dense localisation heads at stride 2 -> (DEAL: density activation from the
 * exemplar) -> query allocation -> refinement decoder. Only DEAL builds the density activation and the matching
 * embedding; the baseline's heatmap has one channel per class.
 */
export class DetectorNetwork {
  readonly config: ModelConfig;
  readonly params: ParamStore;
  /** Images are zero-padded to multiples of this (the coarsest stride). */
  readonly padMultiple: number;
  private readonly backbone: Backbone;
  private readonly hfe: HybridFeatureEnhancement;
  private readonly heads: DenseHeads;
  private readonly density: DensityActivation | null;
  private readonly decoder: Decoder | null;

  constructor(config: ModelConfig, seed: number) {
    this.config = config;
    this.params = new ParamStore(seed);
    this.padMultiple = coarsestStride(config);
    this.backbone = new Backbone(this.params, config);
    this.hfe = new HybridFeatureEnhancement(this.params, config);
    this.heads = new DenseHeads(this.params, config);
    const deal = config.kind === "deal";
    this.density = deal ? new DensityActivation(this.params, config) : null;
    this.decoder = config.decoderLayers > 0 ? new Decoder(this.params, config, this.contextDim()) : null;
  }

  /** Whether boxes are refined by the decoder (decoderLayers > 0). */
  get hasDecoder(): boolean {
    return this.decoder !== null;
  }

  /**
   * Backbone + HFE + dense heads on normalised images [B, H, W, 3]. `lean` (inference only; call it inside a
   * tidy): every block frees its intermediate tensors when done, so the peak memory is a few maps per image
   * instead of every activation; the numbers are the same.
   */
  encode(images: tf.Tensor4D, lean = false): Encoded {
    const f = this.hfe.apply(this.backbone.apply(images, lean), lean);
    return { f, dense: this.heads.apply(f, lean), pix: this.config.pixelMatch ? pixelPyramid(images) : null };
  }

  /** DEAL's heatmap logits [B, P, h, w] for exemplars [B, P, *]; `fused`: inference kernels (layers.ts). */
  promptHeat(e: Encoded, ex: Exemplar, dropout?: InputDropout, fused = false): tf.Tensor4D {
    if (!this.density) throw new Error("promptHeat: the baseline has no density activation");
    return this.density.apply(e, ex, dropout, fused);
  }

  /** Per-query context [B, Q, contextDim]: DEAL: the query's prompt exemplar (embedding, stride-4 vector) and the stride-4 map at the query; baseline: the latter only. */
  queryContext(e: Encoded, ex: Exemplar | null, qs: QuerySet, imgW: number, imgH: number): tf.Tensor3D {
    const B = qs.batch, Q = qs.perImage;
    const xy = new Float32Array(B * Q * 2);
    for (let i = 0; i < B * Q; i++) {
      xy[i * 2] = qs.boxes[i * 4]! / imgW;
      xy[i * 2 + 1] = qs.boxes[i * 4 + 1]! / imgH;
    }
    const here = bilinearSample(e.f.f4, tf.tensor3d(xy, [B, Q, 2]));
    if (!ex) return here;
    const P = ex.embed.shape[1];
    const rows = new Int32Array(B * Q);
    for (let i = 0; i < B * Q; i++) rows[i] = Math.floor(i / Q) * P + Math.max(0, qs.prompt[i]!);
    const idx = tf.tensor1d(rows, "int32");
    const gather = (t: tf.Tensor3D) => tf.gather(t.reshape([B * P, -1]), idx).reshape([B, Q, -1]);
    return tf.concat([gather(ex.embed), gather(ex.f4), here], -1) as tf.Tensor3D;
  }

  /** The refinement decoder over allocated queries. */
  decode(e: Encoded, images: tf.Tensor4D, qs: QuerySet, context: tf.Tensor3D): DecoderOutput {
    if (!this.decoder) throw new Error("decode: this config has no decoder (decoderLayers 0)");
    const B = qs.batch, Q = qs.perImage;
    return this.decoder.apply(e.f.f2, images, {
      boxes: tf.tensor3d(qs.boxes, [B, Q, 4]),
      logits: tf.tensor2d(qs.logits, [B, Q]),
      mask: tf.tensor2d(qs.mask, [B, Q]),
      context,
    });
  }

  dispose(): void {
    this.params.dispose();
  }

  private contextDim(): number {
    const c = this.config;
    return c.kind === "deal" ? c.embedDim + 2 * c.dModel : c.dModel;
  }
}
