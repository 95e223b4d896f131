import { tf } from "../backend/tf.js";
import type { BatchSample, TrainBatch, TrainObject, TrainPrompt } from "../model/loss/batch.js";
import { normalizePixels } from "../model/ops.js";
import { DealkitConfigError } from "../util/errors.js";
import type { Random } from "../util/random.js";
import { paintNovelObjects } from "./novel-objects.js";
import { trainingTargets, type TrainSource } from "./source.js";

/** How training crops are drawn. Defaults: {@link DEFAULT_AUGMENT}. */
export interface AugmentOptions {
  /** Objects are rescaled by a factor drawn log-uniformly from [scaleMin, scaleMax] before cropping. */
  scaleMin: number;
  scaleMax: number;
  /** Probability of a random permutation of the colour channels (makes colour a prompt property, not a class cue). */
  channelPermutation: number;
  /** At most this many categories of a crop are prompted (DEAL). */
  maxPrompts: number;
  /** An object less visible than this fraction after cropping becomes an ignore region. */
  minVisible: number;
  /**
   * Probability that a crop gets procedural objects of one or two novel kinds (src/train/novel-objects.ts): prompted
   * like any category by DEAL, plain background for the baseline.
   */
  novelObjects: number;
  /**
   * Probability that a crop getting novel objects is instead a whole synthetic scene (novel kinds only, on a random
   * background; src/train/novel-objects.ts): domain randomisation for the prompt. 0 (off) unless set.
   */
  novelScenes: number;
}

/** Default {@link AugmentOptions}: scales 0.6-1.6, no channel permutation, 3 prompts, 50% visibility, no novel objects. */
export const DEFAULT_AUGMENT: Readonly<AugmentOptions> = Object.freeze({ scaleMin: 0.6, scaleMax: 1.6, channelPermutation: 0, maxPrompts: 3, minVisible: 0.5, novelObjects: 0, novelScenes: 0 });

const PERMUTATIONS = [[0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];

/** Checks augmentation options (ranges named in the error). */
export function resolveAugment(o: Partial<AugmentOptions> = {}): AugmentOptions {
  const a = { ...DEFAULT_AUGMENT, ...o };
  const num = (k: keyof AugmentOptions, lo: number, hi: number) => {
    const v = a[k];
    if (typeof v !== "number" || !Number.isFinite(v) || v < lo || v > hi) throw new DealkitConfigError(`train: augment.${k} must be a number in [${lo}, ${hi}]; got ${String(v).slice(0, 40)}`);
  };
  num("scaleMin", 0.05, 20);
  num("scaleMax", 0.05, 20);
  num("channelPermutation", 0, 1);
  num("maxPrompts", 1, 64);
  num("minVisible", 0, 1);
  num("novelObjects", 0, 1);
  num("novelScenes", 0, 1);
  if (a.scaleMin > a.scaleMax) throw new DealkitConfigError(`train: augment.scaleMin (${a.scaleMin}) must be <= scaleMax (${a.scaleMax})`);
  return a;
}

function pickImage(source: TrainSource, rng: Random): number {
  for (let tries = 0; tries < 20; tries++) {
    const i = rng.int(source.size);
    if (trainingTargets(source.get(i)).bboxesXywh.length > 0) return i;
  }
  return rng.int(source.size);
}

/** The first click of a prompt: half the time the object's centre, otherwise uniform in its central 80%. */
function firstClick(o: TrainObject, rng: Random): { x: number; y: number } {
  const cx = (o.x1 + o.x2) / 2, cy = (o.y1 + o.y2) / 2;
  if (rng.bool(0.5)) return { x: cx, y: cy };
  return { x: cx + (rng.next() - 0.5) * 0.8 * (o.x2 - o.x1), y: cy + (rng.next() - 0.5) * 0.8 * (o.y2 - o.y1) };
}

/**
 * Draws a batch of `crop` x `crop` training crops at native scale with scale augmentation: an image (preferring
 * images with objects), a scale s (log-uniform), a random crop window of side crop / s (padded with grey where it
 * leaves the image), a horizontal flip (p 0.5), optionally a colour-channel permutation and procedural novel objects
 * (or, with `novelScenes`, a whole synthetic scene of them, which drops the crop's own objects); objects cut to less
 * than `minVisible` of their area become ignore regions. For prompted training every category of the crop (up to
 * `maxPrompts`, in random order) becomes a prompt supervised with all its objects, with a first click on a random one.
 *
 * @example
 * const batch = drawBatch(source, 192, 4, rng, true);
 */
export function drawBatch(source: TrainSource, crop: number, batchSize: number, rng: Random, prompted: boolean, augment: Partial<AugmentOptions> = {}): TrainBatch {
  const a = resolveAugment(augment);
  const samples: BatchSample[] = [];
  const crops: tf.Tensor4D[] = [];
  for (let i = 0; i < batchSize; i++) {
    const index = pickImage(source, rng);
    const ex = source.get(index);
    const W = ex.image.width, H = ex.image.height;
    const s = Math.exp(rng.uniform(Math.log(a.scaleMin), Math.log(a.scaleMax)));
    const win = crop / s;
    const x0 = W > win ? rng.uniform(0, W - win) : rng.uniform(W - win, 0);
    const y0 = H > win ? rng.uniform(0, H - win) : rng.uniform(H - win, 0);
    const flip = rng.bool(0.5);
    const perm = rng.bool(a.channelPermutation) ? PERMUTATIONS[rng.int(PERMUTATIONS.length)]! : null;
    const objects: TrainObject[] = [];
    const gt = ex.groundTruth;
    for (let g = 0; g < gt.gtCategoryIds.length; g++) {
      let x1 = (gt.gtBoxesXyxy[4 * g]! - x0) * s, x2 = (gt.gtBoxesXyxy[4 * g + 2]! - x0) * s;
      const y1 = (gt.gtBoxesXyxy[4 * g + 1]! - y0) * s, y2 = (gt.gtBoxesXyxy[4 * g + 3]! - y0) * s;
      if (flip) [x1, x2] = [crop - x2, crop - x1];
      const cx1 = Math.max(0, x1), cy1 = Math.max(0, y1), cx2 = Math.min(crop, x2), cy2 = Math.min(crop, y2);
      if (cx2 <= cx1 || cy2 <= cy1) continue;
      const visible = ((cx2 - cx1) * (cy2 - cy1)) / Math.max(1e-9, (x2 - x1) * (y2 - y1));
      const ignore = !!gt.gtIgnore?.[g] || visible < a.minVisible || Math.min(cx2 - cx1, cy2 - cy1) < 1;
      objects.push({ x1: cx1, y1: cy1, x2: cx2, y2: cy2, categoryId: gt.gtCategoryIds[g]!, ignore });
    }
    const novel = paintNovelObjects(a.novelObjects, crop, objects, rng, -1, a.novelScenes);
    if (novel?.scene) objects.length = 0; // the synthetic scene covers the crop and its objects
    if (novel && prompted) objects.push(...novel.objects);
    const prompts: TrainPrompt[] = [];
    if (prompted) {
      const cats = [...new Set(objects.filter((o) => !o.ignore).map((o) => o.categoryId))].sort((p, q) => p - q);
      for (const categoryId of rng.shuffled(cats).slice(0, a.maxPrompts)) {
        const targets = objects.map((o, k) => (o.categoryId === categoryId && !o.ignore ? k : -1)).filter((k) => k >= 0);
        const first = targets[rng.int(targets.length)]!;
        prompts.push({ categoryId, targets, clicks: [firstClick(objects[first]!, rng)], clickObjects: [first] });
      }
    }
    samples.push({ index, objects, prompts, seed: rng.int(2 ** 31) });
    crops.push(tf.tidy(() => {
      // cropAndResize samples pixel centres: box corners at the first and last output pixel centres.
      const px = win / crop;
      const bx1 = (x0 + px / 2 - 0.5) / Math.max(1, W - 1), bx2 = (x0 + win - px / 2 - 0.5) / Math.max(1, W - 1);
      const by1 = (y0 + px / 2 - 0.5) / Math.max(1, H - 1), by2 = (y0 + win - px / 2 - 0.5) / Math.max(1, H - 1);
      const img = tf.tensor4d(ex.image.data, [1, H, W, 3], "int32").toFloat();
      let c = tf.image.cropAndResize(img, [[by1, flip ? bx2 : bx1, by2, flip ? bx1 : bx2]], [0], [crop, crop], "bilinear", 127.5) as tf.Tensor4D;
      if (perm) c = tf.gather(c, tf.tensor1d(perm, "int32"), 3) as tf.Tensor4D;
      if (novel) {
        const alpha = tf.tensor4d(novel.alpha, [1, crop, crop, 1]);
        c = c.mul(tf.scalar(1).sub(alpha)).add(tf.tensor4d(novel.colour, [1, crop, crop, 3]).mul(alpha)) as tf.Tensor4D;
      }
      return normalizePixels(c);
    }));
  }
  const images = tf.concat(crops, 0) as tf.Tensor4D;
  tf.dispose(crops);
  return { images, samples, size: crop, classOf: new Map(source.categoryIds.map((c, i) => [c, i])) };
}
