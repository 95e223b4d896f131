import type { AblationData, AblationProgress, AblationResult } from "../analysis/ablate.js";
import { runAblation } from "../analysis/ablate.js";
import { ablationDataFromDataset } from "../analysis/ablate-data.js";
import { ablationGrid, type AblationGridName } from "../analysis/ablate-grid.js";
import { promptsClickSampler, PROMPTS_SAMPLER_ID } from "../analysis/ablate-prompts.js";
import { p2sodMetrics } from "../analysis/evaluate.js";
import type { AnalysisImage } from "../analysis/types.js";
import { imagesPerDomain } from "../data/subset.js";
import { checkOneOf } from "../util/errors.js";
import { openDataset, type DatasetSpec } from "./dataset.js";
import { loadModel, resolveModelDir, type LoadedModel } from "./model.js";

/**
 * How every dealkit prompt ablation evaluates and clicks: the p2sod metrics and the click samplers of
 * src/prompts, with the ids that name them in cache keys. Spread it into runAblation or evaluateGeneralisation.
 *
 * @example
 * await evaluateGeneralisation({ ...P2SOD_ABLATION, detector: model, modelFingerprint, data, heldOutDataset });
 */
export const P2SOD_ABLATION = Object.freeze({
  evaluate: (images: readonly AnalysisImage[]): Record<string, number> => p2sodMetrics(images),
  evaluatorId: "p2sod",
  sampleClick: promptsClickSampler,
  samplerId: PROMPTS_SAMPLER_ID,
});

/** The names of the ablation grids. */
export const ABLATION_GRID_NAMES: readonly AblationGridName[] = ["small", "full", "factorial"];

/**
 * A prompt-ablation job. Defaults: data TinySet-mini's held-out-categories split (the one whose images hold
 * seen and held-out categories), every image, grid "small", seeds [0, 1, 2], the on-disk cache on.
 *
 * @example
 * const spec: PromptAblationSpec = { model: "deal-tiny", imagesPerDomain: 2 };
 */
export interface PromptAblationSpec {
  /** A shipped model name, a checkpoint folder, or a model loaded already (then not disposed here). */
  model: string | LoadedModel;
  /** The images: a {@link DatasetSpec}, or ablation data built already. */
  data?: DatasetSpec | AblationData;
  /** Only the first n images of each domain (a balanced quick look). */
  imagesPerDomain?: number;
  /** Only the first n images. */
  maxImages?: number;
  grid?: AblationGridName | string;
  seeds?: readonly number[];
  /** Read and write the cache of runs (`<cache>/ablations`). Default true. */
  cache?: boolean;
  onProgress?: (p: AblationProgress) => void;
}

/**
 * The ablation data of a spec: ablation data given as is, else the data set it names (default TinySet-mini's
 * held-out-categories split), cut to `imagesPerDomain` per domain, then to the first `maxImages` images. The
 * queue workers build theirs with this too, so that they see the same images in the same order.
 *
 * @example
 * const data = await ablationDataOf({ data: { data: "default" }, imagesPerDomain: 2 });
 */
export async function ablationDataOf(spec: Pick<PromptAblationSpec, "data" | "imagesPerDomain" | "maxImages">): Promise<AblationData> {
  let data: AblationData;
  if (spec.data && "images" in spec.data && Array.isArray(spec.data.images)) data = spec.data as AblationData;
  else {
    const ds = (await openDataset((spec.data ?? {}) as DatasetSpec, { defaultSplit: "heldout-categories" })).dataset;
    const ids = new Set(imagesPerDomain(ds, spec.imagesPerDomain));
    data = ablationDataFromDataset(ds, { keepImage: (im) => ids.has(im.id) });
  }
  if (spec.maxImages !== undefined) data = { ...data, images: data.images.slice(0, spec.maxImages) };
  return data;
}

/**
 * Runs a prompt ablation ({@link runAblation} with {@link P2SOD_ABLATION}) from a {@link PromptAblationSpec}:
 * what `dealkit ablate`, the paper reproduction and notebook 06 run.
 *
 * @example
 * const r = await ablatePrompts({ model: "deal-tiny", imagesPerDomain: 2, grid: "small" });
 * r.summary.filter((d) => d.metric === "ap50").print();
 */
export async function ablatePrompts(spec: PromptAblationSpec): Promise<AblationResult & { images: number }> {
  const grid = ablationGrid(checkOneOf("--grid", spec.grid ?? "small", ABLATION_GRID_NAMES));
  if (typeof spec.model === "string") resolveModelDir(spec.model); // a bad name fails before any data is read
  const data = await ablationDataOf(spec);
  const loaded = typeof spec.model === "string" ? loadModel(spec.model) : spec.model;
  try {
    const result = await runAblation({
      ...P2SOD_ABLATION,
      detector: loaded.model,
      modelFingerprint: loaded.fingerprint,
      data,
      grid,
      seeds: spec.seeds ?? [0, 1, 2],
      cacheDir: spec.cache === false ? false : undefined,
      onProgress: spec.onProgress,
    });
    return { ...result, images: data.images.length };
  } finally {
    if (typeof spec.model === "string") loaded.model.dispose();
  }
}
