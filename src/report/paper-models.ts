import * as fs from "node:fs";
import * as path from "node:path";
import type { Dataset } from "../data/dataset.js";
import { trainFromSpec } from "../recipes/train.js";
import { readManifest } from "../train/checkpoint.js";
import { cacheDir, projectRoot } from "../util/fs.js";

/** The three models the reproduction compares. */
export type PaperModelRole = "deal" | "dealRandom" | "baseline";

/** How one of them is made: the documented `dealkit train` settings (src/model/README.md). */
export interface PaperModelSpec {
  role: PaperModelRole;
  /** Folder name under datasets/models (and under the cache when trained here). */
  name: string;
  /** What the table calls it. */
  label: string;
  kind: "deal" | "baseline";
  prompting: "pgcpp" | "random";
}

/** The models of the reproduction, in table order. */
export const PAPER_MODELS: readonly PaperModelSpec[] = [
  { role: "baseline", name: "baseline-tiny", label: "baseline-tiny (supervised)", kind: "baseline", prompting: "pgcpp" },
  { role: "deal", name: "deal-tiny", label: "DEAL-tiny (PG-CPP)", kind: "deal", prompting: "pgcpp" },
  { role: "dealRandom", name: "deal-tiny-random", label: "DEAL-tiny (random clicks)", kind: "deal", prompting: "random" },
];

/**
 * The documented training settings of the shipped weights:
 * `dealkit train --model <kind> --preset tiny --data default --steps 3000 --seed 0 --prompting <p> --weights-only`
 * (batch 4, lr 2e-3, 1 prompt cycle: the CLI's defaults).
 */
export const PAPER_TRAIN_SETTINGS = Object.freeze({ preset: "tiny", steps: 3000, seed: 0, batchSize: 4, lr: 2e-3, promptCycles: 1 });

/** Where a model came from. */
export interface ResolvedPaperModel extends PaperModelSpec {
  dir: string;
  /** "shipped" (datasets/models), "cache" (trained earlier by the reproduction) or "trained" (just now). */
  source: "shipped" | "cache" | "trained";
  step: number;
}

/** Progress of training a missing model. */
export type PaperTrainProgress = (spec: PaperModelSpec, step: number, total: number, loss: number) => void;

const hasCheckpoint = (dir: string): boolean => fs.existsSync(path.join(dir, "manifest.json"));

/**
 * Finds a model's checkpoint: `modelsDir/<name>` (shipped), else `<cache>/models/<name>` when it holds the
 * documented step count, else trains it there with {@link PAPER_TRAIN_SETTINGS} (about 25 minutes per model
 * on 2 CPU cores). `retrain` skips the first two and always trains into the cache.
 *
 * @example
 * const m = await resolvePaperModel(PAPER_MODELS[1], { train: () => trainSplit });
 */
export async function resolvePaperModel(
  spec: PaperModelSpec,
  options: { modelsDir?: string; retrain?: boolean; steps?: number; train: () => Promise<Dataset>; onTrain?: PaperTrainProgress },
): Promise<ResolvedPaperModel> {
  const steps = options.steps ?? PAPER_TRAIN_SETTINGS.steps;
  const shipped = path.join(options.modelsDir ?? path.join(projectRoot(), "datasets", "models"), spec.name);
  if (!options.retrain && hasCheckpoint(shipped)) return { ...spec, dir: shipped, source: "shipped", step: readManifest(shipped).step };
  const dir = cacheDir("models", `${spec.name}-${steps}`);
  if (!options.retrain && hasCheckpoint(dir) && readManifest(dir).step === steps) return { ...spec, dir, source: "cache", step: steps };
  fs.rmSync(dir, { recursive: true, force: true });
  const s = PAPER_TRAIN_SETTINGS;
  await trainFromSpec({
    kind: spec.kind,
    preset: s.preset,
    data: await options.train(),
    steps,
    batchSize: s.batchSize,
    lr: s.lr,
    seed: s.seed,
    prompting: spec.prompting,
    promptCycles: s.promptCycles,
    out: dir,
    checkpointEvery: 100,
    weightsOnlyAtEnd: true,
    onProgress: (p) => options.onTrain?.(spec, p.step, p.totalSteps, p.loss),
  });
  return { ...spec, dir, source: "trained", step: steps };
}
