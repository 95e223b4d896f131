import type { Command } from "commander";
import { checkOneOf, CLICK_SAMPLERS, initBackend, parsePromptSetting, predictFromSpec, type PredictSpec, type PredictSpecResult } from "../../index.js";
import { addDataOptions, datasetSpecOf, type DataCommandOptions } from "../data-options.js";
import { addNumberOption, checkNumberOption, checkOutputFile, RANGES } from "../options.js";
import { predictOnQueueCommand, type QueueCommandOptions } from "../queue-options.js";

/** Options of `dealkit predict`, as commander parses them. */
export interface PredictCommandOptions extends DataCommandOptions, QueueCommandOptions {
  model: string;
  clicks: string;
  clicksFile?: string;
  sampler: string;
  seed: string | number;
  out: string;
  scoreThreshold: string | number;
  maxDetections: string | number;
  /** IoU threshold of a per-image class-agnostic NMS over all prompts / classes; absent = off. */
  classAgnosticMerge?: string | number;
  slice?: string | number;
  overlap?: string | number;
  sliceBatch?: string | number;
  progressEvery: string | number;
  backend?: string;
}

/**
 * Runs `dealkit predict` ({@link predictFromSpec}) and writes the COCO results; `log` gets a progress line every
 * `--progress-every` images (the command sends them to stderr, terminal or not). Kept apart from commander so
 * that it can be called directly.
 *
 * @example
 * const r = await runPredictCommand({ model: "deal-tiny", images: "photos/", clicksFile: "clicks.json", out: "dt.json", clicks: "per-category", sampler: "center", seed: "0", scoreThreshold: "0.001", maxDetections: "100", progressEvery: "10" });
 */
export async function runPredictCommand(o: PredictCommandOptions, log: (line: string) => void = () => {}): Promise<PredictSpecResult> {
  checkOutputFile("--out", o.out);
  await initBackend(o.backend ? { backend: o.backend as never } : {});
  const every = checkNumberOption("--progress-every", o.progressEvery, RANGES.every);
  const t0 = Date.now();
  const spec: PredictSpec = {
    model: o.model,
    data: datasetSpecOf(o),
    clicks: parsePromptSetting(o.clicks),
    ...(o.clicksFile !== undefined ? { clicksFile: o.clicksFile } : {}),
    sampler: checkOneOf("--sampler", o.sampler, CLICK_SAMPLERS),
    seed: checkNumberOption("--seed", o.seed, RANGES.seed),
    scoreThreshold: checkNumberOption("--score-threshold", o.scoreThreshold, RANGES.scoreThreshold),
    maxDetections: checkNumberOption("--max-detections", o.maxDetections, RANGES.maxDetections),
    ...(o.classAgnosticMerge !== undefined ? { classAgnosticMerge: checkNumberOption("--class-agnostic-merge", o.classAgnosticMerge, RANGES.iou) } : {}),
    ...(o.slice !== undefined ? { slice: checkNumberOption("--slice", o.slice, RANGES.slice) } : {}),
    ...(o.overlap !== undefined ? { overlap: checkNumberOption("--overlap", o.overlap, RANGES.overlap) } : {}),
    ...(o.sliceBatch !== undefined ? { sliceBatch: checkNumberOption("--slice-batch", o.sliceBatch, RANGES.sliceBatch) } : {}),
    out: o.out,
    onProgress: (done, total) => {
      if (done % every === 0 || done === total) log(`predict: ${done}/${total} images (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    },
  };
  return o.queue !== undefined ? predictOnQueueCommand(o, spec, log) : predictFromSpec(spec);
}

/**
 * `dealkit predict --model NAME|CKPT (--data default|DIR --split test | --gt FILE --images DIR [--format F] |
 * --images DIR --clicks-file FILE) [--clicks per-category|per-instance|k] [--slice PX --overlap F] --out DT.json`
 */
export function register(program: Command): void {
  const cmd = program
    .command("predict")
    .description("run a model over a data set and write COCO results (DEAL gets clicks sampled from the GT, or from --clicks-file; the baseline none)")
    .requiredOption("--model <name|dir>", "a shipped model (deal-tiny, deal-tiny-random, baseline-tiny), the training-free reference template, or a checkpoint folder");
  addDataOptions(cmd, { split: "test", imagesAlone: true })
    .option("--clicks-file <file>", 'clicks per image instead of sampled ones: { "<image file>": [{ "x": px, "y": px, "categoryId": id }, ...] }')
    .option("--clicks <setting>", "clicks sampled from the GT: per-category | per-instance | k (clicks per category)", "per-category")
    .option("--sampler <name>", "where a sampled click lands: center | uniform | gaussian | edge", "center");
  addNumberOption(cmd, "--seed <n>", "seed of the click sampling", RANGES.seed, 0);
  addNumberOption(cmd, "--score-threshold <x>", "drop detections below this score", RANGES.scoreThreshold, 0.001);
  addNumberOption(cmd, "--max-detections <n>", "per prompt (DEAL) or per image (baseline)", RANGES.maxDetections, 100);
  addNumberOption(cmd, "--class-agnostic-merge <iou>", "per image, greedy NMS across all prompts / classes at this IoU (for class-agnostic evaluation); off by default", RANGES.iou);
  addNumberOption(cmd, "--slice <px>", "sliced inference: square slices of this side (px), for images larger than the model's input; off by default", RANGES.slice);
  addNumberOption(cmd, "--overlap <f>", "with --slice: fraction of a slice shared with its neighbour [0.2]", RANGES.overlap);
  addNumberOption(cmd, "--slice-batch <n>", "with --slice: slices encoded together in one batch (default: as many as 512 MiB of activations allow, at most 8; same results, speed and memory only)", RANGES.sliceBatch);
  addNumberOption(cmd, "--progress-every <n>", "a progress line on stderr every n images", RANGES.every, 10);
  cmd
    .option("--backend <name>", "auto | gpu | node | wasm | cpu")
    .option("--queue <url>", "predict on dealkit workers over Redis (redis://host:port), shard by shard; results in the same order")
    .option("--shards <n>", "with --queue: image ranges to split the data set into [8]")
    .requiredOption("--out <file>", "COCO results JSON to write")
    .action(async (opts: PredictCommandOptions) => {
      const r = await runPredictCommand(opts, (line) => process.stderr.write(line + "\n"));
      const lines = [
        `wrote ${r.results.length} detections on ${r.images} images to ${opts.out} (model ${r.model}, ${r.fingerprint}; ${r.data})`,
        r.gtFile
          ? `results belong to ${r.gtFile}${opts.images !== undefined && opts.gt === undefined ? " (the image list)" : `: dealkit eval --gt ${r.gtFile} --dt ${opts.out}`}`
          : "results belong to the labels given (no COCO file: dealkit convert them to evaluate)",
      ];
      process.stdout.write(lines.join("\n") + "\n");
    });
}
