import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { BackendName } from "../../backend/init.js";
import { tf } from "../../backend/tf.js";
import type { TrainBatch } from "../../model/loss/batch.js";
import type { LossWeights } from "../../model/loss/losses.js";
import type { TrainableDetector, TrainingSettings } from "../../model/loss/training.js";
import { paramLayout, readParams, type ParamLayout } from "./layout.js";
import type { FromTrainWorker, ShardRequest, TrainWorkerInit } from "./protocol.js";
import { shardGradients, type ShardResult } from "./shard.js";

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

/** Sizes of `n` contiguous shards of `total` samples, as even as possible (larger ones first). */
export function shardSizes(total: number, n: number): number[] {
  const k = Math.min(n, total);
  return Array.from({ length: k }, (_, i) => Math.floor(total / k) + (i < total % k ? 1 : 0));
}

interface Pending {
  resolve: (r: ShardResult) => void;
  reject: (e: Error) => void;
}

/**
 * Data-parallel gradient workers: the calling thread computes shard 0 on its own model, `workers - 1` worker
 * threads each hold a replica (created from the model's config, on the same kind of backend) and compute the
 * other shards. Weights go to the workers, and gradients come back, through SharedArrayBuffers (no serialisation of
 * tensors); the shards' gradients are averaged in a fixed order, weighted by their sample counts, so a run is
 * reproducible for a given worker count. Close it with {@link TrainWorkers.close}.
 */
export class TrainWorkers {
  readonly layout: ParamLayout;
  private readonly weights: Float32Array;
  private readonly slots: Float32Array[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private dead: Error | null = null;

  private constructor(private readonly model: TrainableDetector, private readonly threads: Worker[], layout: ParamLayout, weights: Float32Array, slots: Float32Array[]) {
    this.layout = layout;
    this.weights = weights;
    this.slots = slots;
    threads.forEach((w) => {
      w.on("message", (m: FromTrainWorker) => {
        if (m.type === "ready") return;
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.type === "done") p.resolve({ loss: m.loss, terms: m.terms });
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
    const slots: Float32Array[] = [new Float32Array(layout.size)];
    const entry = workerEntry();
    const threads: Worker[] = [];
    const ready: Promise<void>[] = [];
    for (let i = 1; i < workers; i++) {
      const grads = new SharedArrayBuffer(layout.size * 4);
      slots.push(new Float32Array(grads));
      const init: TrainWorkerInit = { config: model.config, backend: currentBackend(), weights: weights.buffer as SharedArrayBuffer, grads };
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
    const pool = new TrainWorkers(model, threads, layout, weights, slots);
    try {
      await Promise.all(ready);
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  /**
   * Loss, terms and gradient of `batch` (the sample-weighted mean over the shards, as one thread computing the
   * whole batch would give, to float rounding). The gradient is a flat array in {@link layout} order.
   */
  async gradients(batch: TrainBatch, lossWeights: LossWeights, settings: TrainingSettings): Promise<{ loss: number; terms: Record<string, number>; grads: Float32Array }> {
    if (this.dead) throw this.dead;
    const B = batch.samples.length;
    const sizes = shardSizes(B, this.count);
    readParams(this.model.params, this.layout, this.weights);
    const [, S, S2, C] = batch.images.shape;
    const pixels = batch.images.dataSync() as Float32Array;
    const per = S * S2 * C;
    const starts = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
    const waits: Promise<ShardResult>[] = [];
    for (let i = 1; i < sizes.length; i++) {
      const id = this.nextId++;
      const images = pixels.slice(starts[i]! * per, (starts[i]! + sizes[i]!) * per);
      const req: ShardRequest = {
        type: "shard", id, images, shape: [sizes[i]!, S, S2, C], samples: batch.samples.slice(starts[i], starts[i]! + sizes[i]!), size: batch.size,
        classOf: [...batch.classOf.entries()], lossWeights, settings,
      };
      waits.push(new Promise<ShardResult>((resolve, reject) => this.pending.set(id, { resolve, reject })));
      this.threads[i - 1]!.postMessage(req, [images.buffer]);
    }
    const first = tf.tidy(() => batch.images.slice([0, 0, 0, 0], [sizes[0]!, S, S2, C])) as tf.Tensor4D;
    let own: ShardResult;
    try {
      own = shardGradients(this.model, this.layout, { ...batch, images: first, samples: batch.samples.slice(0, sizes[0]) }, lossWeights, settings, this.slots[0]!);
    } finally {
      first.dispose();
    }
    const results = [own, ...(await Promise.all(waits))];
    const grads = new Float32Array(this.layout.size);
    const terms: Record<string, number> = {};
    let loss = 0;
    results.forEach((r, i) => {
      const w = sizes[i]! / B;
      const g = this.slots[i]!;
      for (let k = 0; k < grads.length; k++) grads[k] += w * g[k]!;
      loss += w * r.loss;
      for (const [k, v] of Object.entries(r.terms)) terms[k] = (terms[k] ?? 0) + w * v;
    });
    return { loss, terms, grads };
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
