import type { Command } from "commander";
import * as aq from "arquero";
import { ablatePrompts, ablationGrid, ABLATION_GRID_NAMES, cellId, checkOneOf, writeFileAtomic, type AblationResult } from "../../index.js";
import { addDataOptions, datasetSpecOf, type DataCommandOptions } from "../data-options.js";
import { addNumberOption, checkNumberOption, checkOutputFile, RANGES } from "../options.js";
import { ablateOnQueueCommand, type QueueCommandOptions } from "../queue-options.js";

/** Options of `dealkit ablate`, as commander parses them. */
export interface AblateCommandOptions extends DataCommandOptions, QueueCommandOptions {
  model: string;
  grid: string;
  seeds: string | number;
  out?: string;
  maxImages?: string | number;
  cache?: boolean;
}

/**
 * Runs `dealkit ablate` ({@link ablatePrompts}) and returns the result and the text it prints; progress lines go
 * to `log`. Kept apart from commander so it can be called and tested directly.
 *
 * @example
 * const { text } = await runAblateCommand({ model: "deal-tiny", grid: "small", seeds: "3" });
 */
export async function runAblateCommand(o: AblateCommandOptions, log: (line: string) => void = () => {}): Promise<{ result: AblationResult; text: string }> {
  const grid = checkOneOf("--grid", o.grid, ABLATION_GRID_NAMES);
  if (o.out) checkOutputFile("--out", o.out);
  const nSeeds = checkNumberOption("--seeds", o.seeds, RANGES.seeds);
  const seeds = Array.from({ length: nSeeds }, (_, i) => i);
  const maxImages = o.maxImages !== undefined ? checkNumberOption("--max-images", o.maxImages, RANGES.maxImages) : undefined;
  const result = o.queue !== undefined
    ? await ablateOnQueueCommand(o, { model: o.model, data: datasetSpecOf(o), grid, seeds, ...(maxImages !== undefined ? { maxImages } : {}) }, log)
    : await ablatePrompts({
      model: o.model,
      data: datasetSpecOf(o),
      grid,
      seeds,
      ...(maxImages !== undefined ? { maxImages } : {}),
      cache: o.cache !== false,
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
    `dealkit ablate: ${ablationGrid(grid).length} cells x ${nSeeds} seeds on ${result.images} images (${result.computed} computed, ${result.cached} cached)`,
    ...(wide.objects() as { cellId: string; metric: string; mean: number; ci95: string; n: number }[]).map(
      (r) => `  ${r.cellId.padEnd(36)} ${r.metric.padEnd(5)} ${Number.isFinite(r.mean) ? r.mean.toFixed(3) : "  nan"}  ${r.ci95}`,
    ),
  ];
  if (o.out) lines.push(`  written: ${o.out}`);
  return { result, text: lines.join("\n") };
}

/**
 * `dealkit ablate --model NAME|CKPT (--data default|DIR [--split S] | --gt FILE --images DIR [--format F] [--split S])
 * [--grid small|full|factorial] [--seeds 3] [--out FILE.json|FILE.csv] [--max-images N] [--no-cache] [--queue URL [--shards N]]`
 */
export function register(program: Command): void {
  const cmd = program
    .command("ablate")
    .description("prompt ablations (click position, clicks per category, prompt source, seen vs held-out categories), seeded and cached")
    .requiredOption("--model <name|dir>", "a shipped model (deal-tiny, deal-tiny-random, baseline-tiny), the training-free reference template, or a checkpoint folder");
  addDataOptions(cmd, { split: "heldout-categories" })
    .option("--grid <name>", "small | full | factorial", "small");
  addNumberOption(cmd, "--seeds <n>", "seeds per cell (>= 3 for a 95% interval)", RANGES.seeds, 3);
  addNumberOption(cmd, "--max-images <n>", "use only the first n images (quick looks)", RANGES.maxImages);
  cmd
    .option("--out <file>", "write the summary and runs (.json) or the summary (.csv)")
    .option("--no-cache", "recompute every run (default: reuse .cache/ablations)")
    .option("--queue <url>", "run the cell x seed runs on dealkit workers over Redis (redis://host:port); evaluated and tabulated here, the same table")
    .option("--shards <n>", "with --queue: image ranges per cell x seed run [1]")
    .action(async (opts: AblateCommandOptions) => {
      const { text } = await runAblateCommand(opts, (line) => process.stderr.write(line + "\n"));
      process.stdout.write(text + "\n");
    });
}
