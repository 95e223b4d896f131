import * as fs from "node:fs";
import * as path from "node:path";
import { INFERENCE_REVISION, resolveModelConfig, type ModelKind } from "../model/config.js";
import { createDetector, type Detector } from "../model/factory.js";
import { createTemplateMatcher } from "../model/template/index.js";
import type { PromptableDetector } from "../structures/detector.js";
import { checkpointFingerprint, loadCheckpoint, type CheckpointManifest } from "../train/checkpoint.js";
import { DealkitInputError } from "../util/errors.js";
import { contentFingerprint } from "../util/fingerprint.js";
import { projectRoot } from "../util/fs.js";

/** The models dealkit ships in datasets/models (trained as the README documents). */
export const SHIPPED_MODELS = ["deal-tiny", "deal-tiny-random", "baseline-tiny"] as const;
/** One of {@link SHIPPED_MODELS}. */
export type ShippedModelName = (typeof SHIPPED_MODELS)[number];
/**
 * Training-free reference detectors, loadable by name like the shipped models: `template` is exemplar template
 * matching around the click (src/model/template), the reference DEAL must beat.
 */
export const REFERENCE_MODELS = ["template"] as const;

/** A model loaded by {@link loadModel}. Call `model.dispose()` when done. */
export interface LoadedModel {
  /** A trained network ({@link Detector}) or, for a reference name such as `template`, a training-free detector. */
  model: PromptableDetector;
  /** The shipped or reference name, or the checkpoint folder's base name. */
  name: string;
  /** The checkpoint folder ("" for a reference model). */
  dir: string;
  /** The checkpoint's manifest (absent for a reference model). */
  manifest?: CheckpointManifest;
  /**
   * The key of every cache that holds results of this model: {@link checkpointFingerprint} (config and weight bytes)
   * with the code's INFERENCE_REVISION (what the same weights output).
   */
  fingerprint: string;
}

/**
 * The checkpoint folder a model name stands for: a shipped name resolves to `modelsDir/<name>` (default
 * datasets/models of the project); anything else must be a folder holding a checkpoint (manifest.json).
 * Otherwise a DealkitInputError lists the shipped names.
 *
 * @example
 * resolveModelDir("deal-tiny"); // ".../datasets/models/deal-tiny"
 */
export function resolveModelDir(nameOrDir: string, options: { modelsDir?: string } = {}): string {
  if ((REFERENCE_MODELS as readonly string[]).includes(nameOrDir)) return "";
  if ((SHIPPED_MODELS as readonly string[]).includes(nameOrDir)) {
    const dir = path.join(options.modelsDir ?? path.join(projectRoot(), "datasets", "models"), nameOrDir);
    if (!fs.existsSync(path.join(dir, "manifest.json"))) throw new DealkitInputError(`the shipped model ${nameOrDir} is missing here (no manifest.json)`, { file: dir });
    return dir;
  }
  if (fs.existsSync(path.join(nameOrDir, "manifest.json"))) return nameOrDir;
  throw new DealkitInputError(
    `not a model: give a shipped model (${SHIPPED_MODELS.join(", ")}), a reference (${REFERENCE_MODELS.join(", ")}) or a checkpoint folder (one holding manifest.json, as dealkit train --out writes)`,
    { file: nameOrDir },
  );
}

/**
 * Loads a shipped model by name (`deal-tiny`, `deal-tiny-random`, `baseline-tiny`) or a checkpoint folder.
 *
 * @example
 * const { model, fingerprint } = loadModel("deal-tiny");
 * const dets = await model.detect(image, clicks);
 * model.dispose();
 */
export function loadModel(nameOrDir: string, options: { modelsDir?: string } = {}): LoadedModel {
  const dir = resolveModelDir(nameOrDir, options);
  if (dir === "") return { model: createTemplateMatcher(), name: nameOrDir, dir, fingerprint: `${nameOrDir}-reference-v1` };
  const { model, manifest } = loadCheckpoint(dir);
  return { model, name: path.basename(path.resolve(dir)), dir, manifest, fingerprint: contentFingerprint(checkpointFingerprint(dir), INFERENCE_REVISION) };
}

/** Options of {@link modelForData}. Defaults: preset "tiny", seed 0. */
export interface ModelForDataOptions {
  preset?: string;
  /** Seed of the initial weights. */
  seed?: number;
  /** DEAL: build the class-prior head (ModelConfig.classPrior). Default {@link DEAL_CLASS_PRIOR}. */
  classPrior?: boolean;
  /** DEAL: pixel matching in the density activation (ModelConfig.pixelMatch). Default {@link DEAL_PIXEL_MATCH}. */
  pixelMatch?: boolean;
}

/**
 * Whether new DEAL models get the class-prior head (ModelConfig.classPrior; `dealkit train --class-prior`). Off:
 * decided on val over two training seeds (src/model/README.md, "What was tried").
 */
export const DEAL_CLASS_PRIOR = false;

/** Whether new DEAL models match the clicked pixels (ModelConfig.pixelMatch). Off: see src/model/README.md. */
export const DEAL_PIXEL_MATCH = false;

/**
 * A fresh (untrained) model sized for a data set: DEAL (one "prompted category" class), or the baseline with
 * one class per category id of the training data (class i is `categoryIds[i]`).
 *
 * @example
 * const model = modelForData("baseline", source.categoryIds, { preset: "tiny", seed: 0 });
 */
export function modelForData(kind: ModelKind | string, categoryIds: readonly number[], options: ModelForDataOptions = {}): Detector {
  const cfg = resolveModelConfig({
    kind,
    preset: options.preset ?? "tiny",
    numClasses: Math.max(1, categoryIds.length),
    categoryIds: kind === "baseline" ? [...categoryIds] : [],
    classPrior: kind === "deal" && (options.classPrior ?? DEAL_CLASS_PRIOR),
    pixelMatch: kind === "deal" && (options.pixelMatch ?? DEAL_PIXEL_MATCH),
  });
  return createDetector(cfg, options.seed ?? 0);
}
