// The public surface of src/model/. Re-exported by src/index.ts; export names must be unique project-wide.
export type { Click, DetectOptions, DetectionList, PromptEmbedding, PromptableDetector } from "./types.js";
