import { DealkitConfigError, checkOneOf } from "../util/errors.js";

/** Named size presets of DEAL and its baseline. */
export const MODEL_PRESETS = ["micro", "tiny", "small", "paper"] as const;
/** One of {@link MODEL_PRESETS}. */
export type ModelPreset = (typeof MODEL_PRESETS)[number];
/** Which detector a config builds. */
export const MODEL_KINDS = ["deal", "baseline"] as const;
/** One of {@link MODEL_KINDS}. */
export type ModelKind = (typeof MODEL_KINDS)[number];

/**
 * The full, validated configuration of DEAL (and of the baseline, which ignores the prompt fields).
 * Every field has a default in the preset; see {@link resolveModelConfig}.
 */
export interface ModelConfig {
  kind: ModelKind;
  preset: ModelPreset;
  /** Square input side (px) the network runs at. tiny: 256. */
  inputSize: number;
  /** Backbone stage widths; stage i has stride 2^(i+2) (4, 8, 16, 32). tiny: [16, 32, 64]. */
  widths: number[];
  /** Residual blocks per stage (after the strided conv). tiny: [1, 1, 1]. */
  depths: number[];
  /** Stem width (stride-2 conv before stage 0). tiny: 16. */
  stemWidth: number;
  /** Channel width of the fused maps, the embeddings and the decoder. tiny: 64. */
  dModel: number;
  /** Attention heads (must divide dModel). tiny: 4. */
  heads: number;
  /** Feed-forward width in attention blocks. tiny: 128. */
  ffnDim: number;
  /** Global-context transformer layers on the coarsest map (Hybrid Feature Enhancement). tiny: 1. */
  contextLayers: number;
  /** Point-embedding cross-attention layers. tiny: 1. */
  pointLayers: number;
  /** Channels the dynamic density kernel reads. tiny: 16. */
  densityChannels: number;
  /** Hidden width of the dynamic density head. tiny: 8. */
  densityHidden: number;
  /** Decoder layers. tiny: 2. */
  decoderLayers: number;
  /** Deformable sampling points per head in decoder cross-attention. tiny: 4. */
  decoderPoints: number;
  /** Smallest / largest number of decoder queries (DGQA bounds; maxQueries is also the padded shape). */
  minQueries: number;
  maxQueries: number;
  /** DGQA: queries = ceil(countScale * count) + countMargin, clamped to [minQueries, maxQueries]. */
  countScale: number;
  countMargin: number;
  /** Clicks one prompt may hold (padded shape in training). tiny: 4. */
  maxClicksPerPrompt: number;
  /** Baseline only: number of classes, and the dataset category id of each class index. */
  numClasses: number;
  categoryIds: number[];
}

/** A partial config: a preset name plus overrides. */
export type ModelConfigInput = Partial<Omit<ModelConfig, "preset" | "kind">> & { preset?: ModelPreset | string; kind?: ModelKind | string };

const PRESETS: Record<ModelPreset, Omit<ModelConfig, "kind" | "preset" | "numClasses" | "categoryIds">> = {
  micro: {
    inputSize: 64, widths: [8, 16], depths: [0, 0], stemWidth: 8, dModel: 16, heads: 2, ffnDim: 32,
    contextLayers: 1, pointLayers: 1, densityChannels: 8, densityHidden: 4, decoderLayers: 1, decoderPoints: 2,
    minQueries: 4, maxQueries: 8, countScale: 1.5, countMargin: 2, maxClicksPerPrompt: 2,
  },
  tiny: {
    inputSize: 256, widths: [16, 32, 64], depths: [1, 1, 1], stemWidth: 16, dModel: 64, heads: 4, ffnDim: 128,
    contextLayers: 1, pointLayers: 1, densityChannels: 16, densityHidden: 8, decoderLayers: 2, decoderPoints: 4,
    minQueries: 10, maxQueries: 100, countScale: 1.5, countMargin: 5, maxClicksPerPrompt: 4,
  },
  small: {
    inputSize: 512, widths: [32, 64, 128, 256], depths: [1, 2, 2, 1], stemWidth: 24, dModel: 128, heads: 8, ffnDim: 512,
    contextLayers: 1, pointLayers: 2, densityChannels: 32, densityHidden: 16, decoderLayers: 3, decoderPoints: 4,
    minQueries: 20, maxQueries: 150, countScale: 1.5, countMargin: 10, maxClicksPerPrompt: 8,
  },
  paper: {
    inputSize: 1024, widths: [64, 128, 256, 512], depths: [3, 4, 6, 3], stemWidth: 64, dModel: 256, heads: 8, ffnDim: 1024,
    contextLayers: 1, pointLayers: 2, densityChannels: 64, densityHidden: 16, decoderLayers: 6, decoderPoints: 4,
    minQueries: 30, maxQueries: 300, countScale: 1.5, countMargin: 10, maxClicksPerPrompt: 8,
  },
};

function positiveInt(name: string, v: unknown, min = 1): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
    throw new DealkitConfigError(`model config: ${name} must be an integer >= ${min}; got ${JSON.stringify(v)}`);
  }
  return v;
}

const KNOWN_KEYS = new Set<string>(["kind", "preset", "numClasses", "categoryIds", ...Object.keys(PRESETS.tiny)]);

/**
 * Fills a partial config from its preset (default "tiny") and validates it. Errors name the field and the
 * valid options.
 *
 * @example
 * const cfg = resolveModelConfig({ preset: "tiny", decoderLayers: 3 });
 */
export function resolveModelConfig(input: ModelConfigInput = {}): ModelConfig {
  for (const key of Object.keys(input)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new DealkitConfigError(`model config: unknown field "${key}"; valid fields are ${[...KNOWN_KEYS].join(", ")}`);
    }
  }
  const preset = checkOneOf("model config: preset", String(input.preset ?? "tiny"), MODEL_PRESETS);
  const kind = checkOneOf("model config: kind", String(input.kind ?? "deal"), MODEL_KINDS);
  const cfg: ModelConfig = { ...PRESETS[preset], numClasses: 1, categoryIds: [], ...input, preset, kind } as ModelConfig;
  positiveInt("inputSize", cfg.inputSize, 16);
  if (!Array.isArray(cfg.widths) || cfg.widths.length < 1 || cfg.widths.length > 4) {
    throw new DealkitConfigError(`model config: widths must list 1 to 4 stage widths (strides 4, 8, 16, 32); got ${JSON.stringify(cfg.widths)}`);
  }
  const coarsest = 2 ** (cfg.widths.length + 1);
  if (cfg.inputSize % coarsest !== 0) {
    throw new DealkitConfigError(`model config: inputSize must be a multiple of the coarsest stride ${coarsest}; got ${cfg.inputSize}`);
  }
  cfg.widths.forEach((w, i) => positiveInt(`widths[${i}]`, w));
  if (!Array.isArray(cfg.depths) || cfg.depths.length !== cfg.widths.length) {
    throw new DealkitConfigError(`model config: depths must have one entry per stage (${cfg.widths.length}); got ${JSON.stringify(cfg.depths)}`);
  }
  cfg.depths.forEach((d, i) => positiveInt(`depths[${i}]`, d, 0));
  for (const k of ["stemWidth", "dModel", "heads", "ffnDim", "densityChannels", "densityHidden", "decoderLayers", "decoderPoints", "minQueries", "maxQueries", "maxClicksPerPrompt", "numClasses"] as const) {
    positiveInt(k, cfg[k]);
  }
  for (const k of ["contextLayers", "pointLayers"] as const) positiveInt(k, cfg[k], 0);
  if (cfg.dModel % cfg.heads !== 0) {
    throw new DealkitConfigError(`model config: heads (${cfg.heads}) must divide dModel (${cfg.dModel})`);
  }
  if (cfg.dModel % 4 !== 0) throw new DealkitConfigError(`model config: dModel must be a multiple of 4; got ${cfg.dModel}`);
  if (cfg.minQueries > cfg.maxQueries) {
    throw new DealkitConfigError(`model config: minQueries (${cfg.minQueries}) must be <= maxQueries (${cfg.maxQueries})`);
  }
  if (!(cfg.countScale > 0) || !(cfg.countMargin >= 0)) {
    throw new DealkitConfigError(`model config: countScale must be > 0 and countMargin >= 0`);
  }
  if (!Array.isArray(cfg.categoryIds)) throw new DealkitConfigError("model config: categoryIds must be an array of numbers");
  if (cfg.kind === "baseline" && cfg.categoryIds.length > 0 && cfg.categoryIds.length !== cfg.numClasses) {
    throw new DealkitConfigError(`model config: categoryIds has ${cfg.categoryIds.length} entries but numClasses is ${cfg.numClasses}`);
  }
  return { ...cfg, widths: [...cfg.widths], depths: [...cfg.depths], categoryIds: [...cfg.categoryIds] };
}

/** Stride (px) of the fine fused map every head reads. Always 4. */
export const FINE_STRIDE = 4;
