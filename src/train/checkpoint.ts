import * as fs from "node:fs";
import * as path from "node:path";
import { tf } from "../backend/tf.js";
import { MODEL_VERSION, resolveModelConfig, type ModelConfig } from "../model/config.js";
import { createDetector, type Detector } from "../model/factory.js";
import type { TrainableDetector } from "../model/loss/training.js";
import { DealkitConfigError, DealkitInputError } from "../util/errors.js";
import { checkBinEntry, readCheckedBin, sha256Hex } from "./checkpoint-check.js";
import { contentFingerprint } from "../util/fingerprint.js";
import { writeFileAtomic } from "../util/fs.js";
import type { RandomState } from "../util/random.js";
import type { AdamWState } from "./optimizer.js";

/** One tensor inside a checkpoint's binary file. */
export interface CheckpointTensor {
  name: string;
  shape: number[];
  /** Offset in float32 elements. */
  offset: number;
}

/** manifest.json of a checkpoint directory. */
export interface CheckpointManifest {
  format: "dealkit-checkpoint";
  version: 1;
  config: ModelConfig;
  step: number;
  /** The trainer's data RNG (exact resume). */
  rng?: RandomState;
  /** The training options the run used (JSON-safe). */
  train?: Record<string, unknown>;
  /** The weights file; `sha256` (hex) is its content hash, checked on load (absent in older checkpoints). */
  weights: { file: string; bytes: number; sha256?: string; tensors: CheckpointTensor[] };
  optimizer?: { file: string; bytes: number; sha256?: string; t: number; tensors: CheckpointTensor[] };
}

/** What {@link saveCheckpoint} writes. */
export interface CheckpointContent {
  model: Pick<TrainableDetector, "params" | "config">;
  step: number;
  optimizer?: AdamWState;
  rng?: RandomState;
  train?: Record<string, unknown>;
}

function pack(arrays: [string, number[], Float32Array][]): { bin: Uint8Array; tensors: CheckpointTensor[] } {
  const total = arrays.reduce((a, [, , v]) => a + v.length, 0);
  const buf = new Float32Array(total);
  const tensors: CheckpointTensor[] = [];
  let off = 0;
  for (const [name, shape, v] of arrays) {
    buf.set(v, off);
    tensors.push({ name, shape, offset: off });
    off += v.length;
  }
  return { bin: new Uint8Array(buf.buffer), tensors };
}

/**
 * Writes a checkpoint directory: `weights-<step>.bin` (float32, little-endian), optionally
 * `optimizer-<step>.bin` (AdamW moments m then v), and last `manifest.json`, which records each binary's size
 * and SHA-256; every file goes through writeFileAtomic, and the manifest names the binaries, so a crash mid-save
 * leaves the previous checkpoint intact. Older binaries (and temp files of crashed saves) are removed after
 * the manifest is in place.
 *
 * @example saveCheckpoint("out/deal-tiny", { model, step: 100 });
 */
export function saveCheckpoint(dir: string, content: CheckpointContent): CheckpointManifest {
  fs.mkdirSync(dir, { recursive: true });
  const tag = String(content.step).padStart(7, "0");
  const w = pack(content.model.params.entries().map(([n, v]) => [n, v.shape, Float32Array.from(v.dataSync())]));
  const manifest: CheckpointManifest = {
    format: "dealkit-checkpoint",
    version: 1,
    config: content.model.config,
    step: content.step,
    ...(content.rng ? { rng: content.rng } : {}),
    ...(content.train ? { train: content.train } : {}),
    weights: { file: `weights-${tag}.bin`, bytes: w.bin.byteLength, sha256: sha256Hex(w.bin), tensors: w.tensors },
  };
  writeFileAtomic(path.join(dir, manifest.weights.file), w.bin);
  if (content.optimizer) {
    const o = content.optimizer;
    const names = content.model.params.entries().map(([n, v]) => [n, v.shape] as const);
    const arrays: [string, number[], Float32Array][] = [];
    for (const [n, s] of names) arrays.push([`m/${n}`, s, o.m[n]!], [`v/${n}`, s, o.v[n]!]);
    const p = pack(arrays);
    manifest.optimizer = { file: `optimizer-${tag}.bin`, bytes: p.bin.byteLength, sha256: sha256Hex(p.bin), t: o.t, tensors: p.tensors };
    writeFileAtomic(path.join(dir, manifest.optimizer.file), p.bin);
  }
  writeFileAtomic(path.join(dir, "manifest.json"), JSON.stringify(manifest, null, 1) + "\n");
  const keep = new Set([manifest.weights.file, manifest.optimizer?.file]);
  for (const f of fs.readdirSync(dir)) {
    const stale = /^(weights|optimizer)-\d+\.bin$/.test(f) && !keep.has(f);
    if (stale || /^(weights-\d+\.bin|optimizer-\d+\.bin|manifest\.json)\.tmp-/.test(f)) fs.rmSync(path.join(dir, f), { force: true });
  }
  return manifest;
}

/**
 * Reads and checks a checkpoint's manifest: its format, step, and the entries of its binaries (plain file names
 * inside the folder, sizes, hashes, tensors inside the files). Problems are DealkitInputErrors naming the field.
 *
 * @example
 * readManifest("datasets/models/deal-tiny").step; // 1000
 */
export function readManifest(dir: string): CheckpointManifest {
  const file = path.join(dir, "manifest.json");
  if (!fs.existsSync(file)) throw new DealkitInputError("no checkpoint here (manifest.json is missing)", { file: dir });
  let m: CheckpointManifest;
  try {
    m = JSON.parse(fs.readFileSync(file, "utf8")) as CheckpointManifest;
  } catch (err) {
    throw new DealkitInputError(`invalid JSON (${String((err as Error).message).slice(0, 80)})`, { file });
  }
  if (m === null || typeof m !== "object" || Array.isArray(m)) throw new DealkitInputError("must hold a JSON object", { file });
  if (m.format !== "dealkit-checkpoint" || m.version !== 1) {
    const f = String(JSON.stringify(m.format)).slice(0, 40);
    throw new DealkitInputError(`not a dealkit checkpoint (format ${f}, version ${String(JSON.stringify(m.version)).slice(0, 20)}; expected "dealkit-checkpoint" 1)`, { file, field: "format" });
  }
  if (typeof m.step !== "number" || !Number.isInteger(m.step) || m.step < 0) {
    throw new DealkitInputError(`must be a non-negative integer; got ${String(JSON.stringify(m.step)).slice(0, 40)}`, { file, field: "step" });
  }
  if (m.config === null || typeof m.config !== "object" || Array.isArray(m.config)) throw new DealkitInputError("must be an object", { file, field: "config" });
  checkBinEntry(m.weights, "weights", file);
  if (m.optimizer !== undefined) {
    checkBinEntry(m.optimizer, "optimizer", file);
    if (typeof m.optimizer.t !== "number" || !Number.isInteger(m.optimizer.t) || m.optimizer.t < 0) {
      throw new DealkitInputError("must be a non-negative integer", { file, field: "optimizer.t" });
    }
  }
  return m;
}

/**
 * Copies checkpoint weights into a model with the same parameters (names and shapes must match; all are
 * checked before any is copied). `data` is the checked weights file, read here when not given.
 *
 * @example
 * loadWeightsInto(model, "ckpt");
 */
export function loadWeightsInto(
  model: Pick<TrainableDetector, "params">, dir: string, manifest: CheckpointManifest = readManifest(dir),
  data: Float32Array = readCheckedBin(dir, manifest.weights),
): void {
  const byName = new Map(manifest.weights.tensors.map((t) => [t.name, t]));
  const entries = model.params.entries();
  for (const [name, v] of entries) {
    const t = byName.get(name);
    if (!t || t.shape.join("x") !== v.shape.join("x")) {
      throw new DealkitInputError(`parameter ${name} ${t ? `has shape [${t.shape}] in the checkpoint but [${v.shape}] in the model` : "is missing"}`, { file: dir });
    }
  }
  for (const [name, v] of entries) {
    const t = byName.get(name)!;
    tf.tidy(() => v.assign(tf.tensor(data.subarray(t.offset, t.offset + v.size), v.shape)));
  }
}

/** Optimizer state stored in a checkpoint (undefined when it was saved without one). */
export function loadOptimizerState(dir: string, manifest: CheckpointManifest = readManifest(dir)): AdamWState | undefined {
  const o = manifest.optimizer;
  if (!o) return undefined;
  const data = readCheckedBin(dir, o);
  const state: AdamWState = { t: o.t, m: {}, v: {} };
  for (const t of o.tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    const [kind, ...rest] = t.name.split("/");
    (kind === "m" ? state.m : state.v)[rest.join("/")] = data.slice(t.offset, t.offset + size);
  }
  return state;
}

/**
 * Builds the model a checkpoint describes (DEAL or baseline) and loads its weights.
 *
 * @example
 * const { model } = loadCheckpoint("datasets/models/deal-tiny");
 */
export function loadCheckpoint(dir: string): { model: Detector; manifest: CheckpointManifest } {
  const manifest = readManifest(dir);
  const cfg = manifest.config as unknown as Record<string, unknown> | null;
  if (cfg && typeof cfg === "object" && cfg.fineWidth === undefined && (cfg.decoderPoints !== undefined || cfg.pointLayers !== undefined)) {
    throw new DealkitInputError(
      `holds a DEAL v1 network (config with pointLayers/decoderPoints), which DEAL v${MODEL_VERSION} replaced; retrain it with dealkit train (the shipped models are v${MODEL_VERSION})`,
      { file: path.join(dir, "manifest.json"), field: "config" },
    );
  }
  let config: ModelConfig;
  try {
    config = resolveModelConfig(manifest.config);
  } catch (err) {
    if (err instanceof DealkitConfigError) throw new DealkitInputError(err.message, { file: path.join(dir, "manifest.json"), field: "config" });
    throw err;
  }
  const data = readCheckedBin(dir, manifest.weights); // before building: a bad file allocates nothing
  const model = createDetector(config);
  try {
    loadWeightsInto(model, dir, manifest, data);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return { model, manifest };
}

/**
 * A checkpoint's fingerprint: its config and weight bytes (what the model computes with; not its step, path
 * or optimizer state). The ablation and paper-reproduction caches key models by it, so they share cached runs.
 *
 * @example
 * checkpointFingerprint("datasets/models/deal-tiny"); // "9c0e..." (16 hex chars)
 */
export function checkpointFingerprint(dir: string): string {
  const manifest = readManifest(dir);
  return contentFingerprint(manifest.config, fs.readFileSync(path.join(dir, manifest.weights.file)));
}
