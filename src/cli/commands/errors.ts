import type { Command } from "commander";
import { analysisImagesFromCoco, tideCompatInputFromCoco } from "../../analysis/tide-compat/coco.js";
import { runTideCompat } from "../../analysis/tide-compat/run.js";
import { TIDE_COMPAT_ERRORS, TIDE_COMPAT_SPECIAL, type TideCompatErrorName, type TideCompatSpecialName } from "../../analysis/tide-compat/types.js";
import { runTide, type TideErrorType } from "../../analysis/tide.js";
import { checkResultsPairing, cocoLoadFiles, cocoReadJsonFile } from "../../eval/index.js";
import { checkOneOf } from "../../util/errors.js";

/** The `--compat` modes `dealkit errors` knows. */
export const ERRORS_COMPAT_MODES = ["tide"] as const;

/** Options of `dealkit errors`, as commander parses them. */
export interface ErrorsCommandOptions {
  gt: string;
  dt: string;
  compat?: string;
  json?: boolean;
}

/** What `dealkit errors` found; AP values in percent, TIDE's names. */
export interface ErrorsReport {
  ap50: number;
  dAP: Record<TideCompatErrorName, number>;
  special: Record<TideCompatSpecialName, number>;
  counts: Record<TideCompatErrorName, number>;
  /** How the numbers were computed, for the table's first line. */
  mode: string;
  images: number;
  gt: number;
  detections: number;
  /** Loader notes (dropped records), printed to stderr by the command. */
  warnings: string[];
}

const TIDE_NAME: Record<TideErrorType, TideCompatErrorName> = {
  classification: "Cls", localisation: "Loc", both: "Both", duplicate: "Dupe", background: "Bkg", missed: "Miss",
};

/** dealkit's pycocotools-consistent decomposition, in percent and TIDE's names. */
function pycocotoolsReport(gtFile: string, dtFile: string): ErrorsReport {
  const { gt, dt } = cocoLoadFiles(gtFile, dtFile);
  const images = analysisImagesFromCoco(gt, dt);
  const run = runTide(images);
  const dAP = {} as Record<TideCompatErrorName, number>;
  const counts = {} as Record<TideCompatErrorName, number>;
  for (const [t, name] of Object.entries(TIDE_NAME) as [TideErrorType, TideCompatErrorName][]) {
    dAP[name] = run.dAP[t] * 100;
    counts[name] = run.counts[t];
  }
  return {
    ap50: run.ap * 100, dAP, counts,
    special: { FalsePos: run.specialDAP.falsePositive * 100, FalseNeg: run.specialDAP.falseNegative * 100 },
    mode: "pycocotools-consistent (COCOeval matching at IoU 0.5, 100 detections per image and category; background IoU 0.1)",
    images: images.length, gt: run.numGt, detections: run.numDetections, warnings: [...gt.warnings, ...dt.warnings],
  };
}

/** tidecv 1.0.1's numbers. */
function tideReport(gtFile: string, dtFile: string): ErrorsReport {
  const gtJson = cocoReadJsonFile(gtFile);
  checkResultsPairing(gtJson, gtFile, dtFile);
  const input = tideCompatInputFromCoco(gtJson, cocoReadJsonFile(dtFile), gtFile, dtFile);
  const run = runTideCompat(input);
  return {
    ap50: run.ap, dAP: run.dAP, special: run.special, counts: run.counts,
    mode: "tidecv 1.0.1 compatible (IoU 0.5, background IoU 0.1, 100 detections per image)",
    images: new Set(input.imageIds).size, gt: run.numGt, detections: run.numDetections, warnings: [],
  };
}

const fmt = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : "-");

/** Rows of cells as text: the first column left-aligned, the others right-aligned. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  return rows.map((r) => "  " + r.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(Math.max(widths[j]!, 6)))).join("  "));
}

/**
 * The readable summary: AP, then the main and special errors as small tables ("-" for an undefined value).
 *
 * @example
 * process.stdout.write(formatErrorsReport(runErrorsCommand({ gt: "gt.json", dt: "dt.json" }).report) + "\n");
 */
export function formatErrorsReport(r: ErrorsReport): string {
  return [
    `dealkit errors: ${r.mode}`,
    `  ${r.images} images, ${r.gt} GT, ${r.detections} detections`,
    `  bbox AP @ 50: ${fmt(r.ap50)}`,
    "",
    ...table([
      ["Main errors", ...TIDE_COMPAT_ERRORS],
      ["dAP", ...TIDE_COMPAT_ERRORS.map((t) => fmt(r.dAP[t]))],
      ["count", ...TIDE_COMPAT_ERRORS.map((t) => String(r.counts[t]))],
    ]),
    "",
    ...table([
      ["Special errors", ...TIDE_COMPAT_SPECIAL],
      ["dAP", ...TIDE_COMPAT_SPECIAL.map((t) => fmt(r.special[t]))],
    ]),
  ].join("\n");
}

/**
 * Runs `dealkit errors` and returns the report and the text to print: with `--json`,
 * `{"ap50", "dAP": {Cls, Loc, Both, Dupe, Bkg, Miss}, "special": {FalsePos, FalseNeg}}` in percent (null where
 * a value is undefined); without, a readable table. Kept apart from commander so tests can call it.
 * Bad input throws a DealkitInputError naming the file, record and field; an unknown `--compat`, a
 * DealkitConfigError listing the valid modes.
 *
 * @example
 * const { text } = runErrorsCommand({ gt: "gt.json", dt: "dt.json", compat: "tide", json: true });
 */
export function runErrorsCommand(o: ErrorsCommandOptions): { report: ErrorsReport; text: string } {
  const compat = o.compat === undefined ? undefined : checkOneOf("--compat", o.compat, ERRORS_COMPAT_MODES);
  const report = compat === "tide" ? tideReport(o.gt, o.dt) : pycocotoolsReport(o.gt, o.dt);
  const text = o.json ? JSON.stringify({ ap50: report.ap50, dAP: report.dAP, special: report.special }) : formatErrorsReport(report);
  return { report, text };
}

/** `dealkit errors --gt GT.json --dt DT.json [--compat tide] [--json]` */
export function register(program: Command): void {
  program
    .command("errors")
    .description("TIDE error analysis (dAP per error type) of COCO detections; --compat tide gives tidecv 1.0.1's numbers")
    .requiredOption("--gt <file>", "ground truth, COCO instances JSON (.json or .json.gz)")
    .requiredOption("--dt <file>", "detections, COCO results JSON array (.json or .json.gz)")
    .option("--compat <tool>", `reproduce another tool's numbers: ${ERRORS_COMPAT_MODES.join(" | ")} (default: pycocotools-consistent)`)
    .option("--json", "print {\"ap50\", \"dAP\": {Cls, Loc, Both, Dupe, Bkg, Miss}, \"special\": {FalsePos, FalseNeg}} in percent")
    .action((opts: ErrorsCommandOptions) => {
      const { report, text } = runErrorsCommand(opts);
      for (const w of report.warnings) process.stderr.write(`warning: ${w}\n`);
      process.stdout.write(text + "\n");
    });
}
