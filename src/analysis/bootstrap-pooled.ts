import { DealkitConfigError } from "../util/errors.js";
import { imageWeightedEvaluator } from "./bootstrap-eval.js";
import { bootstrapGtData, type BootstrapDt, type BootstrapGt } from "./bootstrap-input.js";
import { pairedBootstrapRuns, type BootstrapOptions, type PairedBootstrapResult } from "./bootstrap.js";

/** One run of a multi-seed comparison: A's and B's detections on the test set for one (training seed, click seed). */
export interface PooledRun {
  a: BootstrapDt;
  b: BootstrapDt;
  /** For the record only (not used in the computation). */
  trainSeed?: number;
  clickSeed?: number;
}

/**
 * Paired percentile bootstrap over images, pooled across runs (e.g. 3 training seeds x 5 click seeds): every
 * sample draws ONE image multiset (n of the n test images, with replacement), evaluates every run's A and B on
 * it, and records the mean over runs of (A_r - B_r). Rows report A and B as the mean over runs of the full-set
 * values, `diff` as the mean over runs of A_r - B_r, and the interval / p of that mean over the samples.
 * Defaults as {@link pairedBootstrap}: 1000 samples, seed 0, level 0.95, p2sod class-agnostic, all AP/AR numbers.
 *
 * What the interval means: the uncertainty of the seed-averaged difference that comes from the finite test set
 * (which images it happened to contain), with the runs held fixed. The runs' own spread (another training seed,
 * other clicks) is not resampled: report it beside this with {@link aggregateRuns} (a t interval over training
 * seeds). Cost: 2 x runs evaluations per sample, so 15 runs take about 15 times as long as one paired bootstrap.
 *
 * @example
 * const r = pooledPairedBootstrap(gtJson, runs.map((x) => ({ a: x.deal, b: x.baseline, trainSeed: x.ts, clickSeed: x.cs })), { metrics: ["AP@.75|all|1500"] });
 */
export function pooledPairedBootstrap(gt: BootstrapGt, runs: readonly PooledRun[], options: BootstrapOptions = {}): PairedBootstrapResult {
  if (runs.length === 0) throw new DealkitConfigError("pooledPairedBootstrap needs at least one run ({ a, b })");
  const g = bootstrapGtData(gt);
  return pairedBootstrapRuns(
    runs.map((r) => ({ a: imageWeightedEvaluator(g, r.a, options), b: imageWeightedEvaluator(g, r.b, options) })),
    options,
  );
}
