// The public surface of src/prompts/. Re-exported by src/index.ts; export names must be unique project-wide.
export { CLICK_SAMPLERS, centerClick, uniformClick, gaussianClick, edgeClick, clickSampler, type ClickSampler, type ClickSamplerName } from "./samplers.js";
export { samplePromptSet, parsePromptSetting, type PromptSetting } from "./prompt-sets.js";
export { pickHardestInstance, pickLeastFound, pgcppPrompt, type PgcppOptions } from "./pgcpp.js";
