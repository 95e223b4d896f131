export { Random, type RandomState } from "./random.js";
export { DealkitInputError, DealkitConfigError, checkOneOf, formatLocation, type InputLocation } from "./errors.js";
export { writeFileAtomic, projectRoot, cacheDir } from "./fs.js";
export { importEsm } from "./esm.js";
export { contentFingerprint, fileFingerprint } from "./fingerprint.js";
export { resolveInside, readJsonFileChecked } from "./fs.js";
export { writeDirAtomic, writeDirAtomicSync, removeStaleTemps, fsyncDir, type DirAtomicOptions } from "./dir-atomic.js";
export { decodeText, checkNotUtf16, parseJsonBytes, jsonDepth, MAX_JSON_DEPTH } from "./text.js";
