/**
 * Prompted detection speed on the CPU (wasm) backend: `detect` on a 1024x1024 scene with one click (goal
 * <= 1 s), and sliced inference over a 4000x4000 scene (one click per category found across every slice),
 * with peak memory. Uses the pretrained DEAL-tiny under datasets/models/ when present, else an untrained
 * DEAL-tiny (same architecture, so the same cost).
 *
 * Run: npx tsx bench/detect.ts [--size 1024] [--large 4000] [--repeats 5] [--backend wasm]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { initBackend } from "../src/backend/init.js";
import { tf } from "../src/backend/tf.js";
import { generateImage } from "../src/data/synth/index.js";
import { detect } from "../src/infer/detect.js";
import { detectSliced, type SlicedStats } from "../src/infer/sliced.js";
import { createDeal } from "../src/model/deal.js";
import type { Click, PromptableDetector } from "../src/structures/index.js";
import { loadCheckpoint } from "../src/train/checkpoint.js";
import { Random } from "../src/util/random.js";

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : def;
}

/** The pretrained DEAL-tiny checkpoint folder, if shipped. */
function pretrainedDir(): string | undefined {
  const root = path.resolve(__dirname, "..", "datasets", "models");
  if (!fs.existsSync(root)) return undefined;
  const dirs = fs.readdirSync(root).filter((d) => /deal/i.test(d) && fs.existsSync(path.join(root, d, "manifest.json")));
  return dirs.length ? path.join(root, dirs.sort()[0]!) : undefined;
}

/** What {@link run} measured. */
export interface DetectBenchResult {
  backend: string;
  model: string;
  inputSize: number;
  /** detect on a size x size scene with one click: median and all runs, ms. */
  detectMs: { median: number; runs: number[] };
  detections: number;
  goalMet: boolean;
  sliced: SlicedStats;
  peakRssMb: number;
  tensorsLeaked: number;
}

/** Runs the benchmark and prints its figures. */
export async function run(options: { size?: number; large?: number; repeats?: number; backend?: string } = {}): Promise<DetectBenchResult> {
  const size = options.size ?? Number(arg("size", "1024"));
  const large = options.large ?? Number(arg("large", "4000"));
  const repeats = options.repeats ?? Number(arg("repeats", "5"));
  const report = await initBackend({ backend: (options.backend ?? arg("backend", "wasm")) as never });
  const ckpt = pretrainedDir();
  const model: PromptableDetector = ckpt ? loadCheckpoint(ckpt).model : createDeal({ preset: "tiny" }, 0);
  const modelName = ckpt ? `pretrained ${path.basename(ckpt)}` : "untrained DEAL-tiny (no checkpoint under datasets/models/)";
  try {
    const scene = generateImage("remote-sensing", new Random(11), { width: size, density: "medium" });
    const a = scene.annotations[0]!;
    const click: Click = { x: a.bboxXywh[0] + a.bboxXywh[2] / 2, y: a.bboxXywh[1] + a.bboxXywh[3] / 2, categoryId: a.categoryId };
    const before = tf.memory().numTensors;
    await detect(model, scene.image, [click]); // warm-up (kernel compilation, allocations)
    const runs: number[] = [];
    let detections = 0;
    for (let i = 0; i < repeats; i++) {
      const t = performance.now();
      detections = (await detect(model, scene.image, [click], { scoreThreshold: 0.3 })).length;
      runs.push(performance.now() - t);
    }
    const median = runs.slice().sort((x, y) => x - y)[runs.length >> 1]!;
    console.log(`detect bench (${report.backend}, ${report.threads} thread(s)), model: ${modelName}, input ${model.inputSize}px`);
    console.log(`  detect ${size}x${size}, 1 click: median ${median.toFixed(0)} ms over ${repeats} runs ` +
      `(${runs.map((r) => r.toFixed(0)).join(", ")}); goal <= 1000 ms: ${median <= 1000 ? "met" : "NOT met"}; ${detections} detections`);

    const big = generateImage("remote-sensing", new Random(12), { width: large, density: "medium" });
    const cats = [...new Set(big.annotations.map((x) => x.categoryId))];
    const clicks: Click[] = cats.map((c) => {
      const b = big.annotations.find((x) => x.categoryId === c)!.bboxXywh;
      return { x: b[0] + b[2] / 2, y: b[1] + b[3] / 2, categoryId: c };
    });
    const res = await detectSliced(model, big.image, clicks, { scoreThreshold: 0.3 });
    const s = res.stats;
    console.log(`  sliced ${large}x${large} (${big.annotations.length} objects, ${clicks.length} clicks, one per category): ` +
      `${s.slices} slices of ${s.sliceSize}px (overlap ${s.overlap}), ${(s.timeMs / 1000).toFixed(1)} s total ` +
      `(embed ${s.embedMs.toFixed(0)} ms in ${s.embedCalls} call(s), model ${(s.detectMs / 1000).toFixed(1)} s, ` +
      `slowest slice ${s.maxSliceMs.toFixed(0)} ms, merge ${s.mergeMs.toFixed(0)} ms); ` +
      `${s.rawDetections} raw -> ${s.finalDetections} boxes (seams: ${s.seamCut} cut, ${s.seamDropped} dropped, ${s.seamJoined} joined; ${s.mergedAway} merged)`);
    const tensorsLeaked = tf.memory().numTensors - before;
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    console.log(`  peak RSS ${peakRssMb.toFixed(0)} MB; tensors leaked: ${tensorsLeaked}`);
    return {
      backend: report.backend, model: modelName, inputSize: model.inputSize, detectMs: { median, runs }, detections,
      goalMet: median <= 1000, sliced: s, peakRssMb, tensorsLeaked,
    };
  } finally {
    model.dispose();
  }
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
