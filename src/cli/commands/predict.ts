import type { Command } from "commander";
import { checkOneOf, CLICK_SAMPLERS, initBackend, parsePromptSetting, predictFromSpec, type PredictSpec, type PredictSpecResult } from "../../index.js";
import { addDataOptions, datasetSpecOf, numberOption, type DataCommandOptions } from "../data-options.js";
import { predictOnQueueCommand, type QueueCommandOptions } from "../queue-options.js";

/** Options of `dealkit predict`, as commander parses them. */
export interface PredictCommandOptions extends DataCommandOptions, QueueCommandOptions {
  model: string;
  clicks: string;
  clicksFile?: string;
  sampler: string;
  seed: string;
  out: string;
  scoreThreshold: string;
  maxDetections: string;
  /** IoU threshold of a per-image class-agnostic NMS over all prompts / classes; absent = off. */
  classAgnosticMerge?: string;
  slice?: string;
  overlap?: string;
  progressEvery: string;
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
  await initBackend(o.backend ? { backend: o.backend as never } : {});
  const every = numberOption("--progress-every", o.progressEvery, { integer: true, min: 1 });
  const t0 = Date.now();
  const spec: PredictSpec = {
    model: o.model,
    data: datasetSpecOf(o),
    clicks: parsePromptSetting(o.clicks),
    ...(o.clicksFile !== undefined ? { clicksFile: o.clicksFile } : {}),
    sampler: checkOneOf("--sampler", o.sampler, CLICK_SAMPLERS),
    seed: numberOption("--seed", o.seed, { integer: true }),
    scoreThreshold: numberOption("--score-threshold", o.scoreThreshold, { min: 0 }),
    maxDetections: numberOption("--max-detections", o.maxDetections, { integer: true, min: 1 }),
    ...(o.classAgnosticMerge !== undefined ? { classAgnosticMerge: Number(o.classAgnosticMerge) } : {}),
    ...(o.slice !== undefined ? { slice: numberOption("--slice", o.slice, { integer: true, min: 16 }) } : {}),
    ...(o.overlap !== undefined ? { overlap: numberOption("--overlap", o.overlap, { min: 0 }) } : {}),
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
    .requiredOption("--model <name|dir>", "a shipped model (deal-tiny, deal-tiny-random, baseline-tiny) or a checkpoint folder");
  addDataOptions(cmd, { split: "test", imagesAlone: true })
    .option("--clicks-file <file>", 'clicks per image instead of sampled ones: { "<image file>": [{ "x": px, "y": px, "categoryId": id }, ...] }')
    .option("--clicks <setting>", "clicks sampled from the GT: per-category | per-instance | k (clicks per category)", "per-category")
    .option("--sampler <name>", "where a sampled click lands: center | uniform | gaussian | edge", "center")
    .option("--seed <n>", "seed of the click sampling", "0")
    .option("--score-threshold <x>", "drop detections below this score", "0.001")
    .option("--max-detections <n>", "per prompt (DEAL) or per image (baseline)", "100")
    .option("--class-agnostic-merge <iou>", "per image, greedy NMS across all prompts / classes at this IoU (for class-agnostic evaluation); off by default")
    .option("--slice <px>", "sliced inference: square slices of this side (px), for images larger than the model's input; off by default")
    .option("--overlap <f>", "with --slice: fraction of a slice shared with its neighbour, in [0, 0.9) [0.2]")
    .option("--progress-every <n>", "a progress line on stderr every n images", "10")
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
