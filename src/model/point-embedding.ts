import { tf } from "../backend/tf.js";
import type { DenseOutputs } from "./dense-heads.js";
import type { EnhancedFeatures } from "./hybrid-feature-enhancement.js";
import { bilinearSample, l2normalize } from "./ops.js";
import { pixelTemplateDims, pixelTemplates, type PixelPyramid } from "./pixel-match.js";

/**
 * A prompt's exemplar: what its clicks see. Each map is bilinearly sampled at every click; feature vectors are
 * L2-normalised, averaged over the prompt's clicks and normalised again; objectness and log size are averaged.
 * Shapes [B, P, C] for B images and P prompts.
 */
export interface Exemplar {
  embed: tf.Tensor3D;
  f2: tf.Tensor3D;
  f4: tf.Tensor3D;
  f8: tf.Tensor3D;
  /** Objectness logit at the clicks [B, P, 1]. */
  obj: tf.Tensor3D;
  /** Log size at the clicks [B, P, 2] (the clicked object's shape estimate). */
  size: tf.Tensor3D;
  /** `classPrior` models: the class-prior probabilities at the clicks [B, P, numClasses] (averaged); else null. */
  cls: tf.Tensor3D | null;
  /** `pixelMatch` models: the clicked pixels' templates, one [B, P, window^2 x 3] per level (pixel-match.ts); else null. */
  pix: tf.Tensor3D[] | null;
}

/** The config fields an exemplar vector's layout depends on. */
export interface ExemplarDims {
  embedDim: number;
  fineWidth: number;
  dModel: number;
  classPrior: boolean;
  numClasses: number;
  pixelMatch: boolean;
}

/**
 * The unit-length segments that lead an exemplar vector (matching embedding, stride-2, 4, 8 vectors, then with
 * `pixelMatch` the pixel templates); objectness (1), log size (2) and with `classPrior` the class probabilities follow.
 */
export function exemplarFeatureDims(d: ExemplarDims): number[] {
  return [d.embedDim, d.fineWidth, d.dModel, d.dModel, ...(d.pixelMatch ? pixelTemplateDims() : [])];
}

/** How many floats one click's exemplar vector holds (for PromptEmbedding vectors). */
export function exemplarLength(d: ExemplarDims): number {
  return exemplarFeatureDims(d).reduce((a, b) => a + b, 0) + 3 + (d.classPrior ? d.numClasses : 0);
}

/**
 * Point Embedding: the exemplar of each prompt. clickXyNorm [B, P, K, 2] are (x, y) in [0, 1] of the padded input,
 * clickMask [B, P, K] marks real clicks. No position code enters the exemplar: it describes what was clicked, not
 * where, so it can be matched everywhere. `pix` (pixelMatch models): the encoding's pixel-matching images.
 */
export function embedExemplars(f: EnhancedFeatures, dense: DenseOutputs, clickXyNorm: tf.Tensor4D, clickMask: tf.Tensor3D, pix: PixelPyramid | null = null): Exemplar {
  const [b, p, k] = clickMask.shape;
  const xy = clickXyNorm.reshape([b, p * k, 2]) as tf.Tensor3D;
  const m = clickMask.reshape([b, p, k, 1]);
  const denom = m.sum(2).maximum(1e-6);
  const pool = (t: tf.Tensor3D, normalise: boolean): tf.Tensor3D => {
    const x = normalise ? l2normalize(t) : t;
    const mean = x.reshape([b, p, k, -1]).mul(m).sum(2).div(denom) as tf.Tensor3D;
    return normalise ? l2normalize(mean) : mean;
  };
  return {
    embed: pool(bilinearSample(dense.embed!, xy), true),
    f2: pool(bilinearSample(f.f2, xy), true),
    f4: pool(bilinearSample(f.f4, xy), true),
    f8: pool(bilinearSample(f.f8, xy), true),
    obj: pool(bilinearSample(dense.obj, xy), false),
    size: pool(bilinearSample(dense.size, xy), false),
    cls: dense.cls ? pool(tf.sigmoid(bilinearSample(dense.cls, xy)) as tf.Tensor3D, false) : null,
    pix: pix ? pixelTemplates(pix, xy, clickMask) : null,
  };
}

/** Per-click exemplar vectors [N, L] (concatenated fields, P = N, K = 1) -> an Exemplar for one image with N prompts. */
export function exemplarFromVectors(vectors: tf.Tensor2D, dims: ExemplarDims): Exemplar {
  const n = vectors.shape[0];
  const features = exemplarFeatureDims(dims);
  const parts = tf.split(vectors, [...features, 1, 2, ...(dims.classPrior ? [dims.numClasses] : [])], 1).map((t) => t.reshape([1, n, -1]) as tf.Tensor3D);
  const [embed, f2, f4, f8] = parts.splice(0, 4);
  const pix = parts.splice(0, features.length - 4);
  const [obj, size, cls] = parts;
  return { embed: embed!, f2: f2!, f4: f4!, f8: f8!, obj: obj!, size: size!, cls: cls ?? null, pix: dims.pixelMatch ? pix : null };
}

/** An Exemplar of one image [1, P, *] as per-prompt vectors [P, L] (the inverse of exemplarFromVectors). */
export function exemplarToVectors(ex: Exemplar): tf.Tensor2D {
  const p = ex.embed.shape[1];
  return tf.concat([ex.embed, ex.f2, ex.f4, ex.f8, ...(ex.pix ?? []), ex.obj, ex.size, ...(ex.cls ? [ex.cls] : [])].map((t) => t.reshape([p, -1])), 1) as tf.Tensor2D;
}
