import { FINE_STRIDE, SIZE_REF_PX } from "../config.js";
import type { BatchSample, TrainObject } from "./batch.js";

/** The CenterNet Gaussian's std in stride-2 cells: max(0.5, 0.15 * sqrt(w * h)) with w, h in cells. */
export function gaussianSigma(o: TrainObject): number {
  return Math.max(0.5, 0.15 * Math.sqrt(((o.x2 - o.x1) / FINE_STRIDE) * ((o.y2 - o.y1) / FINE_STRIDE)));
}

/** The stride-2 cell holding an object's centre, and the centre in cells. */
export function centreCell(o: TrainObject, g: number): { ix: number; iy: number; cx: number; cy: number } {
  const cx = (o.x1 + o.x2) / 2 / FINE_STRIDE, cy = (o.y1 + o.y2) / 2 / FINE_STRIDE;
  return { ix: Math.min(g - 1, Math.max(0, Math.floor(cx))), iy: Math.min(g - 1, Math.max(0, Math.floor(cy))), cx, cy };
}

/**
 * Splats an object's Gaussian (max with what is there) into channel `c` of a g x g x `channels` map; the centre cell
 * is exactly 1 (a positive of the focal loss).
 */
export function splatGaussian(heat: Float32Array, g: number, channels: number, c: number, o: TrainObject): void {
  const { ix, iy } = centreCell(o, g);
  const s = gaussianSigma(o);
  const r = Math.ceil(3 * s);
  for (let y = Math.max(0, iy - r); y <= Math.min(g - 1, iy + r); y++) {
    for (let x = Math.max(0, ix - r); x <= Math.min(g - 1, ix + r); x++) {
      const v = Math.exp(-((x - ix) ** 2 + (y - iy) ** 2) / (2 * s * s));
      const k = (y * g + x) * channels + c;
      if (v > heat[k]!) heat[k] = v;
    }
  }
}

/** Dense targets of a batch on the g x g stride-2 grid of the crops. */
export interface DenseTargets {
  /** [B, g, g, C] centre heatmaps (C = 1 for DEAL's objectness, numClasses for the baseline). */
  obj: Float32Array;
  /** [B, g, g] 1 inside ignore regions (no negatives there). */
  ignore: Float32Array;
  /** [B, g, g] regression weights: each object's 3x3 neighbourhood, Gaussian weights summing to 1 per object. */
  regWeight: Float32Array;
  /** [B, g, g, 2] sub-cell offsets of the owning object's centre from each cell's centre, in cells. */
  offset: Float32Array;
  /** [B, g, g, 2] log(w / 8), log(h / 8) of the owning object. */
  size: Float32Array;
  /** [B] the number of objects each sample regresses (its share of the regression loss is divided by it). */
  objects: Float32Array;
}

/**
 * Objectness (or per-class) heatmaps, ignore mask and regression targets. Each object regresses offset and size at
 * the 3x3 cells around its centre cell with Gaussian weights normalised to sum to 1 (every object counts once,
 * whatever its size); where objects overlap, a cell belongs to the object with the larger weight.
 */
export function denseTargets(samples: readonly BatchSample[], g: number, channels: number, channelOf: (categoryId: number) => number): DenseTargets {
  const B = samples.length, n = g * g;
  const t: DenseTargets = {
    obj: new Float32Array(B * n * channels), ignore: new Float32Array(B * n), regWeight: new Float32Array(B * n),
    offset: new Float32Array(B * n * 2), size: new Float32Array(B * n * 2), objects: new Float32Array(B),
  };
  samples.forEach((s, b) => {
    const best = new Float32Array(n);
    for (const o of s.objects) {
      if (o.ignore) {
        const x1 = Math.max(0, Math.floor(o.x1 / FINE_STRIDE)), x2 = Math.min(g, Math.ceil(o.x2 / FINE_STRIDE));
        const y1 = Math.max(0, Math.floor(o.y1 / FINE_STRIDE)), y2 = Math.min(g, Math.ceil(o.y2 / FINE_STRIDE));
        for (let y = y1; y < y2; y++) for (let x = x1; x < x2; x++) t.ignore[b * n + y * g + x] = 1;
        continue;
      }
      t.objects[b]! += 1;
      splatGaussian(t.obj.subarray(b * n * channels, (b + 1) * n * channels), g, channels, channels === 1 ? 0 : channelOf(o.categoryId), o);
      const { ix, iy, cx, cy } = centreCell(o, g);
      const sg = gaussianSigma(o);
      const cells: [number, number, number][] = [];
      let total = 0;
      for (let y = Math.max(0, iy - 1); y <= Math.min(g - 1, iy + 1); y++) {
        for (let x = Math.max(0, ix - 1); x <= Math.min(g - 1, ix + 1); x++) {
          const wv = Math.exp(-((x - ix) ** 2 + (y - iy) ** 2) / (2 * sg * sg));
          cells.push([x, y, wv]);
          total += wv;
        }
      }
      for (const [x, y, w0] of cells) {
        const wv = w0 / total;
        const k = y * g + x;
        if (wv <= best[k]!) continue;
        best[k] = wv;
        const kk = b * n + k;
        t.regWeight[kk] = wv;
        t.offset[kk * 2] = cx - (x + 0.5);
        t.offset[kk * 2 + 1] = cy - (y + 0.5);
        t.size[kk * 2] = Math.log(Math.max(0.5, o.x2 - o.x1) / SIZE_REF_PX);
        t.size[kk * 2 + 1] = Math.log(Math.max(0.5, o.y2 - o.y1) / SIZE_REF_PX);
      }
    }
  });
  return t;
}

/** Heatmap targets [B, P, g, g] of prompts (every target object of each prompt) and the prompt mask [B, P]. */
export function promptTargets(samples: readonly BatchSample[], g: number, P: number): { heat: Float32Array; mask: Float32Array } {
  const n = g * g;
  const heat = new Float32Array(samples.length * P * n);
  const mask = new Float32Array(samples.length * P);
  samples.forEach((s, b) => s.prompts.slice(0, P).forEach((p, j) => {
    mask[b * P + j] = 1;
    const h = heat.subarray((b * P + j) * n, (b * P + j + 1) * n);
    for (const t of p.targets) splatGaussian(h, g, 1, 0, s.objects[t]!);
  }));
  return { heat, mask };
}

/**
 * Class-prior heatmap targets [B, g, g, numClasses] (DEAL with `classPrior`): each non-ignored object's Gaussian in
 * its class's channel, as the baseline's; objects whose category is not a training class (procedural novel kinds)
 * are negatives of every channel.
 */
export function classTargets(samples: readonly BatchSample[], g: number, numClasses: number, classOf: ReadonlyMap<number, number>): Float32Array {
  const n = g * g;
  const heat = new Float32Array(samples.length * n * numClasses);
  samples.forEach((s, b) => {
    for (const o of s.objects) {
      const c = classOf.get(o.categoryId);
      if (o.ignore || c === undefined || c >= numClasses) continue;
      splatGaussian(heat.subarray(b * n * numClasses, (b + 1) * n * numClasses), g, numClasses, c, o);
    }
  });
  return heat;
}
