// The public surface of src/structures/. Re-exported by src/index.ts; export names must be unique project-wide.
export type { RgbImage } from "./image.js";
