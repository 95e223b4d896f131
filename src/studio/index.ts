// The public surface of src/studio/: the click-to-prompt page and its local server.
// Re-exported by src/index.ts; export names must be unique project-wide.
export { startStudio, type StudioOptions, type StudioHandle, type StudioState } from "./server.js";
export { studioPageHtml, studioDocument, type StudioPageInput } from "./page.js";
export { newStudioToken, tokenMatches, hostAllowed, originAllowed, refuseRequest } from "./guard.js";
