// The template-matching reference detector (training-free; `--model template`). extent.ts, ncc.ts and planes.ts
// are its internals; `TemplateMatcher.extents()` exposes the extent estimate.
export { TemplateMatcher, createTemplateMatcher, type TemplateMatcherOptions } from "./matcher.js";
export { EXTENT_SIZES_PX, type ObjectExtent } from "./extent.js";
