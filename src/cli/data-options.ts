import type { Command } from "commander";
import { DATASET_FORMATS, DealkitConfigError, type DatasetSpec } from "../index.js";

/** The data options every data-reading command shares, as commander parses them. */
export interface DataCommandOptions {
  data?: string;
  split?: string;
  gt?: string;
  images?: string;
  format?: string;
  classes?: string;
}

/**
 * Adds the data options to a command: `--data default|DIR [--split S]` (TinySet-mini) or `--gt FILE --images DIR
 * [--format F] [--split S]` (any annotation file the readers read); `images: true` also documents `--images`
 * alone (unannotated images).
 *
 * @example
 * addDataOptions(program.command("predict"), { split: "test", imagesAlone: true });
 */
export function addDataOptions(cmd: Command, defaults: { split: string; imagesAlone?: boolean }): Command {
  return cmd
    .option("--data <dir>", "default (TinySet-mini, generated once and cached) or a TinySet-mini folder [default]")
    .option("--split <name>", `TinySet-mini split (train, val, test, heldout-categories, heldout-dataset) [${defaults.split}]; with --gt, keep the images whose split field is this`)
    .option("--gt <file>", "your own data: an annotation file (COCO JSON; for visdrone, yolo, dota the labels folder)")
    .option("--images <dir>", defaults.imagesAlone ? "the image folder of --gt; alone: a folder of unannotated images (with --clicks-file)" : "the image folder of --gt (its file names are relative to it)")
    .option("--format <fmt>", `format of --gt: ${DATASET_FORMATS.join(", ")} [coco]`)
    .option("--classes <file>", "YOLO class list [classes.txt beside the labels]");
}

/**
 * The {@link DatasetSpec} of parsed data options (options not given stay absent).
 *
 * @example
 * datasetSpecOf({ gt: "instances.json", images: "photos/" }); // { gt: "instances.json", images: "photos/" }
 */
export function datasetSpecOf(o: DataCommandOptions): DatasetSpec {
  const spec: DatasetSpec = {};
  for (const k of ["data", "split", "gt", "images", "format", "classes"] as const) if (o[k] !== undefined) spec[k] = o[k];
  return spec;
}

/**
 * A number option in plain decimal syntax: finite (an integer when asked) and at least `min`; a DealkitConfigError
 * naming the option otherwise. Prefer {@link checkNumberOption} with a range from `RANGES` (../options.ts).
 *
 * @example
 * numberOption("--steps", "400", { integer: true, min: 1 }); // 400
 */
export function numberOption(name: string, v: string, o: { integer?: boolean; min?: number } = {}): number {
  const n = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v) ? Number(v) : Number.NaN;
  if (!Number.isFinite(n) || (o.integer && !Number.isInteger(n)) || (o.min !== undefined && n < o.min)) {
    throw new DealkitConfigError(`${name} must be ${o.integer ? "an integer" : "a number"}${o.min !== undefined ? ` >= ${o.min}` : ""}; got "${v}"`);
  }
  return n;
}
