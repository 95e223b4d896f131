import * as fs from "node:fs";
import * as path from "node:path";
import { tf } from "../backend/tf.js";
import { DEFAULT_LOSS_WEIGHTS, type LossWeights } from "../model/loss/losses.js";
import { DECODER_ROUNDS, DEFAULT_DECODER_ROUND, DEFAULT_TRAINING_SETTINGS, PROMPTING_STRATEGIES, type DecoderRound, type PromptingStrategy, type TrainableDetector, type TrainingSettings } from "../model/loss/training.js";
import { checkOneOf, DealkitConfigError } from "../util/errors.js";
import { Random } from "../util/random.js";
import { drawBatch, resolveAugment, type AugmentOptions } from "./batch.js";
import { loadOptimizerState, loadWeightsInto, readManifest, saveCheckpoint } from "./checkpoint.js";
import { AdamW } from "./optimizer.js";
import { warmupCosine } from "./schedule.js";
import type { TrainSource } from "./source.js";
import { optimizeStep, type LossTerms } from "./step.js";
import { parallelStep, TrainWorkers } from "./parallel/index.js";

/** Options of {@link trainDetector}. Defaults in brackets. */
export interface TrainOptions {
  /** Total optimisation steps (the schedule spans them). */
  steps: number;
  /** Samples per step [4]. */
  batchSize?: number;
  /** Peak learning rate [2e-3]. */
  lr?: number;
  /** Linear warmup steps [min(100, steps / 10)]. */
  warmup?: number;
  /** AdamW decoupled weight decay [1e-4]. */
  weightDecay?: number;
  /** Global gradient-norm clip [5]. */
  clipNorm?: number;
  /** Seed of the data stream (images, flips, clicks) [0]. */
  seed?: number;
  /** DEAL: how extra clicks are chosen, "random" or "pgcpp" [pgcpp]. */
  prompting?: PromptingStrategy;
  /** DEAL: extra click cycles per prompt after the first click [1]. */
  promptCycles?: number;
  /** DEAL: probability of zeroing a prompt's objectness inputs [0.3]. */
  objectnessDropout?: number;
  /** DEAL: the prompt round the decoder trains on, "first" (one click, as at inference) or "last" [first]. */
  decoderRound?: DecoderRound;
  /** Crop augmentation (scale range, channel permutation, prompts per crop) [DEFAULT_AUGMENT]. */
  augment?: Partial<AugmentOptions>;
  /** Weights of the loss terms [DEFAULT_LOSS_WEIGHTS]. */
  lossWeights?: Partial<LossWeights>;
  /** Checkpoint directory; written every `checkpointEvery` steps, at the end, and on abort. */
  checkpointDir?: string;
  /** [0 = only at the end / on abort]. */
  checkpointEvery?: number;
  /** Resume from the checkpoint in `checkpointDir` when there is one [false]. */
  resume?: boolean;
  /** The final checkpoint holds weights only (no optimizer moments): a third of the size, for shipping [false]. */
  weightsOnlyAtEnd?: boolean;
  /** Append one JSON line per step here. */
  logFile?: string;
  /** Called after every step. */
  onProgress?: (p: TrainProgress) => void;
  /** Stop after the current step (a checkpoint is written if `checkpointDir` is set). */
  signal?: AbortSignal;
  /** Stop after this step (exclusive), as an interrupt would (tests, staged runs). */
  stopAfter?: number;
  /**
   * Data-parallel threads [1: this thread only]: the batch is split into `workers` groups of samples balanced by
   * their cost, and the threads (this one included) compute one group each in one pass on their own replica
   * (src/train/parallel/); the group gradients are averaged in group order. The same seed and the same worker
   * count give bit-identical weights; another worker count gives the same losses to float rounding.
   */
  workers?: number;
}

/** What the progress callback receives. */
export interface TrainProgress {
  step: number;
  totalSteps: number;
  loss: number;
  terms: LossTerms;
  lr: number;
  gradNorm: number;
  stepsPerSec: number;
  etaSec: number;
  elapsedSec: number;
}

/** One row of the training history (also the JSONL log line). */
export interface TrainLogRow {
  step: number;
  loss: number;
  lr: number;
  gradNorm: number;
  sec: number;
  terms: LossTerms;
}

/** What {@link trainDetector} returns. */
export interface TrainResult {
  history: TrainLogRow[];
  /** Steps completed in total (including steps done before a resume). */
  step: number;
  /** True when the run stopped early (signal or stopAfter). */
  interrupted: boolean;
  seconds: number;
}

function checkWorkers(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new DealkitConfigError(`train: workers must be an integer in [1, 256]; got ${String(n).slice(0, 40)}`);
  return n;
}

function resolveOptions(o: TrainOptions) {
  if (!Number.isInteger(o.steps) || o.steps < 1) throw new DealkitConfigError(`train: steps must be a positive integer; got ${o.steps}`);
  return {
    steps: o.steps,
    batchSize: o.batchSize ?? 4,
    lr: o.lr ?? 2e-3,
    warmup: o.warmup ?? Math.min(100, Math.floor(o.steps / 10)),
    weightDecay: o.weightDecay ?? 1e-4,
    clipNorm: o.clipNorm ?? 5,
    seed: o.seed ?? 0,
    prompting: checkOneOf("train: prompting", o.prompting ?? "pgcpp", PROMPTING_STRATEGIES),
    promptCycles: o.promptCycles ?? DEFAULT_TRAINING_SETTINGS.promptCycles,
    objectnessDropout: o.objectnessDropout ?? DEFAULT_TRAINING_SETTINGS.objectnessDropout,
    decoderRound: checkOneOf("train: decoderRound", o.decoderRound ?? DEFAULT_DECODER_ROUND, DECODER_ROUNDS),
    augment: resolveAugment(o.augment),
    workers: checkWorkers(o.workers ?? 1),
    lossWeights: { ...DEFAULT_LOSS_WEIGHTS, ...o.lossWeights },
  };
}

/**
 * Trains any {@link TrainableDetector} (DEAL, the baseline) on a {@link TrainSource}: seeded batches, AdamW with warmup + cosine, global-norm
 * clipping, a progress callback, JSONL logs, atomic checkpoints (every N steps, at the end, on abort), and
 * exact resume (weights, optimizer moments, step and data RNG all restored). A non-finite loss throws
 * DealkitTrainingError naming the step, leaving the last good checkpoint untouched.
 *
 * @example
 * const model = createDeal({ preset: "tiny" });
 * const res = await trainDetector(model, source, { steps: 200, seed: 1, onProgress: (p) => bar.update(p) });
 */
export async function trainDetector(model: TrainableDetector, source: TrainSource, options: TrainOptions): Promise<TrainResult> {
  const o = resolveOptions(options);
  const optimizer = new AdamW(model.params.entries(), { weightDecay: o.weightDecay });
  let rng = new Random(o.seed);
  let step = 0;
  let pool: TrainWorkers | null = null;
  const trainInfo = { ...o, lossWeights: o.lossWeights } as Record<string, unknown>;
  try {
    if (options.resume && options.checkpointDir && fs.existsSync(path.join(options.checkpointDir, "manifest.json"))) {
      const manifest = readManifest(options.checkpointDir);
      loadWeightsInto(model, options.checkpointDir, manifest);
      const st = loadOptimizerState(options.checkpointDir, manifest);
      if (st) optimizer.setState(st);
      if (manifest.rng) rng = Random.fromState(manifest.rng);
      step = manifest.step;
    }
    const save = (final = false) => {
      if (!options.checkpointDir) return;
      const withOptimizer = !(final && options.weightsOnlyAtEnd && step >= o.steps);
      saveCheckpoint(options.checkpointDir, { model, step, ...(withOptimizer ? { optimizer: optimizer.getState() } : {}), rng: rng.getState(), train: trainInfo });
    };
    if (o.workers > 1) pool = await TrainWorkers.start(model, Math.min(o.workers, o.batchSize));
    const history: TrainLogRow[] = [];
    const t0 = Date.now();
    const startStep = step;
    let interrupted = false;
    while (step < o.steps) {
      if (options.signal?.aborted || (options.stopAfter !== undefined && step >= options.stopAfter)) {
        interrupted = true;
        break;
      }
      const lr = warmupCosine(step, o.steps, o.lr, o.warmup);
      const batch = drawBatch(source, model.config.inputSize, o.batchSize, rng, model.promptedTraining, o.augment);
      const settings: TrainingSettings = { prompting: o.prompting, promptCycles: o.promptCycles, objectnessDropout: o.objectnessDropout, decoderRound: o.decoderRound };
      let report;
      try {
        model.prepareBatch(batch, rng, settings);
        report = pool
          ? await parallelStep(pool, optimizer, batch, o.lossWeights, settings, lr, o.clipNorm, step)
          : optimizeStep(model, optimizer, () => model.trainingLoss(batch, o.lossWeights, settings), lr, o.clipNorm, step);
      } finally {
        batch.images.dispose();
      }
      step += 1;
      const elapsed = (Date.now() - t0) / 1000;
      const row: TrainLogRow = { step, loss: report.loss, lr, gradNorm: report.gradNorm, sec: elapsed, terms: report.terms };
      history.push(row);
      if (options.logFile) {
        fs.mkdirSync(path.dirname(path.resolve(options.logFile)), { recursive: true });
        fs.appendFileSync(options.logFile, JSON.stringify(row) + "\n");
      }
      const sps = (step - startStep) / Math.max(1e-9, elapsed);
      options.onProgress?.({ step, totalSteps: o.steps, loss: report.loss, terms: report.terms, lr, gradNorm: report.gradNorm, stepsPerSec: sps, etaSec: (o.steps - step) / Math.max(1e-9, sps), elapsedSec: elapsed });
      if (options.checkpointEvery && step % options.checkpointEvery === 0 && step < o.steps) save();
      // Let timers, signals and notebook display updates run between steps.
      await new Promise<void>((r) => setImmediate(r));
    }
    save(true);
    return { history, step, interrupted, seconds: (Date.now() - t0) / 1000 };
  } finally {
    await pool?.close();
    optimizer.dispose();
    void tf;
  }
}
