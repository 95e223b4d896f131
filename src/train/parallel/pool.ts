import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { BackendName } from "../../backend/init.js";
import { tf } from "../../backend/tf.js";
import type { BatchSample, TrainBatch } from "../../model/loss/batch.js";
import type { LossWeights } from "../../model/loss/losses.js";
import type { TrainableDetector, TrainingSettings } from "../../model/loss/training.js";
import { paramLayout, readParams, type ParamLayout } from "./layout.js";
import type { FromTrainWorker, SampleLoss, SamplesRequest, TrainWorkerInit } from "./protocol.js";
import { claimSamples } from "./shard.js";

/** The cores of this machine (os.availableParallelism): the default worker count of `dealkit train`. */
export function defaultWorkerCount(): number {
  return Math.max(1, os.availableParallelism ? os.availableParallelism() : os.cpus().length);
}

/** The worker's script: the compiled worker.js beside this file, or the .ts source through tsx's CommonJS hook. */
function workerEntry(): { file: string; execArgv: string[] } {
  const js = path.join(__dirname, "worker.js");
  if (fs.existsSync(js)) return { file: js, execArgv: [] };
  return { file: path.join(__dirname, "worker.ts"), execArgv: ["--require", createRequire(__filename).resolve("tsx/cjs")] };
}

/** The backend the workers start, as initBackend names it: the one this thread runs on. */
function currentBackend(): BackendName | "auto" {
  const b = tf.getBackend();
  return b === "wasm" ? "wasm" : b === "cpu" ? "cpu" : "auto";
}

interface Pending {
  resolve: (r: SampleLoss[]) => void;
  reject: (e: Error) => void;
}

/**
 * A sample's expected share of a step's work, for the claim order: its objects (the decoder's queries and the
 * loss's targets grow with them) plus its prompts (PG-CPP cycles and heatmaps per prompt), weighted alike.
 */
export function sampleCost(s: BatchSample): number {
  return s.objects.length + 8 * s.prompts.length;
}

/** Sample indices, heaviest first by {@link sampleCost} (ties: batch order); only the schedule depends on it. */
export function claimOrder(samples: readonly BatchSample[]): number[] {
  return samples.map((s, i) => [sampleCost(s), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).map(([, i]) => i);
}

/**
 * Data-parallel gradient workers: `workers - 1` worker threads each hold a replica (created from the model's
 * config, on the same kind of backend); they and the calling thread (on its own model) claim the batch's samples
 * one at a time and compute each one's gradient. Weights go to the workers, and the images and gradients travel,
 * through SharedArrayBuffers (no serialisation of tensors); the per-sample gradients are averaged in sample order,
 * so a run is reproducible whatever thread computed which sample. Close it with {@link TrainWorkers.close}.
 */
export class TrainWorkers {
  readonly layout: ParamLayout;
  private readonly weights: Float32Array;
  /** Per-sample gradient slots (B x layout.size floats), grown to the largest batch seen. */
  private slots: SharedArrayBuffer = new SharedArrayBuffer(0);
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private dead: Error | null = null;

  private constructor(private readonly model: TrainableDetector, private readonly threads: Worker[], layout: ParamLayout, weights: Float32Array) {
    this.layout = layout;
    this.weights = weights;
    threads.forEach((w) => {
      w.on("message", (m: FromTrainWorker) => {
        if (m.type === "ready") return;
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.type === "done") p.resolve(m.samples);
        else p.reject(new Error(`training worker: ${m.message}`));
      });
      w.on("error", (err) => this.fail(new Error(`training worker failed: ${err.message}`)));
      w.on("exit", (code) => {
        if (code !== 0) this.fail(new Error(`training worker exited with code ${code}`));
      });
    });
  }

  /** Total threads computing (this one included). */
  get count(): number {
    return this.threads.length + 1;
  }

  /**
   * Starts `workers - 1` worker threads for `model` and waits until each is ready.
   *
   * @example
   * const pool = await TrainWorkers.start(model, 2);
   * const { loss, grads } = await pool.gradients(batch, DEFAULT_LOSS_WEIGHTS, DEFAULT_TRAINING_SETTINGS);
   * await pool.close();
   */
  static async start(model: TrainableDetector, workers: number): Promise<TrainWorkers> {
    const layout = paramLayout(model.params);
    const weights = new Float32Array(new SharedArrayBuffer(layout.size * 4));
    const entry = workerEntry();
    const threads: Worker[] = [];
    const ready: Promise<void>[] = [];
    for (let i = 1; i < workers; i++) {
      const init: TrainWorkerInit = { config: model.config, backend: currentBackend(), weights: weights.buffer as SharedArrayBuffer };
      const w = new Worker(entry.file, { workerData: init, execArgv: entry.execArgv });
      threads.push(w);
      ready.push(new Promise<void>((resolve, reject) => {
        const onMessage = (m: FromTrainWorker) => {
          if (m.type === "ready") resolve();
          else if (m.type === "failed" && m.id === -1) reject(new Error(`a training worker could not start: ${m.message}`));
        };
        w.on("message", onMessage);
        w.once("error", (err) => reject(new Error(`a training worker could not start: ${err.message}`)));
      }));
    }
    const pool = new TrainWorkers(model, threads, layout, weights);
    try {
      await Promise.all(ready);
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  /**
   * Loss, terms and gradient of `batch` (the mean over its samples, as one thread computing the whole batch would
   * give, to float rounding). The gradient is a flat array in {@link layout} order.
   *
   * Every thread (this one too) claims samples one at a time from a shared counter, heaviest first by
   * {@link sampleCost}, so that a crop with many objects does not hold back a thread with a light share (shards
   * fixed in advance wait for their slowest one). Each sample's gradient goes to its own slot and the slots are
   * averaged in sample order: the result does not depend on which thread computed what, so the same seed gives
   * bit-identical weights for any number of workers above one.
   */
  async gradients(batch: TrainBatch, lossWeights: LossWeights, settings: TrainingSettings): Promise<{ loss: number; terms: Record<string, number>; grads: Float32Array }> {
    if (this.dead) throw this.dead;
    const B = batch.samples.length;
    const size = this.layout.size;
    readParams(this.model.params, this.layout, this.weights);
    const shape = batch.images.shape as [number, number, number, number];
    const images = new SharedArrayBuffer(batch.images.size * 4);
    new Float32Array(images).set(batch.images.dataSync() as Float32Array);
    if (this.slots.byteLength < B * size * 4) this.slots = new SharedArrayBuffer(B * size * 4);
    const grads = this.slots;
    const next = new SharedArrayBuffer(4);
    const order = claimOrder(batch.samples);
    const shared = { shape, samples: batch.samples, size: batch.size, lossWeights, settings, order };
    const helpers = this.threads.slice(0, Math.max(0, B - 1));
    const waits = helpers.map((w) => {
      const id = this.nextId++;
      const req: SamplesRequest = { type: "samples", id, ...shared, classOf: [...batch.classOf.entries()], images, next, grads };
      const p = new Promise<SampleLoss[]>((resolve, reject) => this.pending.set(id, { resolve, reject }));
      w.postMessage(req);
      return p;
    });
    let own: SampleLoss[];
    try {
      own = claimSamples(this.model, this.layout, { ...shared, classOf: batch.classOf }, images, new Int32Array(next), grads);
    } catch (err) {
      // Let the helpers run out of samples, then fail.
      await Promise.allSettled(waits);
      throw err;
    }
    const bySample = new Array<SampleLoss | undefined>(B);
    for (const r of [own, ...(await Promise.all(waits))].flat()) bySample[r.index] = r;
    const out = new Float32Array(size);
    const terms: Record<string, number> = {};
    let loss = 0;
    const w = 1 / B;
    for (let i = 0; i < B; i++) {
      const r = bySample[i];
      if (!r) throw new Error(`training workers: sample ${i} of the batch was not computed`);
      const g = new Float32Array(grads, i * size * 4, size);
      for (let k = 0; k < size; k++) out[k] += w * g[k]!;
      loss += w * r.loss;
      for (const [k, v] of Object.entries(r.terms)) terms[k] = (terms[k] ?? 0) + w * v;
    }
    return { loss, terms, grads: out };
  }

  /** Stops the worker threads. */
  async close(): Promise<void> {
    this.dead ??= new Error("training workers are closed");
    await Promise.all(this.threads.map((w) => w.terminate()));
  }

  private fail(err: Error): void {
    this.dead ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
