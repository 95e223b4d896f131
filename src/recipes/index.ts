// The public surface of src/recipes/: whole jobs as a few calls, shared by the CLI, the report and the notebooks
// (open a data set from a spec, load a model by name, train from a spec, predict a data set, run an ablation).
// Dataset-level prediction itself is `predictDataset` (src/infer). Re-exported by src/index.ts; export names
// must be unique project-wide.
export { openDataset, openTinySet, type DatasetSpec, type OpenDatasetOptions, type OpenedDataset } from "./dataset.js";
export { loadModel, resolveModelDir, modelForData, DEAL_CLASS_PRIOR, DEAL_PIXEL_MATCH, SHIPPED_MODELS, REFERENCE_MODELS, type ShippedModelName, type LoadedModel, type ModelForDataOptions } from "./model.js";
export { DEAL_NOVEL_OBJECTS, DEAL_NOVEL_SCENES, defaultNovelObjects, defaultNovelScenes, trainFromSpec, type TrainSpec, type TrainSpecResult } from "./train.js";
export { predictFromSpec, type PredictSpec, type PredictSpecResult } from "./predict.js";
export { readClicksFile } from "./clicks-file.js";
export { ablatePrompts, ablationDataOf, P2SOD_ABLATION, ABLATION_GRID_NAMES, type PromptAblationSpec } from "./ablate.js";
