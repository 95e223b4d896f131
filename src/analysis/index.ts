// The public surface of src/analysis/. Re-exported by src/index.ts; export names must be unique project-wide.
export {};
