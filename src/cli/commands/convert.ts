import type { Command } from "commander";
import { BOX_POLICIES, checkOneOf, removeStaleTemps, DATASET_FORMATS, readDataset, writeCoco, writeYolo, type BoxPolicy, type ValidationIssue } from "../../index.js";

/** The formats `dealkit convert` writes. */
export const CONVERT_TARGETS = ["coco", "yolo"] as const;

/** Options of `dealkit convert`, as commander parses them. */
export interface ConvertCommandOptions {
  from: string;
  to: string;
  images?: string;
  classes?: string;
  boxPolicy?: string;
}

/**
 * Runs `dealkit convert`: reads `input` in `from` format and writes `output` (a COCO file or a YOLO
 * folder). Returns the warnings and the text to print.
 */
export async function runConvertCommand(input: string, output: string, o: ConvertCommandOptions): Promise<{ warnings: ValidationIssue[]; text: string }> {
  const from = checkOneOf("--from", o.from, DATASET_FORMATS);
  const to = checkOneOf("--to", o.to, CONVERT_TARGETS);
  const boxPolicy = checkOneOf("--box-policy", o.boxPolicy ?? "keep", BOX_POLICIES) as BoxPolicy;
  removeStaleTemps(output);
  const ds = await readDataset(from, input, { images: o.images, classes: o.classes, boxPolicy });
  const warnings = [...ds.warnings];
  if (to === "coco") writeCoco(ds, output);
  else warnings.push(...writeYolo(ds, output));
  const lines = [
    `${input} (${from}) -> ${output} (${to}): ${ds.images.length} images, ${ds.numAnnotations} annotations, ${ds.categories.length} categories`,
    ...warnings.map((w) => `warning: ${w.message}`),
  ];
  return { warnings, text: lines.join("\n") };
}

/** Adds `dealkit convert` to the program. */
export function register(program: Command): void {
  program
    .command("convert")
    .description("convert annotations between formats (read: coco, aitod, tinyperson, visdrone, yolo, dota; write: coco, yolo)")
    .requiredOption("--from <fmt>", `input format: ${DATASET_FORMATS.join(", ")}`)
    .requiredOption("--to <fmt>", `output format: ${CONVERT_TARGETS.join(", ")}`)
    .argument("<input>", "COCO JSON file (.json or .json.gz), or labels folder")
    .argument("<output>", "COCO JSON file, or YOLO output folder")
    .option("--images <dir>", "images folder (txt formats read image sizes from it)")
    .option("--classes <file>", "YOLO class list (default: classes.txt beside the labels)")
    .option("--box-policy <policy>", `boxes past the image: ${BOX_POLICIES.join(", ")}`, "keep")
    .action(async (input: string, output: string, o: ConvertCommandOptions) => {
      const { text } = await runConvertCommand(input, output, o);
      process.stdout.write(text + "\n");
    });
}
