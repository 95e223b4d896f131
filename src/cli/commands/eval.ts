import type { Command } from "commander";
import { checkOutputFile } from "../options.js";
import {
  cocoEvaluate, cocoLoadFiles, cocoPerCategoryAp, evalParseAreaRanges, evalParseIouThrs, evalParseMaxDets,
  type CocoEvaluateOptions, type CocoEvaluation, type EvalParamsInput, type EvalResults,
  writeFileAtomic, DealkitConfigError,
} from "../../index.js";
import { evaluateOnQueueCommand } from "../queue-options.js";

/** Options of `dealkit eval`, as commander parses them. */
export interface EvalCommandOptions {
  gt: string;
  dt: string;
  protocol: string;
  classAgnostic?: boolean;
  areaRanges?: string | string[];
  maxDets?: string | string[];
  iouThrs?: string | string[];
  stockSummarize?: boolean;
  perCategory?: boolean;
  json?: boolean;
  out?: string;
  /** Evaluate on queue workers (see src/queue): the URL and the shard count. */
  queue?: string;
  shards?: string;
}

/** Runs a parser of an option's text; its error is prefixed with the option's name. */
function named<T>(option: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof DealkitConfigError) throw new DealkitConfigError(`${option}: ${err.message}`);
    throw err;
  }
}

/** The evaluation options of parsed `dealkit eval` options (protocol, parameters, class-agnostic, stock summary). */
export function evalOptionsOf(o: EvalCommandOptions): CocoEvaluateOptions {
  const params: EvalParamsInput = {};
  // Variadic options: "--max-dets 1,100,1500" and "--max-dets 1 100 1500" both work.
  const joined = (v: string | string[]) => (Array.isArray(v) ? v.join(" ") : v);
  if (o.areaRanges) params.areaRanges = named("--area-ranges", () => evalParseAreaRanges(joined(o.areaRanges!)));
  if (o.maxDets) params.maxDets = named("--max-dets", () => evalParseMaxDets(joined(o.maxDets!)));
  if (o.iouThrs) params.iouThrs = named("--iou-thrs", () => evalParseIouThrs(joined(o.iouThrs!)));
  return { protocol: o.protocol as never, params, classAgnostic: o.classAgnostic ? true : undefined, stockSummarize: o.stockSummarize };
}

/**
 * Runs `dealkit eval` and returns what it prints: the results object as JSON (`--json`), or a readable
 * summary. Kept separate from commander so that it can be called and tested directly.
 */
export function runEvalCommand(o: EvalCommandOptions, done?: CocoEvaluation): { results: EvalResults; text: string } {
  const options = evalOptionsOf(o); // bad options fail before any file is read
  if (o.out) checkOutputFile("--out", o.out);
  const { gt, dt } = done ?? cocoLoadFiles(o.gt, o.dt);
  // `done`: the same evaluation, already made on queue workers (with evalOptionsOf(o)).
  const ev = done ?? cocoEvaluate(gt, dt, options);
  let perCategory = ev.results.perCategory;
  if (o.perCategory && !ev.protocol.params.useCats) {
    // Per-category AP needs per-category matching: evaluate once more with useCats = 1.
    const byCat = cocoEvaluate(gt, dt, { protocol: ev.protocol.name, params: { ...ev.protocol.params, useCats: true } });
    perCategory = cocoPerCategoryAp(byCat.accumulated, gt, byCat.protocol.params);
  }
  const results: EvalResults = { ...ev.results, perCategory: o.perCategory ? perCategory : {} };
  if (o.out) writeFileAtomic(o.out, JSON.stringify(results, null, 1) + "\n");
  let text: string;
  if (o.json) {
    const out: Record<string, unknown> = {
      protocol: results.protocol, stats: results.stats,
      ...(o.perCategory ? { perCategory: results.perCategory } : {}),
      params: results.params, counts: results.counts, fingerprint: results.fingerprint, version: results.version,
      warnings: results.warnings, timings: ev.timings,
    };
    text = JSON.stringify(out);
  } else {
    const width = Math.max(...ev.summary.map((s) => s.label.length));
    const lines = [`dealkit eval: protocol ${results.protocol}${ev.protocol.params.useCats ? "" : " (class-agnostic)"}, ` +
      `${results.counts.images} images, ${results.counts.gt} GT, ${results.counts.dt} detections`];
    for (const s of ev.summary) lines.push(`  ${s.label.padEnd(width)}  ${s.value === -1 ? "  -1" : s.value.toFixed(4)}`);
    if (o.perCategory) {
      lines.push("  per category AP:");
      for (const [id, v] of Object.entries(results.perCategory)) {
        const k = gt.catIds.indexOf(Number(id));
        lines.push(`    ${id.padStart(6)} ${(gt.catNames[k] ?? "").padEnd(20)} ${v === -1 ? "  -1" : v.toFixed(4)}`);
      }
    }
    for (const w of results.warnings) lines.push(`  warning: ${w}`);
    lines.push(`  evaluate ${ev.timings.matchMs.toFixed(0)} ms, accumulate ${ev.timings.accumulateMs.toFixed(0)} ms`);
    text = lines.join("\n");
  }
  return { results, text };
}

/**
 * `dealkit eval --gt GT.json --dt DT.json [--protocol coco|aitod|p2sod|custom] [--class-agnostic]
 * [--area-ranges all:0:1e10,...] [--max-dets 1,100,1500] [--iou-thrs .5:.95:.05] [--per-category] [--json]`
 */
export function register(program: Command): void {
  program
    .command("eval")
    .description("evaluate COCO-format detections against ground truth, number for number as pycocotools COCOeval (bbox)")
    .requiredOption("--gt <file>", "ground truth, COCO instances JSON (.json or .json.gz)")
    .requiredOption("--dt <file>", "detections, COCO results JSON array (.json or .json.gz)")
    .option("--protocol <name>", "coco | aitod | p2sod | custom", "coco")
    .option("--class-agnostic", "ignore categories when matching (pycocotools useCats=0)")
    .option("--area-ranges <ranges...>", "label:lo:hi[,label:lo:hi...] in px^2, JSON {\"label\": [lo, hi]}, or coco | aitod")
    .option("--max-dets <list...>", "detections per image and category, e.g. 1,100,1500")
    .option("--iou-thrs <list...>", "IoU thresholds: a list (0.25,0.5,0.75) or start:stop:step (numpy linspace)")
    .option("--stock-summarize", "report unmodified pycocotools summarize() numbers (stats[0] at maxDets 100)")
    .option("--per-category", "also report AP per category id")
    .option("--json", "print one JSON object: {stats: {label: value}, perCategory?, params, ...}")
    .option("--out <file>", "also write the full results object (params, fingerprints, version) to this file")
    .option("--queue <url>", "match images on dealkit workers over Redis (redis://host:port); merged exactly, then accumulated here")
    .option("--shards <n>", "with --queue: image ranges to split the evaluation into [8]")
    .action(async (opts: EvalCommandOptions) => {
      const done = opts.queue !== undefined ? await evaluateOnQueueCommand(opts, evalOptionsOf(opts)) : undefined;
      const { text } = runEvalCommand(opts, done);
      process.stdout.write(text + "\n");
    });
}
