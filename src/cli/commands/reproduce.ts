import * as path from "node:path";
import type { Command } from "commander";
import { numberOption } from "../data-options.js";
import { addNumberOption, RANGES } from "../options.js";
import { formatNotebookFailure, PAPER_OPTIONS_ENV, paperTableText, reproduce, runPaperReproduction, type PaperReproductionOptions } from "../../index.js";

/** Options of `dealkit reproduce`, as commander parses them. */
interface ReproduceCommandOptions {
  data?: string;
  out?: string;
  timeout?: number;
  retrain?: boolean;
  cache?: boolean;
  seed?: number;
  imagesPerDomain?: number;
  ablation?: boolean;
  models?: string;
  queue?: string;
  shards?: string;
}

/**
 * `dealkit reproduce [--data default|DIR] [--out DIR] [--retrain] [--no-cache] [--images-per-domain N] [--no-ablation] [--timeout S] [--queue URL [--shards N]]`:
 * the main job. It computes the paper reproduction here (progress lines on stderr; results cached on disk), then
 * runs notebooks/07-reproduce-paper.ipynb through Jupyter with the same options (the notebook reads the cached
 * result), writes the report (the executed notebook as self-contained HTML) and prints the paper-style table.
 */
export function registerReproduce(program: Command): void {
  const cmd = program
    .command("reproduce")
    .description("the main job: evaluate DEAL-tiny (PG-CPP, random clicks) and the baseline on TinySet-mini, run notebooks/07 and write out/report/index.html")
    .option("--data <dir>", "default (TinySet-mini, seed 0) or a TinySet-mini folder holding its five splits (dealkit generate --out)")
    .option("-o, --out <dir>", "report folder (default out/report)")
    .option("--models <dir>", "folder holding deal-tiny, deal-tiny-random and baseline-tiny (default datasets/models)")
    .option("--retrain", "train the three models (documented settings: 3000 steps, ~25 min each on 2 cores) instead of loading datasets/models")
    .option("--no-cache", "recompute everything (predictions, ablation, tables) and overwrite the cached result")
    .option("--no-ablation", "skip the prompt-ablation grid")
    .option("--queue <url>", "run the predictions and the ablation on dealkit workers over Redis (redis://host:port); the same report")
    .option("--shards <n>", "with --queue: image ranges per prediction [8]");
  addNumberOption(cmd, "--timeout <seconds>", "seconds a notebook cell may run (default 600)", RANGES.timeoutSeconds);
  addNumberOption(cmd, "--seed <n>", "seed of the click sampling", RANGES.seed, 0);
  addNumberOption(cmd, "--images-per-domain <n>", "evaluate only the first n images of each domain per split (quick looks)", RANGES.maxImages);
  cmd.action(async (opts: ReproduceCommandOptions) => {
    const timeoutS = opts.timeout;
    const imagesPerDomain = opts.imagesPerDomain;
    const clickSeed = opts.seed ?? 0;
    const started = Date.now();
    const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
    const options: PaperReproductionOptions = {
      clickSeed,
      ...(opts.data !== undefined && opts.data !== "default" ? { data: path.resolve(opts.data) } : {}),
      ...(opts.models ? { modelsDir: path.resolve(opts.models) } : {}),
      ...(imagesPerDomain ? { imagesPerDomain } : {}),
      ...(opts.ablation === false ? { ablation: false as const } : {}),
    };
    const shards = opts.shards !== undefined ? numberOption("--shards", opts.shards, { integer: true, min: 1 }) : undefined;
    const paper = await runPaperReproduction({
      ...options,
      ...(opts.queue !== undefined ? { queue: { url: opts.queue, ...(shards !== undefined ? { shards } : {}) } } : {}),
      retrain: opts.retrain ?? false,
      cache: opts.cache === false ? "refresh" : true,
      onProgress: (line) => process.stderr.write(`[${elapsed()}] ${line}\n`),
    });
    // The notebook gets the models this run used (after --retrain: the freshly trained ones), so it reads
    // the result just cached instead of computing again.
    const modelDirs = Object.fromEntries(paper.models.map((m) => [m.role, m.dir]));
    process.env[PAPER_OPTIONS_ENV] = JSON.stringify({ ...options, modelDirs });
    process.stderr.write(`[${elapsed()}] report: running notebooks/07-reproduce-paper.ipynb through Jupyter\n`);
    const result = await reproduce({ outDir: opts.out, timeoutS, onLog: (line) => process.stderr.write(`[${elapsed()}] ${line}\n`) });
    const rel = (p: string) => path.relative(process.cwd(), p) || p;
    for (const r of result.results) {
      process.stderr.write(`${r.ok ? "ok  " : "FAIL"} ${rel(r.notebook)} (${r.seconds.toFixed(1)} s)\n`);
      for (const f of r.failures) process.stderr.write(formatNotebookFailure(rel(r.notebook), f) + "\n");
    }
    const h = paper.headline;
    const lines = [
      `dealkit reproduce: TinySet-mini v${paper.data.version} seed ${paper.data.seed}, test ${paper.data.images.test} images; click seed ${clickSeed}; p2sod protocol (class-agnostic), AP in points`,
      "",
      paperTableText(paper.table),
      "",
      `models: ${paper.models.map((m) => `${m.name} (${m.source}, ${m.fingerprint})`).join(", ")}`,
      `computation: ${paper.fromCache ? `read from the cache (computed in ${paper.computeSeconds.toFixed(1)} s)` : `${paper.computeSeconds.toFixed(1)} s`}; total ${elapsed()}`,
      `report: ${rel(result.reportHtml)}`,
    ];
    process.stdout.write(lines.join("\n") + "\n");
    if (!result.ok) {
      throw Object.assign(new Error(result.results.length ? "a notebook failed" : "no notebooks to run"), { exitCode: 1 });
    }
  });
}
