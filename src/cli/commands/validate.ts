import * as fs from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { BOX_POLICIES, checkOneOf, DATASET_FORMATS, DealkitConfigError, DealkitInputError, loadImageRgb, readDataset, type BoxPolicy, type Dataset, type ValidationIssue } from "../../index.js";

/** Options of `dealkit validate`, as commander parses them. */
export interface ValidateCommandOptions {
  format?: string;
  images?: string;
  classes?: string;
  boxPolicy?: string;
  json?: boolean;
  /** Decode every image file (slow): truncated or corrupt images and sizes that differ from the annotations are errors. */
  decodeImages?: boolean;
}

/** What `dealkit validate` found. `usable` is false when there is at least one error. */
export interface ValidateReport {
  file: string;
  format: string;
  usable: boolean;
  images: number;
  annotations: number;
  categories: number;
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
}

/** The format of `input` when not given: a .json file is COCO; a folder needs --format. */
function inferFormat(input: string, format?: string): string {
  if (format) return checkOneOf("--format", format, DATASET_FORMATS);
  if (/\.json(\.gz)?$/i.test(input)) return "coco";
  throw new DealkitInputError(`cannot tell the format of a folder; give --format (${DATASET_FORMATS.join(", ")})`, { file: input });
}

/** Missing image files (COCO with --images): one warning each, as a model cannot train on them. */
function missingImages(ds: Dataset, imagesDir: string): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const img of ds.images) {
    if (fs.existsSync(path.join(imagesDir, img.fileName))) continue;
    const problem = `image file not found: ${img.fileName}`;
    out.push({ severity: "warning", code: "missing-image-file", problem, file: imagesDir, record: `image ${img.id}`, field: "file_name", message: `${imagesDir}: image ${img.id}: field "file_name": ${problem}` });
  }
  return out;
}

/** Decodes every image of `ds` found under `imagesDir`: a file that does not decode, or decodes to another size than its record says, is an error. */
async function decodeImages(ds: Dataset, imagesDir: string): Promise<ValidationIssue[]> {
  const out: ValidationIssue[] = [];
  for (const img of ds.images) {
    const file = path.join(imagesDir, img.fileName);
    if (!fs.existsSync(file) || out.length >= 100) continue;
    const where = { file: imagesDir, record: `image ${img.id}`, field: "file_name" };
    let problem: string | undefined;
    try {
      const im = await loadImageRgb(file);
      if (im.width !== img.width || im.height !== img.height) problem = `${img.fileName} decodes to ${im.width}x${im.height}, but the record says ${img.width}x${img.height}`;
    } catch (err) {
      if (!(err instanceof DealkitInputError)) throw err;
      problem = `${img.fileName} does not decode (${err.problem.slice(0, 120)})`;
    }
    if (problem) out.push({ severity: "error", code: "bad-image-file", problem, ...where, message: `${imagesDir}: image ${img.id}: field "file_name": ${problem}` });
  }
  return out;
}

/**
 * Runs `dealkit validate` and returns the report and the text to print (JSON with `--json`). Kept apart
 * from commander so tests can call it directly.
 */
export async function runValidateCommand(input: string, o: ValidateCommandOptions): Promise<{ report: ValidateReport; text: string }> {
  const boxPolicy = checkOneOf("--box-policy", o.boxPolicy ?? "keep", BOX_POLICIES) as BoxPolicy;
  const report: ValidateReport = { file: input, format: o.format ?? "?", usable: false, images: 0, annotations: 0, categories: 0, errors: [], warnings: [] };
  try {
    report.format = inferFormat(input, o.format);
    const ds = await readDataset(report.format, input, { images: o.images, classes: o.classes, boxPolicy, errors: "collect" });
    const issues = [...ds.warnings];
    if (o.images && ["coco", "aitod", "tinyperson"].includes(report.format)) issues.push(...missingImages(ds, o.images).slice(0, 100));
    if (o.decodeImages) {
      if (!o.images) throw new DealkitConfigError("--decode-images needs --images (the folder the file names are relative to)");
      issues.push(...(await decodeImages(ds, o.images)));
    }
    report.errors = issues.filter((i) => i.severity === "error");
    report.warnings = issues.filter((i) => i.severity === "warning");
    Object.assign(report, { images: ds.images.length, annotations: ds.numAnnotations, categories: ds.categories.length });
  } catch (err) {
    if (!(err instanceof DealkitInputError)) throw err;
    report.errors.push({ severity: "error", code: "unreadable", problem: err.problem, file: err.file, record: err.record, field: err.field, message: err.message });
  }
  report.usable = report.errors.length === 0;
  if (o.json) return { report, text: JSON.stringify(report, null, 2) };
  const lines = [
    `${input} (${report.format}): ${report.images} images, ${report.annotations} annotations, ${report.categories} categories`,
    ...report.errors.map((e) => `error: ${e.message}`),
    ...report.warnings.map((w) => `warning: ${w.message}`),
    report.usable ? `OK: usable (${report.warnings.length} warnings)` : `NOT USABLE: ${report.errors.length} errors, ${report.warnings.length} warnings`,
  ];
  return { report, text: lines.join("\n") };
}

/** Adds `dealkit validate` to the program. */
export function register(program: Command): void {
  program
    .command("validate")
    .description("check an annotation file or labels folder; exits non-zero when it is unusable")
    .argument("<input>", "COCO JSON file (.json or .json.gz), or labels folder (visdrone, yolo, dota)")
    .option("--format <fmt>", `one of ${DATASET_FORMATS.join(", ")} (default: coco for .json)`)
    .option("--images <dir>", "images folder (COCO: checks files exist; txt formats: image sizes)")
    .option("--classes <file>", "YOLO class list (default: classes.txt beside the labels)")
    .option("--box-policy <policy>", `boxes past the image: ${BOX_POLICIES.join(", ")}`, "keep")
    .option("--json", "print the report as JSON")
    .option("--decode-images", "decode every image (slow): corrupt or truncated files and wrong sizes are errors; needs --images")
    .action(async (input: string, o: ValidateCommandOptions) => {
      const { report, text } = await runValidateCommand(input, o);
      process.stdout.write(text + "\n");
      if (!report.usable) process.exitCode = 1;
    });
}
