import * as path from "node:path";
import type { Command } from "commander";
import { SingleBar } from "cli-progress";
import { initBackend } from "../../backend/init.js";
import { resolveModelConfig } from "../../model/config.js";
import { createDetector } from "../../model/factory.js";
import { datasetSource, openTrainingSplit } from "../../train/dataset-source.js";
import { trainDetector, type TrainOptions } from "../../train/loop.js";
import type { PromptingStrategy } from "../../model/loss/training.js";

/** Options of `dealkit train`, as commander parses them. */
export interface TrainCommandOptions {
  model: string;
  preset: string;
  data: string;
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
}

/**
 * Runs `dealkit train`: TinySet-mini's train split (or a TinySet-mini folder), a DEAL or baseline of the
 * given preset initialised from `seed`, the seeded training loop; checkpoints to `out` (and on Ctrl-C).
 * Returns the training result; kept apart from commander so that it can be called directly.
 */
export async function runTrainCommand(o: TrainCommandOptions): Promise<{ steps: number; seconds: number; finalLoss: number; interrupted: boolean }> {
  await initBackend(o.backend ? { backend: o.backend as never } : {});
  const ds = await openTrainingSplit(o.data, "train");
  const source = await datasetSource(ds);
  const seed = Number(o.seed);
  const cfg = resolveModelConfig({ kind: o.model, preset: o.preset, numClasses: Math.max(1, source.categoryIds.length), categoryIds: o.model === "baseline" ? [...source.categoryIds] : [] });
  const model = createDetector(cfg, seed);
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once("SIGINT", onSigint);
  const bar = o.quiet ? null : new SingleBar({ format: "train {bar} {value}/{total} | loss {loss} | {sps} steps/s | ETA {eta_formatted}", stream: process.stderr, etaBuffer: 50 });
  const opts: TrainOptions = {
    steps: Number(o.steps),
    batchSize: Number(o.batch),
    lr: Number(o.lr),
    seed,
    prompting: o.prompting as PromptingStrategy,
    promptCycles: Number(o.cycles),
    checkpointDir: o.out,
    checkpointEvery: Number(o.checkpointEvery),
    resume: o.resume ?? false,
    weightsOnlyAtEnd: o.weightsOnly ?? false,
    logFile: o.log ?? path.join(o.out, "..", `${path.basename(o.out)}-train-log.jsonl`),
    signal: ac.signal,
    onProgress: (p) => {
      if (!bar) return;
      if (p.step === 1 || !bar.getTotal()) bar.start(p.totalSteps, p.step - 1, { loss: "-", sps: "-" });
      bar.update(p.step, { loss: p.loss.toFixed(3), sps: p.stepsPerSec.toFixed(2) });
    },
  };
  try {
    const r = await trainDetector(model, source, opts);
    return { steps: r.step, seconds: r.seconds, finalLoss: r.history[r.history.length - 1]?.loss ?? NaN, interrupted: r.interrupted };
  } finally {
    bar?.stop();
    process.removeListener("SIGINT", onSigint);
    model.dispose();
  }
}

/**
 * `dealkit train --model deal|baseline --preset tiny --data DIR|default --steps N --seed S
 *  --prompting random|pgcpp --out CKPT`
 */
export function register(program: Command): void {
  program
    .command("train")
    .description("train DEAL or the supervised baseline on TinySet-mini's train split; checkpoints (weights + optimizer + RNG) go to --out")
    .option("--model <kind>", "deal | baseline", "deal")
    .option("--preset <name>", "micro | tiny | small | paper", "tiny")
    .option("--data <dir>", "a TinySet-mini folder, or default (the cached TinySet-mini, seed 0)", "default")
    .option("--steps <n>", "optimisation steps", "500")
    .option("--seed <n>", "seed of the initial weights and of the data stream", "0")
    .option("--prompting <strategy>", "DEAL's extra training clicks: random | pgcpp", "pgcpp")
    .option("--cycles <n>", "DEAL: at most this many extra clicks per prompt (PG-CPP cycles)", "2")
    .option("--batch <n>", "samples per step", "4")
    .option("--lr <x>", "peak learning rate (AdamW, warmup + cosine)", "0.001")
    .option("--checkpoint-every <n>", "also checkpoint every n steps (0: only at the end and on Ctrl-C)", "100")
    .option("--resume", "continue from the checkpoint in --out (exactly: same losses as an uninterrupted run)")
    .option("--log <file>", "JSONL training log (default: <out>-train-log.jsonl beside --out)")
    .option("--backend <name>", "auto | gpu | node | wasm | cpu")
    .option("--quiet", "no progress bar")
    .option("--weights-only", "the final checkpoint holds weights only (no optimizer state): for shipping")
    .requiredOption("--out <dir>", "checkpoint directory")
    .action(async (opts: TrainCommandOptions) => {
      const r = await runTrainCommand(opts);
      process.stdout.write(`${r.interrupted ? "interrupted at" : "trained"} step ${r.steps} in ${r.seconds.toFixed(1)} s; last loss ${r.finalLoss.toFixed(4)}; checkpoint ${opts.out}\n`);
    });
}
