import type { Command } from "commander";
import { SingleBar } from "cli-progress";
import { defaultWorkerCount, initBackend, trainFromSpec, type PromptingStrategy, type TrainSpecResult } from "../../index.js";
import { addDataOptions, datasetSpecOf, numberOption, type DataCommandOptions } from "../data-options.js";

/** Options of `dealkit train`, as commander parses them. */
export interface TrainCommandOptions extends DataCommandOptions {
  model: string;
  preset: string;
  steps: string;
  seed: string;
  prompting: string;
  out: string;
  batch: string;
  lr: string;
  cycles: string;
  checkpointEvery: string;
  resume?: boolean;
  log?: string;
  backend?: string;
  quiet?: boolean;
  weightsOnly?: boolean;
  workers?: string;
}

/**
 * Runs `dealkit train` ({@link trainFromSpec}): any data set (TinySet-mini's train split by default), a DEAL or
 * baseline of the given preset initialised from `seed`, the seeded training loop; checkpoints to `out` (and on
 * Ctrl-C). Kept apart from commander so that it can be called directly.
 *
 * @example
 * await runTrainCommand({ model: "deal", preset: "tiny", gt: "instances.json", images: "photos/", steps: "200", seed: "0", prompting: "pgcpp", out: "ckpt", batch: "4", lr: "0.002", cycles: "1", checkpointEvery: "100" });
 */
export async function runTrainCommand(o: TrainCommandOptions): Promise<TrainSpecResult> {
  const backend = await initBackend(o.backend ? { backend: o.backend as never } : {});
  // Worker threads pay off on the single-threaded backends (wasm, cpu); native TensorFlow threads by itself.
  const workers = o.workers !== undefined ? numberOption("--workers", o.workers, { integer: true, min: 1 }) : backend.tfjsBackend === "tensorflow" ? 1 : defaultWorkerCount();
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once("SIGINT", onSigint);
  const bar = o.quiet ? null : new SingleBar({ format: "train {bar} {value}/{total} | loss {loss} | {sps} steps/s | ETA {eta_formatted}", stream: process.stderr, etaBuffer: 50 });
  try {
    return await trainFromSpec({
      kind: o.model,
      preset: o.preset,
      data: datasetSpecOf(o),
      steps: numberOption("--steps", o.steps, { integer: true, min: 1 }),
      batchSize: numberOption("--batch", o.batch, { integer: true, min: 1 }),
      lr: numberOption("--lr", o.lr, { min: 0 }),
      seed: numberOption("--seed", o.seed, { integer: true }),
      prompting: o.prompting as PromptingStrategy,
      promptCycles: numberOption("--cycles", o.cycles, { integer: true, min: 0 }),
      out: o.out,
      checkpointEvery: numberOption("--checkpoint-every", o.checkpointEvery, { integer: true, min: 0 }),
      resume: o.resume ?? false,
      weightsOnlyAtEnd: o.weightsOnly ?? false,
      workers,
      logFile: o.log,
      signal: ac.signal,
      onProgress: (p) => {
        if (!bar) return;
        if (p.step === 1 || !bar.getTotal()) bar.start(p.totalSteps, p.step - 1, { loss: "-", sps: "-" });
        bar.update(p.step, { loss: p.loss.toFixed(3), sps: p.stepsPerSec.toFixed(2) });
      },
    });
  } finally {
    bar?.stop();
    process.removeListener("SIGINT", onSigint);
  }
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
  addDataOptions(cmd, { split: "train" })
    .option("--steps <n>", "optimisation steps", "1500")
    .option("--seed <n>", "seed of the initial weights and of the data stream", "0")
    .option("--prompting <strategy>", "DEAL's extra training clicks: random | pgcpp", "pgcpp")
    .option("--cycles <n>", "DEAL: extra click cycles per prompt after the first click (PG-CPP or random)", "1")
    .option("--batch <n>", "samples per step", "4")
    .option("--lr <x>", "peak learning rate (AdamW, warmup + cosine)", "0.002")
    .option("--checkpoint-every <n>", "also checkpoint every n steps (0: only at the end and on Ctrl-C)", "100")
    .option("--resume", "continue from the checkpoint in --out (exactly: same losses as an uninterrupted run)")
    .option("--log <file>", "JSONL training log (default: <out>-train-log.jsonl beside --out)")
    .option("--backend <name>", "auto | gpu | node | wasm | cpu")
    .option("--quiet", "no progress bar")
    .option("--workers <n>", "data-parallel threads, each computing a share of the batch (default: the machine's cores; 1: one thread)")
    .option("--weights-only", "the final checkpoint holds weights only (no optimizer state): for shipping")
    .requiredOption("--out <dir>", "checkpoint directory")
    .action(async (opts: TrainCommandOptions) => {
      const r = await runTrainCommand(opts);
      const last = r.history[r.history.length - 1]?.loss ?? NaN;
      process.stdout.write(`${r.interrupted ? "interrupted at" : "trained"} step ${r.step} in ${r.seconds.toFixed(1)} s on ${r.images} images of ${r.data}; last loss ${last.toFixed(4)}; checkpoint ${opts.out}\n`);
    });
}
