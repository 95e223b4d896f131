import * as fs from "node:fs";
import * as path from "node:path";
import { DealkitConfigError, readManifest, removeStaleTemps, writeFileAtomic, type CheckpointManifest } from "../index.js";

/** What a training run is: the settings a resume must share with the checkpoint it continues. */
export interface TrainRunIdentity {
  model: string;
  preset: string;
  seed: number;
  steps: number;
  batch: number;
  lr: number;
  prompting: string;
  cycles: number;
  /** Probability of procedural novel objects per training crop (augment.novelObjects). */
  novelObjects: number;
  /** Probability that a novel-object crop is a whole synthetic scene (augment.novelScenes). */
  novelScenes: number;
  /** DEAL: the prompt round the decoder trains on (TrainingSettings.decoderRound). */
  decoderRound: string;
  /** DEAL: the class-prior head (ModelConfig.classPrior). */
  classPrior: boolean;
  /** DEAL: pixel matching in the density activation (ModelConfig.pixelMatch). */
  pixelMatch: boolean;
  /** The data options, paths resolved (what data the run trains on). */
  data: Record<string, string>;
}

/** The file in a checkpoint folder that records the run's identity (written when a fresh run starts). */
export const TRAIN_RUN_FILE = "train-run.json";

/** The JSONL log of a run: `--log`, else `<out>-train-log.jsonl` beside `--out` (as trainFromSpec writes it). */
export function trainLogFile(out: string, log?: string): string {
  return log ?? path.join(out, "..", `${path.basename(out)}-train-log.jsonl`);
}

/**
 * Checks `--out` (and the log file) before any work: a file is refused; a folder holding a checkpoint is refused
 * unless `--resume` (continue it) or `--force` (start over: its checkpoint files and the log are removed); a
 * non-empty folder that holds no checkpoint is refused unless `--force`. Returns the checkpoint to resume, if any.
 *
 * @example
 * const manifest = prepareTrainOut("ckpt/deal", { resume: true, log: "ckpt/deal-train-log.jsonl" });
 */
export function prepareTrainOut(out: string, o: { resume?: boolean; force?: boolean; log: string }): CheckpointManifest | undefined {
  if (o.resume && o.force) throw new DealkitConfigError("--resume and --force exclude each other (continue the run, or start it over)");
  if (fs.existsSync(o.log) && !fs.statSync(o.log).isFile()) throw new DealkitConfigError(`--log ${o.log} is a folder; give a file`);
  // Temps that killed runs left while writing the run's identity or cutting its log (the checkpoint's own
  // temps are removed by the next save).
  removeStaleTemps(o.log);
  if (fs.existsSync(out) && fs.statSync(out).isDirectory()) removeStaleTemps(path.join(out, TRAIN_RUN_FILE));
  if (!fs.existsSync(out)) {
    if (o.force && fs.existsSync(o.log)) fs.rmSync(o.log);
    return undefined;
  }
  if (!fs.statSync(out).isDirectory()) throw new DealkitConfigError(`--out ${out} is a file; give a checkpoint folder`);
  const hasCheckpoint = fs.existsSync(path.join(out, "manifest.json"));
  const entries = fs.readdirSync(out);
  if (hasCheckpoint && o.resume) return readManifest(out);
  if (o.force) {
    for (const f of entries) {
      if (/^(manifest\.json|(weights|optimizer)-\d+\.bin)(\.tmp-.*)?$/.test(f) || f === TRAIN_RUN_FILE) fs.rmSync(path.join(out, f), { force: true });
    }
    fs.rmSync(o.log, { force: true });
    return undefined;
  }
  if (hasCheckpoint) {
    const step = (() => { try { return `step ${readManifest(out).step}`; } catch { return "unreadable"; } })();
    throw new DealkitConfigError(`--out ${out} already holds a checkpoint (${step}); give --resume to continue it, or --force to start over`);
  }
  if (entries.length > 0 && !o.resume) throw new DealkitConfigError(`--out ${out} is a folder with other files (${entries.slice(0, 3).join(", ")}); give an empty or new folder, or --force`);
  return undefined;
}

/**
 * Refuses to resume a checkpoint whose run differs from the one asked for: the model kind and preset (from its
 * config), the seed, steps, batch, lr, prompting and cycles (from its training record) and the data (from
 * {@link TRAIN_RUN_FILE}). The error names the field and both values.
 *
 * @example
 * checkResumeMatches("ckpt/deal", manifest, identity);
 */
export function checkResumeMatches(out: string, manifest: CheckpointManifest, want: TrainRunIdentity): void {
  const t = (manifest.train ?? {}) as Record<string, unknown>;
  const cfg = manifest.config as unknown as Record<string, unknown>;
  let recorded: Partial<TrainRunIdentity> = {};
  const runFile = path.join(out, TRAIN_RUN_FILE);
  if (fs.existsSync(runFile)) {
    try {
      recorded = JSON.parse(fs.readFileSync(runFile, "utf8")) as Partial<TrainRunIdentity>;
    } catch {
      throw new DealkitConfigError(`${runFile} is not valid JSON; give --force to start the run over`);
    }
  }
  const have: Record<string, unknown> = {
    model: cfg.kind, preset: cfg.preset, seed: t.seed, steps: t.steps, batch: t.batchSize, lr: t.lr, prompting: t.prompting,
    cycles: t.promptCycles, novelObjects: (t.augment as { novelObjects?: number } | undefined)?.novelObjects,
    novelScenes: (t.augment as { novelScenes?: number } | undefined)?.novelScenes, decoderRound: t.decoderRound, classPrior: cfg.classPrior ?? false, pixelMatch: cfg.pixelMatch ?? false, data: recorded.data,
  };
  const show = (x: unknown) => String(JSON.stringify(x) ?? "none").slice(0, 200);
  for (const [k, v] of Object.entries(have)) {
    if (v === undefined) continue; // not recorded by older checkpoints
    const w = (want as unknown as Record<string, unknown>)[k];
    if (JSON.stringify(v) === JSON.stringify(w)) continue;
    let field = k;
    let a: unknown = v;
    let b: unknown = w;
    if (k === "data" && v && w && typeof v === "object" && typeof w === "object") {
      const rv = v as Record<string, unknown>, rw = w as Record<string, unknown>;
      const sub = [...new Set([...Object.keys(rv), ...Object.keys(rw)])].find((s) => JSON.stringify(rv[s]) !== JSON.stringify(rw[s]));
      if (sub !== undefined) [field, a, b] = [`data.${sub}`, rv[sub], rw[sub]];
    }
    throw new DealkitConfigError(`--resume: the checkpoint in ${out} was trained with ${field} ${show(a)}, not ${show(b)}; resume with the same ${field}, or give --force to start over`);
  }
}

/** Records a fresh run's identity in its checkpoint folder. */
export function writeTrainRun(out: string, identity: TrainRunIdentity): void {
  writeFileAtomic(path.join(out, TRAIN_RUN_FILE), JSON.stringify(identity, null, 1) + "\n");
}

/**
 * Cuts a training log back to the resumed step: rows after `step` (written after the checkpoint, then lost
 * with the interrupted run) and a torn last line are dropped, so the log continues without duplicates.
 *
 * @example
 * truncateTrainLog("ckpt/deal-train-log.jsonl", 200);
 */
export function truncateTrainLog(file: string, step: number): void {
  if (!fs.existsSync(file)) return;
  const keep: string[] = [];
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      const row = JSON.parse(line) as { step?: unknown };
      if (typeof row.step === "number" && row.step <= step) keep.push(line);
    } catch {
      /* a torn line from a crash: dropped */
    }
  }
  writeFileAtomic(file, keep.map((l) => l + "\n").join(""));
}
