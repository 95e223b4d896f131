import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { tf } from "../../backend/tf.js";
import type { ModelConfig } from "../../model/config.js";
import { encodeBatchLimit } from "../../model/inference.js";
import type { ParamStore } from "../../model/params.js";
import { checkClicks, type Click } from "../../structures/click.js";
import type { Detections } from "../../structures/detections.js";
import type { DetectOptions, DetectorKind, PromptEmbedding, PromptableDetector } from "../../structures/detector.js";
import type { RgbImage } from "../../structures/image.js";
import { DealkitConfigError } from "../../util/errors.js";
import type { DetectorWorkerInit, DetectorWorkerReply, DetectorWorkerRequest } from "./protocol.js";

/** A trained network (DEAL or the baseline): what {@link DetectorWorkers.start} replicates. */
export interface ReplicableDetector extends PromptableDetector {
  readonly config: ModelConfig;
  readonly params: ParamStore;
}

function workerEntry(): { file: string; execArgv: string[] } {
  const js = path.join(__dirname, "worker.js");
  if (fs.existsSync(js)) return { file: js, execArgv: [] };
  return { file: path.join(__dirname, "worker.ts"), execArgv: ["--require", createRequire(__filename).resolve("tsx/cjs")] };
}

type Pending = { resolve: (r: unknown) => void; reject: (e: Error) => void };

/**
 * A detector whose calls run on `workers` worker threads, each holding a replica of the model (same config and
 * weights, on the same kind of backend), one call per thread at a time, in the order asked. A call gives exactly
 * what the model gives on this thread (the same computation). `concurrency` tells {@link detectSliced} and
 * predictDataset to issue that many calls at once. Close it with `dispose()`.
 *
 * @example
 * const pool = await DetectorWorkers.start(loadModel("deal-tiny").model as Detector, 2);
 * const { detections } = await detectSliced(pool, bigImage, clicks);
 * pool.dispose();
 */
export class DetectorWorkers implements PromptableDetector {
  readonly kind: DetectorKind;
  readonly inputSize: number;
  private readonly config: ModelConfig;
  private readonly idle: Worker[];
  private readonly waiting: ((w: Worker) => void)[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  private constructor(model: ReplicableDetector, private readonly threads: Worker[]) {
    this.kind = model.kind;
    this.config = model.config;
    this.inputSize = model.inputSize;
    this.idle = [...threads];
    for (const w of threads) {
      w.on("message", (m: DetectorWorkerReply) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.ok) p.resolve(m.result);
        else p.reject(Object.assign(new Error(m.message), { name: m.name }));
      });
    }
  }

  /** Calls that can run at once (the worker threads). */
  get concurrency(): number {
    return this.threads.length;
  }

  /** Starts `workers` threads, each with a replica of `model`, and waits until they are ready. */
  static async start(model: ReplicableDetector, workers: number): Promise<DetectorWorkers> {
    if (!Number.isInteger(workers) || workers < 1 || workers > 256) throw new DealkitConfigError(`workers must be an integer in [1, 256]; got ${String(workers).slice(0, 40)}`);
    const weights = new Float32Array(model.params.count());
    let off = 0;
    for (const [, v] of model.params.entries()) {
      weights.set(v.dataSync() as Float32Array, off);
      off += v.size;
    }
    const b = tf.getBackend();
    const init: DetectorWorkerInit = { config: model.config, backend: b === "wasm" ? "wasm" : b === "cpu" ? "cpu" : "auto", weights };
    const entry = workerEntry();
    const threads = Array.from({ length: workers }, () => new Worker(entry.file, { workerData: init, execArgv: entry.execArgv }));
    const ready = threads.map((w) => new Promise<void>((resolve, reject) => {
      const on = (m: DetectorWorkerReply) => {
        if (m.id !== -1) return;
        w.off("message", on);
        if (m.ok) resolve();
        else reject(new Error(`an inference worker could not start: ${m.message}`));
      };
      w.on("message", on);
      w.once("error", (err) => reject(new Error(`an inference worker could not start: ${err.message}`)));
    }));
    try {
      await Promise.all(ready);
    } catch (err) {
      await Promise.all(threads.map((w) => w.terminate()));
      throw err;
    }
    return new DetectorWorkers(model, threads);
  }

  async detect(image: RgbImage, clicks: readonly Click[], options?: DetectOptions): Promise<Detections> {
    checkClicks(clicks, image.width, image.height);
    return this.call((id) => ({ type: "detect", id, image, clicks: [...clicks], options }));
  }

  async embedClicks(image: RgbImage, clicks: readonly Click[]): Promise<PromptEmbedding[]> {
    checkClicks(clicks, image.width, image.height);
    return this.call((id) => ({ type: "embed", id, image, clicks: [...clicks] }));
  }

  async detectWithEmbeddings(image: RgbImage, embeddings: readonly PromptEmbedding[], options?: DetectOptions): Promise<Detections> {
    return this.call((id) => ({ type: "detectWithEmbeddings", id, image, embeddings: [...embeddings], options }));
  }

  /** detectWithEmbeddings on several images in one worker's call (DEAL: one batched encoding of equal-size images). */
  async detectWithEmbeddingsBatch(images: readonly RgbImage[], embeddings: readonly PromptEmbedding[], options?: DetectOptions): Promise<Detections[]> {
    return this.call((id) => ({ type: "detectWithEmbeddingsBatch", id, images: [...images], embeddings: [...embeddings], options }));
  }

  /** The replicas' memory bound per batched call (per worker: each has its own heap); see encodeBatchLimit. */
  maxBatch(width: number, height: number): number {
    return this.kind === "deal" ? encodeBatchLimit(this.config, width, height) : 1;
  }

  /** Stops the worker threads (calls still waiting fail). */
  dispose(): void {
    const err = new Error("DetectorWorkers: disposed");
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    for (const w of this.threads) void w.terminate();
  }

  private async call<T>(request: (id: number) => DetectorWorkerRequest): Promise<T> {
    const w = this.idle.shift() ?? (await new Promise<Worker>((resolve) => this.waiting.push(resolve)));
    try {
      const id = this.nextId++;
      return await new Promise<T>((resolve, reject) => {
        this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
        w.postMessage(request(id));
      });
    } finally {
      const next = this.waiting.shift();
      if (next) next(w);
      else this.idle.push(w);
    }
  }
}

/** How many calls a detector can take at once (a {@link DetectorWorkers}: its threads; any other: 1). */
export function concurrencyOf(model: PromptableDetector): number {
  const c = (model as { concurrency?: unknown }).concurrency;
  return typeof c === "number" && Number.isInteger(c) && c > 1 ? c : 1;
}

/** `fn` over `items` with at most `limit` calls in flight; results in the order of `items`. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return out;
}
