/**
 * dealkit: point-prompted small-object detection (P2SOD / DEAL) in TypeScript notebooks.
 *
 * The one curated entry point: notebooks and the CLI import from here only. The folders read as the
 * pipeline: structures (the shared vocabulary) -> data -> prompts -> model -> infer -> train -> eval ->
 * analysis -> viz -> recipes (whole jobs), with the report, the notebook glue and the CLI last.
 */
export * from "./util/index.js";
export * from "./backend/index.js";
export * from "./structures/index.js";
export * from "./data/index.js";
export * from "./prompts/index.js";
export * from "./model/index.js";
export * from "./infer/index.js";
export * from "./train/index.js";
export * from "./eval/index.js";
export * from "./analysis/index.js";
export * from "./viz/index.js";
export * from "./recipes/index.js";
export * from "./kernel/index.js";
export * from "./studio/index.js";
export * from "./report/index.js";
export * from "./queue/index.js";
export { VERSION } from "./version.js";
