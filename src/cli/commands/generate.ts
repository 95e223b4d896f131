import * as path from "node:path";
import type { Command } from "commander";
import { addNumberOption, checkNumberOption, RANGES } from "../options.js";
import { checkOneOf, TINYSET_SCALES, TINYSET_SPLITS, generateTinySetMini, type TinySetMiniManifest, type TinySetScaleName } from "../../index.js";

/** Options of `dealkit generate`, as commander parses them. */
export interface GenerateCommandOptions {
  out: string;
  seed?: string | number;
  scale?: string;
  imageSize?: string | number;
}

/**
 * Runs `dealkit generate` and returns the manifest and the text it prints (one line per split, then the
 * totals and the time taken). Kept apart from commander so tests can call it directly.
 */
export async function runGenerateCommand(o: GenerateCommandOptions): Promise<{ manifest: TinySetMiniManifest; text: string }> {
  const seed = o.seed === undefined ? 0 : checkNumberOption("--seed", o.seed, RANGES.seed);
  const imageSize = o.imageSize === undefined ? undefined : checkNumberOption("--image-size", o.imageSize, RANGES.imageSize);
  const scale = checkOneOf("--scale", o.scale ?? "default", Object.keys(TINYSET_SCALES) as TinySetScaleName[]);
  const t0 = Date.now();
  const manifest = await generateTinySetMini({ outDir: o.out, seed, scale, imageSize });
  const lines = [`TinySet-mini v${manifest.generatorVersion}, seed ${seed}, scale ${manifest.scale}, ${manifest.imageSize} px -> ${path.resolve(o.out)}`];
  let images = 0, instances = 0;
  for (const s of TINYSET_SPLITS) {
    const sp = manifest.splits[s];
    images += sp.images;
    instances += sp.instances;
    lines.push(`  ${s.padEnd(19)} ${String(sp.images).padStart(5)} images ${String(sp.instances).padStart(7)} instances  ${sp.annotations}`);
  }
  lines.push(`  total               ${String(images).padStart(5)} images ${String(instances).padStart(7)} instances  in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { manifest, text: lines.join("\n") };
}

/** Adds `dealkit generate` (TinySet-mini, the embedded multi-domain data set) to the program. */
export function register(program: Command): void {
  const cmd = program
    .command("generate")
    .description("write TinySet-mini (procedural multi-domain small-object data set): PNG images + COCO JSON per split")
    .requiredOption("--out <dir>", "output folder")
    .option("--scale <name>", `size: ${Object.keys(TINYSET_SCALES).join(", ")}`, "default");
  addNumberOption(cmd, "--seed <n>", "random seed (same seed -> byte-identical files)", RANGES.seed, 0);
  addNumberOption(cmd, "--image-size <px>", "override the scale's image side", RANGES.imageSize);
  cmd.action(async (o: GenerateCommandOptions) => {
    const { text } = await runGenerateCommand(o);
    process.stdout.write(text + "\n");
  });
}
