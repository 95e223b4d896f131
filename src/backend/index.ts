// The public surface of src/backend/. Re-exported by src/index.ts; export names must be unique project-wide.
export {};
