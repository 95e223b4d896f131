// The public surface of src/studio/: the click-to-prompt page and its local server.
// Re-exported by src/index.ts; export names must be unique project-wide.
export { startStudio, type StudioOptions, type StudioHandle } from "./server.js";
export {
  studioImageOf,
  studioImagesFromFolder,
  studioImagesFromDataset,
  studioCategoriesOf,
  unnamedCategories,
  type StudioImageSource,
  type StudioCategory,
} from "./images.js";
export { StudioSessions, type StudioState, type StudioClick, type StudioDetection, type StudioCocoResult, type StudioLimits } from "./session.js";
export { parseClickBody, checkClickInside, StudioHttpError, type StudioClickBody } from "./schema.js";
export { studioPageHtml, studioDocument, type StudioPageInput } from "./page.js";
export { newStudioToken, tokenMatches, hostAllowed, originAllowed, refuseRequest } from "./guard.js";
