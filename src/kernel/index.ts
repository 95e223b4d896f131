// The public surface of src/kernel/. Re-exported by src/index.ts; export names must be unique project-wide.
export {
  runNotebooks,
  listNotebooks,
  formatNotebookFailure,
  kernelsConfigDir,
  jupyterEnv,
  type NotebookRunResult,
  type NotebookFailure,
  type RunNotebooksOptions,
} from "./runner.js";
