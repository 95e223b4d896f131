export { Random, type RandomState } from "./random.js";
export { DealkitInputError, DealkitConfigError, checkOneOf, formatLocation, type InputLocation } from "./errors.js";
export { writeFileAtomic, projectRoot, cacheDir } from "./fs.js";
export { importEsm } from "./esm.js";
export { contentFingerprint, fileFingerprint } from "./fingerprint.js";
