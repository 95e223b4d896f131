import * as os from "node:os";
import { DealkitConfigError, checkOneOf } from "../util/errors.js";

/** Named size presets of DEAL and its baseline. */
export const MODEL_PRESETS = ["micro", "tiny", "small", "paper"] as const;
/** One of {@link MODEL_PRESETS}. */
export type ModelPreset = (typeof MODEL_PRESETS)[number];
/** Which detector a config builds. */
export const MODEL_KINDS = ["deal", "baseline"] as const;
/** One of {@link MODEL_KINDS}. */
export type ModelKind = (typeof MODEL_KINDS)[number];

/** The network generation: 2 is DEAL v2 (dense stride-2 heads, exemplar matching, refinement decoder). */
export const MODEL_VERSION = 2;

/**
 * Bumped whenever what a trained model outputs changes without its weights changing (post-processing, query
 * allocation at inference): caches of predictions key on it (the paper reproduction, bench/deal-repro).
 */
export const INFERENCE_REVISION = "v2-inference-budget";

/**
 * The full, validated configuration of DEAL v2 and of its baseline (which ignores the prompt fields). Every field
 * has a default in the preset; see {@link resolveModelConfig}.
 */
export interface ModelConfig {
  kind: ModelKind;
  preset: ModelPreset;
  /** Training crop side (px); inference runs on whole images at their native scale. tiny: 192. */
  inputSize: number;
  /** Default tile side (px) of sliced inference (detectSliced, `--slice`); detect() runs any image whole. tiny: 512. */
  sliceSize: number;
  /** Stem width (the stride-2 conv). tiny: 16. */
  stemWidth: number;
  /** Backbone stage widths, strides 4, 8, 16 (, 32). tiny: [24, 48, 96]. */
  widths: number[];
  /** Residual blocks per stage. tiny: [1, 1, 1]. */
  depths: number[];
  /** Width of the fused pyramid maps (strides 4 and up). tiny: 48. */
  dModel: number;
  /** Width of the stride-2 map the dense heads read. tiny: 32. */
  fineWidth: number;
  /** Channels of the matching embedding (DEAL). tiny: 16. */
  embedDim: number;
  /** Attention heads of the context layer and the decoder (must divide dModel and decoderDim). tiny: 4. */
  heads: number;
  /** Feed-forward width of the context layer. tiny: 96. */
  ffnDim: number;
  /** Global-context transformer layers on the coarsest map (Hybrid Feature Enhancement). tiny: 1. */
  contextLayers: number;
  /** Hidden width of the density activation's per-location network. tiny: 16. */
  densityHidden: number;
  /** Refinement decoder layers (0: dense boxes only). tiny: 2. */
  decoderLayers: number;
  /** Decoder width. tiny: 48. */
  decoderDim: number;
  /** Query allocation in training: K = clamp(ceil(countScale * count) + countMargin, minQueries, maxQueries). */
  countScale: number;
  countMargin: number;
  minQueries: number;
  maxQueries: number;
  /**
   * Query allocation at inference: the same rule with these in place of countScale and countMargin (3 and 16 in every
   * preset; decided on val, src/model/README.md: with the training rule's 1.5 and 8 a prompt's budget was short of its
   * objects and DEAL lost 1.8 AP.5 on val). Checkpoints saved before these fields existed load with the preset's
   * values.
   */
  inferenceCountScale: number;
  inferenceCountMargin: number;
  /** Clicks one prompt may hold in training (PG-CPP cycles add clicks up to this). tiny: 3. */
  maxClicksPerPrompt: number;
  /**
   * Number of training categories (the baseline's heatmap channels; DEAL's class-prior head when `classPrior`), and
   * (baseline) the dataset category id of each class index.
   */
  numClasses: number;
  categoryIds: number[];
  /**
   * DEAL only: a class-prior head (one heatmap per training category, supervised like the baseline's) whose
   * probabilities at the click are matched against every location's in the density activation. Default false (the
   * models trained before it existed load unchanged); modelForData builds new DEAL models with DEAL_CLASS_PRIOR.
   */
  classPrior: boolean;
  /**
   * DEAL only: pixel matching (pixel-match.ts): the NCC of the clicked pixels with every patch at three scales as
   * three more inputs of the density activation. Default false (models trained before it existed load unchanged).
   */
  pixelMatch: boolean;
}

/**
 * The DEAL-only switches of the config and why the baseline has no use for them: the config's errors and the
 * CLI's (`--class-prior`, `--pixel-match` with `--model baseline`) give these reasons.
 */
export const DEAL_ONLY_SWITCHES = Object.freeze({
  classPrior: "the baseline's heatmap is per class already",
  pixelMatch: "the baseline takes no clicks",
});

/** A partial config: a preset name plus overrides. */
export type ModelConfigInput = Partial<Omit<ModelConfig, "preset" | "kind">> & { preset?: ModelPreset | string; kind?: ModelKind | string };

type PresetFields = Omit<ModelConfig, "kind" | "preset" | "numClasses" | "categoryIds" | "classPrior" | "pixelMatch">;
const COMMON = { countScale: 1.5, countMargin: 8, inferenceCountScale: 3, inferenceCountMargin: 16, minQueries: 8, contextLayers: 1 };
const PRESETS: Record<ModelPreset, PresetFields> = {
  micro: {
    ...COMMON, inputSize: 64, sliceSize: 128, stemWidth: 8, widths: [8, 16, 16], depths: [0, 0, 0], dModel: 16, fineWidth: 8, embedDim: 8,
    heads: 2, ffnDim: 32, densityHidden: 8, decoderLayers: 1, decoderDim: 16, maxQueries: 16, maxClicksPerPrompt: 2,
  },
  tiny: {
    ...COMMON, inputSize: 192, sliceSize: 512, stemWidth: 16, widths: [24, 48, 96], depths: [1, 1, 1], dModel: 48, fineWidth: 32, embedDim: 16,
    heads: 4, ffnDim: 96, densityHidden: 16, decoderLayers: 2, decoderDim: 48, maxQueries: 120, maxClicksPerPrompt: 3,
  },
  small: {
    ...COMMON, inputSize: 384, sliceSize: 768, stemWidth: 24, widths: [32, 64, 128, 256], depths: [1, 2, 2, 1], dModel: 96, fineWidth: 48,
    embedDim: 32, heads: 8, ffnDim: 256, densityHidden: 32, decoderLayers: 3, decoderDim: 96, maxQueries: 200, maxClicksPerPrompt: 4,
  },
  paper: {
    ...COMMON, inputSize: 1024, sliceSize: 1024, stemWidth: 64, widths: [64, 128, 256, 512], depths: [3, 4, 6, 3], dModel: 256, fineWidth: 64,
    embedDim: 64, heads: 8, ffnDim: 1024, densityHidden: 64, decoderLayers: 6, decoderDim: 256, maxQueries: 300, maxClicksPerPrompt: 8,
  },
};

function intIn(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new DealkitConfigError(`model config: ${name} must be an integer in [${min}, ${max}]; got ${JSON.stringify(v)?.slice(0, 40)}`);
  }
  return v;
}

const KNOWN_KEYS = new Set<string>(["kind", "preset", "numClasses", "categoryIds", "classPrior", "pixelMatch", ...Object.keys(PRESETS.tiny)]);

/** The coarsest stride of a config (the image is padded to a multiple of it). */
export function coarsestStride(cfg: Pick<ModelConfig, "widths">): number {
  return 2 ** (cfg.widths.length + 1);
}

/**
 * Fills a partial config from its preset (default "tiny") and validates it: every field has a type and a range,
 * and errors name the field, the value and the valid range or options.
 *
 * @example
 * const cfg = resolveModelConfig({ preset: "tiny", decoderLayers: 3 });
 */
export function resolveModelConfig(input: ModelConfigInput = {}): ModelConfig {
  if (input === null || typeof input !== "object") throw new DealkitConfigError("model config must be an object");
  for (const key of Object.keys(input)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new DealkitConfigError(`model config: unknown field "${key.slice(0, 40)}"; valid fields are ${[...KNOWN_KEYS].join(", ")}`);
    }
  }
  const preset = checkOneOf("model config: preset", String(input.preset ?? "tiny"), MODEL_PRESETS);
  const kind = checkOneOf("model config: kind", String(input.kind ?? "deal"), MODEL_KINDS);
  const cfg: ModelConfig = { ...PRESETS[preset], numClasses: 1, categoryIds: [], classPrior: false, pixelMatch: false, ...input, preset, kind } as ModelConfig;
  if (!Array.isArray(cfg.widths) || cfg.widths.length < 2 || cfg.widths.length > 4) {
    throw new DealkitConfigError(`model config: widths must list 2 to 4 stage widths (strides 4, 8, 16, 32); got ${JSON.stringify(cfg.widths)?.slice(0, 60)}`);
  }
  cfg.widths.forEach((w, i) => intIn(`widths[${i}]`, w, 1, 2048));
  if (!Array.isArray(cfg.depths) || cfg.depths.length !== cfg.widths.length) {
    throw new DealkitConfigError(`model config: depths must have one entry per stage (${cfg.widths.length}); got ${JSON.stringify(cfg.depths)?.slice(0, 60)}`);
  }
  cfg.depths.forEach((d, i) => intIn(`depths[${i}]`, d, 0, 16));
  intIn("inputSize", cfg.inputSize, 32, 4096);
  intIn("sliceSize", cfg.sliceSize, 32, 4096);
  if (cfg.inputSize % coarsestStride(cfg) !== 0) {
    throw new DealkitConfigError(`model config: inputSize must be a multiple of the coarsest stride ${coarsestStride(cfg)}; got ${cfg.inputSize}`);
  }
  for (const k of ["stemWidth", "dModel", "fineWidth", "embedDim", "heads", "ffnDim", "densityHidden", "decoderDim"] as const) intIn(k, cfg[k], 1, 4096);
  intIn("contextLayers", cfg.contextLayers, 0, 12);
  intIn("decoderLayers", cfg.decoderLayers, 0, 12);
  intIn("minQueries", cfg.minQueries, 1, 2000);
  intIn("maxQueries", cfg.maxQueries, 1, 2000);
  intIn("maxClicksPerPrompt", cfg.maxClicksPerPrompt, 1, 64);
  intIn("numClasses", cfg.numClasses, 1, 10000);
  if (cfg.dModel % cfg.heads !== 0 || cfg.decoderDim % cfg.heads !== 0) {
    throw new DealkitConfigError(`model config: heads (${cfg.heads}) must divide dModel (${cfg.dModel}) and decoderDim (${cfg.decoderDim})`);
  }
  if (cfg.dModel % 4 !== 0) throw new DealkitConfigError(`model config: dModel must be a multiple of 4; got ${cfg.dModel}`);
  if (cfg.minQueries > cfg.maxQueries) {
    throw new DealkitConfigError(`model config: minQueries (${cfg.minQueries}) must be <= maxQueries (${cfg.maxQueries})`);
  }
  for (const k of ["countScale", "inferenceCountScale"] as const) {
    if (typeof cfg[k] !== "number" || !(cfg[k] > 0 && cfg[k] <= 100)) {
      throw new DealkitConfigError(`model config: ${k} must be a number in (0, 100]; got ${JSON.stringify(cfg[k])?.slice(0, 40)}`);
    }
  }
  intIn("countMargin", cfg.countMargin, 0, 2000);
  intIn("inferenceCountMargin", cfg.inferenceCountMargin, 0, 2000);
  if (!Array.isArray(cfg.categoryIds) || cfg.categoryIds.some((c) => !Number.isInteger(c))) {
    throw new DealkitConfigError("model config: categoryIds must be an array of integers");
  }
  for (const [field, why] of Object.entries(DEAL_ONLY_SWITCHES) as [keyof typeof DEAL_ONLY_SWITCHES, string][]) {
    if (typeof cfg[field] !== "boolean") {
      throw new DealkitConfigError(`model config: ${field} must be true or false; got ${JSON.stringify(cfg[field])?.slice(0, 40)}`);
    }
    if (cfg[field] && cfg.kind !== "deal") throw new DealkitConfigError(`model config: ${field} applies to DEAL only (${why})`);
  }
  if (cfg.kind === "baseline" && cfg.categoryIds.length > 0 && cfg.categoryIds.length !== cfg.numClasses) {
    throw new DealkitConfigError(`model config: categoryIds has ${cfg.categoryIds.length} entries but numClasses is ${cfg.numClasses}`);
  }
  // Fields each in range can still together need more memory than any backend has (a wasm "memory access out of
  // bounds" trap): one image of the larger of inputSize and sliceSize with one prompt must fit.
  checkModelMemory(cfg, { side: Math.max(cfg.inputSize, cfg.sliceSize), sideField: cfg.sliceSize >= cfg.inputSize ? "sliceSize" : "inputSize" }, "model config");
  return { ...cfg, widths: [...cfg.widths], depths: [...cfg.depths], categoryIds: [...cfg.categoryIds] };
}

/** Stride (px) of the fine map the dense heads read. Always 2. */
export const FINE_STRIDE = 2;
/** Box sizes are predicted as log(side / SIZE_REF_PX). */
export const SIZE_REF_PX = 8;

/** What a forward pass is sized for in {@link estimateModelMemory}. */
export interface MemoryEstimateInput {
  /** Image (or slice, or training crop) side in px; `height` defaults to it. */
  side: number;
  height?: number;
  /** Images per batch (default 1). */
  batch?: number;
  /** Prompts per image (default 1); DEAL decodes maxQueries queries for each. */
  prompts?: number;
  /** A training step (activations kept for the backward pass): about 3x a forward pass. */
  training?: boolean;
  /** What sets `side`, for messages (default "image side"): "sliceSize", "--slice", ... */
  sideField?: string;
}

/** One part of a {@link estimateModelMemory} estimate: bytes, and the config fields and inputs it grows with. */
export interface MemoryTerm {
  what: string;
  bytes: number;
  fields: string[];
}

/**
 * A rough upper estimate (bytes, float32) of the largest working set of one forward pass: the feature maps at
 * strides 2 to 32, the context attention over the coarsest map (tokens^2 per head) and the decoder's
 * self-attention over all queries of all prompts ((prompts x maxQueries)^2 per head). It is meant to catch
 * settings that are off by orders of magnitude, not to budget memory.
 *
 * @example
 * estimateModelMemory(resolveModelConfig({ preset: "tiny" }), { side: 512 }).bytes; // about 50 MB
 */
export function estimateModelMemory(cfg: ModelConfig, input: MemoryEstimateInput): { bytes: number; terms: MemoryTerm[] } {
  const w = input.side;
  const h = input.height ?? input.side;
  const b = input.batch ?? 1;
  const p = input.prompts ?? 1;
  const cells = (stride: number) => Math.ceil(w / stride) * Math.ceil(h / stride);
  const sizeFields = [input.sideField ?? "image side", ...(b > 1 ? ["batch"] : [])];
  const terms: MemoryTerm[] = [];
  let maps = cells(2) * (cfg.stemWidth + 4 * cfg.fineWidth + cfg.embedDim + 2 * p);
  cfg.widths.forEach((width, i) => (maps += cells(4 * 2 ** i) * (2 * width + 2 * cfg.dModel)));
  terms.push({ what: "feature maps", bytes: 4 * b * maps, fields: [...sizeFields, "stemWidth", "fineWidth", "widths", "dModel"] });
  if (cfg.contextLayers > 0) {
    const tokens = cells(coarsestStride(cfg));
    terms.push({ what: `context attention over ${tokens} tokens`, bytes: 4 * b * cfg.heads * tokens * tokens * 2, fields: [...sizeFields, "widths (coarsest stride)", "heads", "contextLayers"] });
  }
  if (cfg.decoderLayers > 0) {
    const queries = (cfg.kind === "deal" ? p : 1) * cfg.maxQueries;
    terms.push({ what: `decoder attention over ${queries} queries`, bytes: 4 * b * cfg.heads * queries * queries * 2, fields: [...(b > 1 ? ["batch"] : []), ...(p > 1 ? ["prompts"] : []), "maxQueries", "heads", "decoderLayers"] });
  }
  const factor = input.training ? 3 : 1;
  for (const t of terms) t.bytes *= factor;
  return { bytes: terms.reduce((a, t) => a + t.bytes, 0), terms };
}

/**
 * The most memory {@link checkModelMemory} lets one pass need: $DEALKIT_MAX_MEMORY_MB when set, else the larger of
 * 4 GiB (the wasm backend's whole address space) and half the machine's memory.
 */
export function modelMemoryLimit(): number {
  const env = Number(process.env.DEALKIT_MAX_MEMORY_MB);
  if (Number.isFinite(env) && env > 0) return env * 2 ** 20;
  return Math.max(4 * 2 ** 30, os.totalmem() / 2);
}

/** Bytes as "1.5 GiB". */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) (n /= 1024), i++;
  return `${n.toFixed(n < 10 && i > 0 ? 1 : 0)} ${units[i]}`;
}

/**
 * Refuses, before anything is allocated, settings that together would need more than {@link modelMemoryLimit}:
 * the message names the largest part, the fields it grows with and the estimate.
 *
 * @example
 * checkModelMemory(cfg, { side: 4096, prompts: 50 }, "--slice 4096");
 */
export function checkModelMemory(cfg: ModelConfig, input: MemoryEstimateInput, context: string): void {
  const limit = modelMemoryLimit();
  const { bytes, terms } = estimateModelMemory(cfg, input);
  if (bytes <= limit) return;
  const top = [...terms].sort((a, b) => b.bytes - a.bytes)[0]!;
  const size = `${input.side}${input.height !== undefined && input.height !== input.side ? `x${input.height}` : ""} px`;
  const what = `${input.batch && input.batch > 1 ? `a batch of ${input.batch} images` : "one image"} of ${size}${input.prompts && input.prompts > 1 ? ` with ${input.prompts} prompts` : ""}${input.training ? " in training" : ""}`;
  const vals = `inputSize ${cfg.inputSize}, sliceSize ${cfg.sliceSize}, widths [${cfg.widths.join(", ")}], heads ${cfg.heads}, maxQueries ${cfg.maxQueries}`;
  throw new DealkitConfigError(
    `${context}: these settings together need about ${formatBytes(bytes)} of memory for ${what}, more than the ${formatBytes(limit)} allowed ` +
      `(mostly the ${top.what}, growing with ${top.fields.join(", ")}; ${vals}). Use smaller values, or set DEALKIT_MAX_MEMORY_MB to allow more`,
  );
}
