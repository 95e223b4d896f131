import * as fs from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import * as aq from "arquero";
import { runAblation, type AblationData, type AblationResult } from "../../analysis/ablate.js";
import { contentFingerprint } from "../../analysis/ablate-cache.js";
import { ablationDataFromDataset } from "../../analysis/ablate-data.js";
import { ablationGrid, cellId, type AblationGridName } from "../../analysis/ablate-grid.js";
import { promptsClickSampler, PROMPTS_SAMPLER_ID } from "../../analysis/ablate-prompts.js";
import { p2sodMetrics } from "../../analysis/evaluate.js";
import { Dataset } from "../../data/dataset.js";
import { ensureTinySetMini, loadTinySetSplit, TINYSET_SPLITS, type TinySetSplit } from "../../data/synth/tinyset.js";
import { checkpointFingerprint } from "../../report/paper-cache.js";
import { loadCheckpoint } from "../../train/checkpoint.js";
import { DealkitConfigError, DealkitInputError, checkOneOf } from "../../util/errors.js";
import { writeFileAtomic } from "../../util/fs.js";

/** Options of `dealkit ablate`, as commander parses them. */
export interface AblateCommandOptions {
  model: string;
  data: string;
  grid: string;
  seeds: string;
  out?: string;
  split?: string;
  maxImages?: string;
  cache?: boolean;
}

/** A checkpoint's fingerprint (shared with the paper reproduction, so both reuse the same cached runs). */
export { checkpointFingerprint };

/** Reads `--data`: a COCO instances file, or a folder holding one (annotations.json, or the only .json). */
export function readAblationDataset(spec: string): Dataset {
  let file = spec;
  if (fs.existsSync(spec) && fs.statSync(spec).isDirectory()) {
    const jsons = fs.readdirSync(spec).filter((f) => f.endsWith(".json")).sort();
    const pick = jsons.includes("annotations.json") ? "annotations.json" : jsons.length === 1 ? jsons[0] : undefined;
    if (!pick) throw new DealkitInputError(`expected annotations.json (or exactly one .json file) in the data folder; found ${jsons.length ? jsons.join(", ") : "none"}`, { file: spec });
    file = path.join(spec, pick);
  }
  if (!fs.existsSync(file)) throw new DealkitInputError("no such file or folder (give a COCO instances file, a folder holding one, or \"default\")", { file: spec });
  return Dataset.fromCoco(JSON.parse(fs.readFileSync(file, "utf8")), { file, root: path.dirname(file) });
}

/** TinySet-mini (seed 0, generated on first use), one split (default "heldout-categories"). */
async function defaultAblationDataset(split: string | undefined): Promise<Dataset> {
  const name = checkOneOf("--split", split ?? "heldout-categories", TINYSET_SPLITS) as TinySetSplit;
  return loadTinySetSplit(await ensureTinySetMini({ seed: 0 }), name);
}

/**
 * Runs `dealkit ablate` and returns the result and the text it prints; progress lines go to `log`. Kept apart
 * from commander so it can be called and tested directly.
 */
export async function runAblateCommand(o: AblateCommandOptions, log: (line: string) => void = () => {}): Promise<{ result: AblationResult; text: string }> {
  const grid = ablationGrid(checkOneOf("--grid", o.grid, ["small", "full", "factorial"] as const) as AblationGridName);
  const nSeeds = Number(o.seeds);
  if (!Number.isInteger(nSeeds) || nSeeds < 1) throw new DealkitConfigError(`--seeds must be a positive integer; got "${o.seeds}"`);
  // --data default: TinySet-mini (seed 0), by default its held-out-categories split, the one split whose images
  // hold both seen and held-out categories (test holds seen ones only, so the held-out cells would be empty).
  const ds = o.data === "default" ? await defaultAblationDataset(o.split) : readAblationDataset(o.data);
  const splits = new Set(ds.images.map((im) => im.split).filter((s): s is string => !!s));
  const split = o.split ?? (o.data === "default" ? "heldout-categories" : splits.has("test") ? "test" : undefined);
  if (split && !splits.has(split)) throw new DealkitConfigError(`--split must be one of ${[...splits].map((s) => `"${s}"`).join(", ")}; got "${split}"`);
  let data: AblationData = ablationDataFromDataset(ds, { keepImage: (im) => !split || im.split === split });
  if (o.maxImages) data = { ...data, images: data.images.slice(0, Number(o.maxImages)) };
  const { model } = loadCheckpoint(o.model);
  try {
    const result = await runAblation({
      detector: model,
      modelFingerprint: checkpointFingerprint(o.model),
      data,
      evaluate: (imgs) => p2sodMetrics(imgs),
      evaluatorId: "p2sod",
      sampleClick: promptsClickSampler,
      samplerId: PROMPTS_SAMPLER_ID,
      grid,
      seeds: Array.from({ length: nSeeds }, (_, i) => i),
      cacheDir: o.cache === false ? false : undefined,
      onProgress: (p) => log(`[${p.done}/${p.total}] ${cellId(p.cell)} seed ${p.seed}${p.cached ? " (cached)" : ""}`),
    });
    if (o.out) {
      const body = o.out.endsWith(".csv") ? result.summary.toCSV() : JSON.stringify({ summary: result.summary.objects(), runs: result.runs.objects() }, null, 1) + "\n";
      writeFileAtomic(o.out, body);
    }
    const wide = result.summary
      .filter(aq.escape((d: { metric: string }) => d.metric === "ap50" || d.metric === "ap75"))
      .derive({ ci95: aq.escape((d: { lo: number; hi: number }) => (Number.isFinite(d.lo) ? `[${d.lo.toFixed(3)}, ${d.hi.toFixed(3)}]` : "-")) })
      .select("cellId", "metric", "mean", "ci95", "n");
    const lines = [
      `dealkit ablate: ${grid.length} cells x ${nSeeds} seeds on ${data.images.length} images (${result.computed} computed, ${result.cached} cached)`,
      ...(wide.objects() as { cellId: string; metric: string; mean: number; ci95: string; n: number }[]).map(
        (r) => `  ${r.cellId.padEnd(36)} ${r.metric.padEnd(5)} ${Number.isFinite(r.mean) ? r.mean.toFixed(3) : "  nan"}  ${r.ci95}`,
      ),
    ];
    if (o.out) lines.push(`  written: ${o.out}`);
    return { result, text: lines.join("\n") };
  } finally {
    model.dispose();
  }
}

/**
 * `dealkit ablate --model CKPT --data FILE|DIR|default [--grid small|full|factorial] [--seeds 3] [--split test]
 * [--out FILE.json|FILE.csv] [--max-images N] [--no-cache]`
 */
export function register(program: Command): void {
  program
    .command("ablate")
    .description("prompt ablations (click position, clicks per category, prompt source, seen vs held-out categories), seeded and cached")
    .requiredOption("--model <dir>", "checkpoint folder (manifest.json + weights)")
    .requiredOption("--data <path>", 'COCO instances file, a folder holding annotations.json, or "default" (TinySet-mini)')
    .option("--grid <name>", "small | full | factorial", "small")
    .option("--seeds <n>", "seeds per cell (>= 3 for a 95% interval)", "3")
    .option("--split <name>", 'image split to use (default "test" when the data has one; with --data default, "heldout-categories")')
    .option("--max-images <n>", "use only the first n images (quick looks)")
    .option("--out <file>", "write the summary and runs (.json) or the summary (.csv)")
    .option("--no-cache", "recompute every run (default: reuse .cache/ablations)")
    .action(async (opts: AblateCommandOptions) => {
      const { text } = await runAblateCommand(opts, (line) => process.stderr.write(line + "\n"));
      process.stdout.write(text + "\n");
    });
}
