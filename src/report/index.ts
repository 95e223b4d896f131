// The public surface of src/report/: the main job and its HTML report.
export {
  reproduce,
  defaultReproduceNotebooks,
  reportIndexHtml,
  type ReproduceOptions,
  type ReproduceResult,
} from "./reproduce.js";
