// The public surface of src/data/synth/ (TinySet-mini). Re-exported through src/data/index.ts.
export { SYNTH_DOMAINS, type DomainName, type DomainSpec, type CategorySpec, type SceneLayout, type Placement, type DrawContext, type DomainEffects, type ClusterPattern, type BoundsXyxy } from "./types.js";
export { domainSpec, synthCategories, categoryIdOf, type SynthCategory } from "./catalog.js";
export { generateImage, type GenerateImageOptions, type SynthImage, type SynthAnnotation, type SceneDensity, type CategoryMode } from "./scene.js";
export {
  TINYSET_MINI_VERSION,
  TINYSET_SPLITS,
  TINYSET_SCALES,
  TINYSET_SHIFT_DATASET,
  generateTinySetMini,
  ensureTinySetMini,
  openTinySetMini,
  readTinySetSplit,
  loadTinySetSplit,
  type TinySetSplit,
  type TinySetScale,
  type TinySetScaleName,
  type TinySetMiniOptions,
  type TinySetMiniManifest,
  type TinySetCoco,
  type TinySetMiniLocation,
  type EnsureTinySetMiniOptions,
} from "./tinyset.js";
export {
  VISDRONE_ID_OF_SYNTH,
  visDroneLines,
  writeVisDroneExample,
  writeYoloExample,
  type FormatExample,
  type FormatExampleOptions,
} from "./export.js";
