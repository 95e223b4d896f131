import type { Command } from "commander";
import * as path from "node:path";
import { SingleBar } from "cli-progress";
import { checkOneOf, DEAL_CLASS_PRIOR, DEAL_NOVEL_OBJECTS, DEAL_ONLY_SWITCHES, DEAL_PIXEL_MATCH, DEAL_NOVEL_SCENES, DealkitConfigError, DECODER_ROUNDS, DEFAULT_DECODER_ROUND, type DecoderRound, defaultNovelObjects, defaultNovelScenes, defaultWorkerCount, initBackend, MODEL_KINDS, MODEL_PRESETS, PROMPTING_STRATEGIES, trainFromSpec, type TrainSpecResult } from "../../index.js";
import { addDataOptions, datasetSpecOf, type DataCommandOptions } from "../data-options.js";
import { addNumberOption, checkNumberOption, RANGES } from "../options.js";
import { checkResumeMatches, prepareTrainOut, trainLogFile, truncateTrainLog, writeTrainRun, type TrainRunIdentity } from "../train-run.js";

/** Options of `dealkit train`, as commander parses them. */
export interface TrainCommandOptions extends DataCommandOptions {
  model: string;
  preset: string;
  steps: string | number;
  seed: string | number;
  prompting: string;
  out: string;
  batch: string | number;
  lr: string | number;
  cycles: string | number;
  checkpointEvery: string | number;
  novelObjects?: string | number;
  novelScenes?: string | number;
  decoderRound?: string;
  /** DEAL: the class-prior head; undefined: the recipe's default (DEAL_CLASS_PRIOR). */
  classPrior?: boolean;
  /** DEAL: pixel matching in the density activation; undefined: the recipe's default (DEAL_PIXEL_MATCH). */
  pixelMatch?: boolean;
  resume?: boolean;
  /** Start over: an existing checkpoint in `out` and its log are removed first. */
  force?: boolean;
  log?: string;
  backend?: string;
  quiet?: boolean;
  weightsOnly?: boolean;
  workers?: string;
}

/**
 * Runs `dealkit train` ({@link trainFromSpec}): any data set (TinySet-mini's train split by default), a DEAL or
 * baseline of the given preset initialised from `seed`, the seeded training loop; checkpoints to `out` (and on
 * SIGINT / SIGTERM: the result's `signal` says which stopped it). Every option and `out` are checked before any
 * work: an existing run is continued only with `resume` (and the same settings and data) or replaced with
 * `force`; the log is cut back to the resumed step. Kept apart from commander so that it can be called directly.
 *
 * @example
 * await runTrainCommand({ model: "deal", preset: "tiny", gt: "instances.json", images: "photos/", steps: "200", seed: "0", prompting: "pgcpp", out: "ckpt", batch: "4", lr: "0.002", cycles: "1", checkpointEvery: "100" });
 */
export async function runTrainCommand(o: TrainCommandOptions): Promise<TrainSpecResult & { signal?: "SIGINT" | "SIGTERM" }> {
  const id: TrainRunIdentity = {
    model: checkOneOf("--model", o.model, MODEL_KINDS),
    preset: checkOneOf("--preset", o.preset, MODEL_PRESETS),
    seed: checkNumberOption("--seed", o.seed, RANGES.seed),
    steps: checkNumberOption("--steps", o.steps, RANGES.steps),
    batch: checkNumberOption("--batch", o.batch, RANGES.batch),
    lr: checkNumberOption("--lr", o.lr, RANGES.lr),
    prompting: checkOneOf("--prompting", o.prompting, PROMPTING_STRATEGIES),
    cycles: checkNumberOption("--cycles", o.cycles, RANGES.cycles),
    novelObjects: o.novelObjects !== undefined ? checkNumberOption("--novel-objects", o.novelObjects, RANGES.probability) : defaultNovelObjects(o.model),
    novelScenes: o.novelScenes !== undefined ? checkNumberOption("--novel-scenes", o.novelScenes, RANGES.probability) : defaultNovelScenes(o.model),
    decoderRound: checkOneOf("--decoder-round", o.decoderRound ?? DEFAULT_DECODER_ROUND, DECODER_ROUNDS),
    classPrior: dealSwitch(o, o.classPrior, "--class-prior", DEAL_CLASS_PRIOR, DEAL_ONLY_SWITCHES.classPrior),
    pixelMatch: dealSwitch(o, o.pixelMatch, "--pixel-match", DEAL_PIXEL_MATCH, DEAL_ONLY_SWITCHES.pixelMatch),
    data: Object.fromEntries(Object.entries(datasetSpecOf(o)).map(([k, v]) => [k, ["gt", "images", "classes"].includes(k) || (k === "data" && v !== "default") ? path.resolve(v) : v])),
  };
  const checkpointEvery = checkNumberOption("--checkpoint-every", o.checkpointEvery, RANGES.checkpointEvery);
  const logFile = trainLogFile(o.out, o.log);
  const resumeFrom = prepareTrainOut(o.out, { resume: o.resume, force: o.force, log: logFile });
  if (resumeFrom) checkResumeMatches(o.out, resumeFrom, id);
  const backend = await initBackend(o.backend ? { backend: o.backend as never } : {});
  // Worker threads pay off on the single-threaded backends (wasm, cpu); native TensorFlow threads by itself.
  const workers = o.workers !== undefined ? checkNumberOption("--workers", o.workers, { min: 1, max: 64, integer: true }) : backend.tfjsBackend === "tensorflow" ? 1 : defaultWorkerCount();
  truncateTrainLog(logFile, resumeFrom?.step ?? 0); // a fresh run starts its log empty
  if (!resumeFrom) writeTrainRun(o.out, id);
  const ac = new AbortController();
  let signal = undefined as "SIGINT" | "SIGTERM" | undefined;
  const onSigint = () => { signal ??= "SIGINT"; ac.abort(); };
  const onSigterm = () => { signal ??= "SIGTERM"; ac.abort(); };
  process.once("SIGINT", onSigint);
  process.once("SIGTERM", onSigterm);
  const bar = o.quiet ? null : new SingleBar({ format: "train {bar} {value}/{total} | loss {loss} | {sps} steps/s | ETA {eta_formatted}", stream: process.stderr, etaBuffer: 50 });
  try {
    const r = await trainFromSpec({
      kind: id.model,
      preset: id.preset,
      data: datasetSpecOf(o),
      steps: id.steps,
      batchSize: id.batch,
      lr: id.lr,
      seed: id.seed,
      prompting: id.prompting as (typeof PROMPTING_STRATEGIES)[number],
      promptCycles: id.cycles,
      augment: { novelObjects: id.novelObjects, novelScenes: id.novelScenes },
      decoderRound: id.decoderRound as DecoderRound,
      classPrior: id.classPrior,
      pixelMatch: id.pixelMatch,
      out: o.out,
      checkpointEvery,
      resume: resumeFrom !== undefined,
      weightsOnlyAtEnd: o.weightsOnly ?? false,
      workers,
      logFile,
      signal: ac.signal,
      onProgress: (p) => {
        if (!bar) return;
        if (p.step === 1 || !bar.getTotal()) bar.start(p.totalSteps, p.step - 1, { loss: "-", sps: "-" });
        bar.update(p.step, { loss: p.loss.toFixed(3), sps: p.stepsPerSec.toFixed(2) });
      },
    });
    return { ...r, ...(signal ? { signal } : {}) };
  } finally {
    bar?.stop();
    process.removeListener("SIGINT", onSigint);
    process.removeListener("SIGTERM", onSigterm);
  }
}

/**
 * A DEAL-only switch (`--flag` / `--no-flag`): absent, the recipe's default `dealDefault` for DEAL and off for the
 * baseline; on with `--model baseline`, an error saying `why` it does not apply.
 */
function dealSwitch(o: TrainCommandOptions, value: boolean | undefined, flag: string, dealDefault: boolean, why: string): boolean {
  if (value === undefined) return o.model === "deal" && dealDefault;
  if (value && o.model !== "deal") throw new DealkitConfigError(`${flag} applies to --model deal only (${why})`);
  return value;
}

/**
 * `dealkit train --model deal|baseline --preset tiny (--data default|DIR [--split train] | --gt FILE --images DIR
 *  [--format F]) --steps N --seed S --prompting random|pgcpp --out CKPT`
 */
export function register(program: Command): void {
  const cmd = program
    .command("train")
    .description("train DEAL or the supervised baseline on any data set (default: TinySet-mini's train split); checkpoints (weights + optimizer + RNG) go to --out")
    .option("--model <kind>", "deal | baseline", "deal")
    .option("--preset <name>", "micro | tiny | small | paper", "tiny");
  addDataOptions(cmd, { split: "train" });
  addNumberOption(cmd, "--steps <n>", "optimisation steps (3000: the shipped models' budget)", RANGES.steps, 3000);
  addNumberOption(cmd, "--seed <n>", "seed of the initial weights and of the data stream", RANGES.seed, 0);
  cmd.option("--prompting <strategy>", "DEAL's extra training clicks: random | pgcpp", "pgcpp");
  cmd.option("--decoder-round <round>", `DEAL: the prompt round the decoder trains on: first (the first click only, as a one-click prompt at inference) | last (every click of the cycles) [${DEFAULT_DECODER_ROUND}]`);
  addNumberOption(cmd, "--cycles <n>", "DEAL: extra click cycles per prompt after the first click (PG-CPP or random)", RANGES.cycles, 1);
  cmd.option("--class-prior", `DEAL: also learn a heatmap per training category and match the click's class probabilities against every location's (helps seen categories, hurts unseen ones) [${DEAL_CLASS_PRIOR ? "on" : "off"}]`);
  cmd.option("--no-class-prior", "DEAL: without the class-prior head");
  cmd.option("--pixel-match", `DEAL: also correlate the clicked pixels with every patch at three scales (normalised cross-correlation, as the template matcher) as inputs of the density activation [${DEAL_PIXEL_MATCH ? "on" : "off"}]`);
  cmd.option("--no-pixel-match", "DEAL: without pixel matching");
  addNumberOption(cmd, "--novel-objects <p>", `probability that a training crop also gets procedural objects of novel kinds, prompted like a category (DEAL: teaches matching over memorising) [DEAL ${DEAL_NOVEL_OBJECTS}, baseline 0]`, RANGES.probability);
  addNumberOption(cmd, "--novel-scenes <p>", `probability that a crop getting novel objects is instead a whole synthetic scene of novel kinds on a random background (domain randomisation) [DEAL ${DEAL_NOVEL_SCENES}, baseline 0]`, RANGES.probability);
  addNumberOption(cmd, "--batch <n>", "samples per step", RANGES.batch, 4);
  addNumberOption(cmd, "--lr <x>", "peak learning rate (AdamW, warmup + cosine)", RANGES.lr, 0.002);
  addNumberOption(cmd, "--checkpoint-every <n>", "also checkpoint every n steps (0: only at the end and on Ctrl-C)", RANGES.checkpointEvery, 100);
  cmd
    .option("--resume", "continue from the checkpoint in --out (exactly: same losses as an uninterrupted run); the same settings and data are required")
    .option("--force", "start over when --out already holds a run (its checkpoint and log are removed)")
    .option("--log <file>", "JSONL training log (default: <out>-train-log.jsonl beside --out)")
    .option("--backend <name>", "auto | gpu | node | wasm | cpu")
    .option("--quiet", "no progress bar")
    .option("--workers <n>", "data-parallel threads, each computing a share of the batch (default: the machine's cores; 1: one thread)")
    .option("--weights-only", "the final checkpoint holds weights only (no optimizer state): for shipping")
    .requiredOption("--out <dir>", "checkpoint directory")
    .action(async (opts: TrainCommandOptions) => {
      const r = await runTrainCommand(opts);
      const last = r.history[r.history.length - 1]?.loss ?? NaN;
      process.stdout.write(`${r.interrupted ? `interrupted${r.signal ? ` (${r.signal})` : ""} at` : "trained"} step ${r.step} in ${r.seconds.toFixed(1)} s on ${r.images} images of ${r.data}; last loss ${last.toFixed(4)}; checkpoint ${opts.out}${r.interrupted ? " (continue with --resume)" : ""}\n`);
      if (r.signal) process.exitCode = r.signal === "SIGINT" ? 130 : 143;
    });
}
