import { DealkitConfigError } from "../util/errors.js";
import { Random } from "../util/random.js";
import { imageWeightedEvaluator, type ImageWeightedEvaluator } from "./bootstrap-eval.js";
import { bootstrapGtData, type BootstrapDt, type BootstrapGt, type ImageWeightedOptions } from "./bootstrap-input.js";

/**
 * Percentile bootstrap over images. Each sample draws as many images as the test set holds, uniformly with
 * replacement (an image drawn k times counts k times), evaluates on that multiset with the project's
 * pycocotools-exact evaluator, and records the metric; the interval is the (1-level)/2 and 1-(1-level)/2
 * percentiles of the samples (numpy's default linear interpolation). Paired: detectors compared on the same
 * draw, so what varies is only which images the test set happened to contain.
 */

/** Options of {@link pairedBootstrap}, {@link bootstrapInterval} and {@link pooledPairedBootstrap}. */
export interface BootstrapOptions extends ImageWeightedOptions {
  /** Number of bootstrap samples; default 1000. */
  samples?: number;
  /** The seed, or a seeded Random (it is advanced); default 0. */
  seed?: Random | number;
  /** Two-sided interval level in (0, 1); default 0.95 (percentiles 2.5 and 97.5). */
  level?: number;
}

/** One metric of a paired bootstrap: A, B and the interval of A - B. */
export interface PairedBootstrapRow {
  /** Summary label, e.g. `AP@.50|all|1500`. */
  metric: string;
  /** A's and B's value on the full test set (-1 where pycocotools gives -1: no GT in range). */
  a: number;
  b: number;
  /** A - B on the full test set (NaN where undefined). */
  diff: number;
  /** Mean of A - B over the samples. */
  meanDiff: number;
  /** Percentile interval of A - B over the samples. */
  lo: number;
  hi: number;
  /** Fraction of samples with A - B <= 0: a one-sided bootstrap p for "A better than B". */
  p: number;
  /** Samples where the metric is defined (a drawn set may hold no GT of a size bin: that sample is left out). */
  samples: number;
  /** A - B per sample, NaN where undefined (for histograms). */
  draws: Float64Array;
}

/** The result of a paired bootstrap, with what is needed to reproduce it. */
export interface PairedBootstrapResult {
  rows: PairedBootstrapRow[];
  /** Samples drawn, the seed, the interval level and the number of test images. */
  samples: number;
  seed: number;
  level: number;
  images: number;
  /** Number of (A, B) runs pooled: 1 for {@link pairedBootstrap}. */
  runs: number;
}

/**
 * The q-quantile (0..1) of the non-NaN values, numpy's default (`linear`) method; NaN when there are none.
 *
 * @example
 * bootstrapQuantile(Float64Array.of(1, 2, 3, 4), 0.5); // 2.5
 */
export function bootstrapQuantile(values: ArrayLike<number>, q: number): number {
  const v = Float64Array.from(Array.prototype.filter.call(values, (x: number) => !Number.isNaN(x)) as number[]).sort();
  if (v.length === 0) return NaN;
  const h = (v.length - 1) * q;
  const lo = Math.floor(h);
  return lo + 1 < v.length ? v[lo]! + (h - lo) * (v[lo + 1]! - v[lo]!) : v[lo]!;
}

function checkOptions(options: BootstrapOptions): { samples: number; rng: Random; level: number } {
  const samples = options.samples ?? 1000;
  if (!(Number.isInteger(samples) && samples >= 1)) throw new DealkitConfigError(`samples must be an integer >= 1; got ${samples}`);
  const level = options.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new DealkitConfigError(`level must be in (0, 1); got ${level}`);
  const seed = options.seed ?? 0;
  const rng = typeof seed === "number" ? new Random(seed) : seed;
  return { samples, rng, level };
}

/** Summary of per-sample values: mean, percentile interval, fraction <= 0 and the count, NaN left out. */
interface Spread { mean: number; lo: number; hi: number; p: number; samples: number; draws: Float64Array }

/**
 * The bootstrap engine: `stat(weights)` gives one value per label (NaN where undefined) for an image
 * multiset; each sample draws n images with replacement from the n images.
 */
function bootstrapStat(nImgs: number, L: number, stat: (w: Int32Array) => Float64Array, options: BootstrapOptions): {
  spreads: Spread[]; samples: number; seed: number; level: number;
} {
  const { samples, rng, level } = checkOptions(options);
  if (nImgs === 0) throw new DealkitConfigError("the ground truth has no images to draw");
  const diffs = new Float64Array(L * samples);
  const w = new Int32Array(nImgs);
  for (let i = 0; i < samples; i++) {
    w.fill(0);
    for (let j = 0; j < nImgs; j++) w[rng.int(nImgs)]!++;
    const v = stat(w);
    for (let l = 0; l < L; l++) diffs[l * samples + i] = v[l]!;
  }
  const q = (1 - level) / 2;
  const spreads = Array.from({ length: L }, (_, l): Spread => {
    const draws = diffs.slice(l * samples, (l + 1) * samples);
    let n = 0, sum = 0, le = 0;
    for (const d of draws) {
      if (Number.isNaN(d)) continue;
      n++; sum += d;
      if (d <= 0) le++;
    }
    return { mean: n ? sum / n : NaN, lo: bootstrapQuantile(draws, q), hi: bootstrapQuantile(draws, 1 - q), p: n ? le / n : NaN, samples: n, draws };
  });
  return { spreads, samples, seed: rng.seed, level };
}

/**
 * Paired bootstrap of the mean over runs of (A_r - B_r) from ready evaluators (one run: the plain paired
 * bootstrap); {@link pairedBootstrap} and {@link pooledPairedBootstrap} are the entry points.
 */
export function pairedBootstrapRuns(
  runs: readonly { a: ImageWeightedEvaluator; b: ImageWeightedEvaluator }[], options: BootstrapOptions,
): PairedBootstrapResult {
  if (runs.length === 0) throw new DealkitConfigError("at least one run (a pair of A and B detections) is needed");
  const nImgs = runs[0]!.a.nImgs;
  const labels = runs[0]!.a.labels;
  const L = labels.length;
  const R = runs.length;
  const fullA = new Float64Array(L);
  const fullB = new Float64Array(L);
  const meanDiff = (w: Int32Array, full: boolean): Float64Array => {
    const sum = new Float64Array(L);
    for (const run of runs) {
      const va = run.a.evaluate(w);
      const vb = run.b.evaluate(w);
      for (let l = 0; l < L; l++) {
        // -1 is pycocotools' "no GT in this range": the same for A and B, as they share the GT.
        sum[l]! += va[l]! < 0 || vb[l]! < 0 ? NaN : va[l]! - vb[l]!;
        if (full) { fullA[l]! += va[l]! / R; fullB[l]! += vb[l]! / R; }
      }
    }
    return sum.map((s) => s / R);
  };
  const fullDiff = meanDiff(new Int32Array(nImgs).fill(1), true);
  const r = bootstrapStat(nImgs, L, (w) => meanDiff(w, false), options);
  const rows = labels.map((metric, l): PairedBootstrapRow => {
    const s = r.spreads[l]!;
    return { metric, a: fullA[l]!, b: fullB[l]!, diff: fullDiff[l]!, meanDiff: s.mean, lo: s.lo, hi: s.hi, p: s.p, samples: s.samples, draws: s.draws };
  });
  return { rows, samples: r.samples, seed: r.seed, level: r.level, images: nImgs, runs: R };
}

/**
 * Paired percentile bootstrap over images of detector A minus detector B on the same ground truth.
 * Each of `samples` (default 1000) samples draws n of the n test images with replacement (seeded, default seed
 * 0), evaluates A and B on that same multiset with the protocol (default `p2sod`, class-agnostic) and records
 * A - B per metric (default: the protocol's AP/AR numbers). The interval is the 2.5 and 97.5 percentiles
 * (level 0.95); `p` is the fraction of samples with A - B <= 0. Exact: each sample's numbers are what
 * cocoEvaluate gives on the drawn multiset (see {@link imageWeightedEvaluator}); the images are matched once.
 *
 * What the interval means: how much A - B would move if the test set were another draw of as many images from
 * the same distribution, with both models, their training and their clicks held fixed. It does not cover
 * training-seed or click-seed variation (see {@link aggregateRuns} and {@link pooledPairedBootstrap}).
 *
 * @example
 * const r = pairedBootstrap(gtJson, dealResults, baselineResults, { metrics: ["AP@.50|all|1500", "AP@.75|all|1500"], seed: 1 });
 * r.rows[0]; // { metric: "AP@.50|all|1500", a, b, diff, meanDiff, lo, hi, p, samples, draws }
 */
export function pairedBootstrap(gt: BootstrapGt, dtA: BootstrapDt, dtB: BootstrapDt, options: BootstrapOptions = {}): PairedBootstrapResult {
  const g = bootstrapGtData(gt);
  return pairedBootstrapRuns([{ a: imageWeightedEvaluator(g, dtA, options), b: imageWeightedEvaluator(g, dtB, options) }], options);
}

/** One metric of {@link bootstrapInterval}. */
export interface BootstrapIntervalRow {
  metric: string;
  /** The value on the full test set (-1: no GT in range). */
  value: number;
  /** Mean over the samples, percentile interval, samples where defined, and the per-sample values. */
  mean: number;
  lo: number;
  hi: number;
  samples: number;
  draws: Float64Array;
}

/**
 * Percentile bootstrap interval over images of one detector's metrics (same method and defaults as
 * {@link pairedBootstrap}: 1000 samples, seed 0, level 0.95, p2sod class-agnostic).
 *
 * @example
 * bootstrapInterval(gtJson, results, { metrics: ["AP@.50|all|1500"] }).rows[0]; // { value, mean, lo, hi, ... }
 */
export function bootstrapInterval(gt: BootstrapGt, dt: BootstrapDt, options: BootstrapOptions = {}): {
  rows: BootstrapIntervalRow[]; samples: number; seed: number; level: number; images: number;
} {
  const ev = imageWeightedEvaluator(bootstrapGtData(gt), dt, options);
  const full = ev.evaluate(new Int32Array(ev.nImgs).fill(1));
  const r = bootstrapStat(ev.nImgs, ev.labels.length, (w) => ev.evaluate(w).map((v) => (v < 0 ? NaN : v)), options);
  return {
    rows: ev.labels.map((metric, l) => {
      const s = r.spreads[l]!;
      return { metric, value: full[l]!, mean: s.mean, lo: s.lo, hi: s.hi, samples: s.samples, draws: s.draws };
    }),
    samples: r.samples, seed: r.seed, level: r.level, images: ev.nImgs,
  };
}
