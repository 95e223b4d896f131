/**
 * Evaluation speed: a seeded 2,000-image case with ~100k GT boxes (median side ~11 px) and ~300k
 * detections, evaluated (match + accumulate) under the coco and aitod protocols. pycocotools needs about
 * 59 s (coco) and 162 s (aitod) for a case of this size on a 2-core VM (test/fixtures/coco/README.md).
 *
 * Run: npx tsx bench/eval.ts [--images N] [--categories K]
 */
import { cocoEvaluate, cocoLoadDt, cocoLoadGt, evalSynthCase } from "../src/eval/index.js";

const PYCOCOTOOLS_SECONDS = { coco: 59, aitod: 162 } as const;

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

/** What {@link run} measured, in seconds and MB. */
export interface EvalBenchResult {
  images: number;
  gt: number;
  dt: number;
  /** JSON.parse + validation/normalisation of GT and detections from JSON text. */
  loadSeconds: number;
  /** evaluate + accumulate, per protocol (class-specific, as pycocotools' default). */
  seconds: { coco: number; aitod: number; cocoAgnostic: number; aitodAgnostic: number };
  speedup: { coco: number; aitod: number };
  peakRssMb: number;
}

/** Generates the case, times evaluate+accumulate per protocol, prints times, speedups and peak RSS. */
export async function run(options: { images?: number; categories?: number } = {}): Promise<EvalBenchResult> {
  const images = options.images ?? arg("images", 2000);
  const categories = options.categories ?? arg("categories", 10);
  let t = performance.now();
  const { gt: gtJson, dt: dtJson } = evalSynthCase({ images, gtPerImage: 50, dtPerGt: 3, categories, seed: 2026 });
  const genS = (performance.now() - t) / 1000;
  const gtText = JSON.stringify(gtJson);
  const dtText = JSON.stringify(dtJson);
  t = performance.now();
  const gt = cocoLoadGt(JSON.parse(gtText), "synthetic gt");
  const dt = cocoLoadDt(JSON.parse(dtText), gt, "synthetic dt");
  const loadS = (performance.now() - t) / 1000;
  const sides = Array.from(gt.w, (w, i) => Math.sqrt(w * gt.h[i]!)).sort((a, b) => a - b);
  console.log(`eval bench: ${images} images, ${gt.n} GT (median side ${sides[sides.length >> 1]!.toFixed(1)} px), ` +
    `${dt.n} detections, ${categories} categories; generated in ${genS.toFixed(1)} s, JSON parsed + normalised in ${loadS.toFixed(2)} s`);
  const seconds: Record<string, number> = {};
  for (const protocol of ["coco", "aitod"] as const) {
    for (const agnostic of [false, true]) {
      const c0 = process.cpuUsage();
      const ev = cocoEvaluate(gt, dt, { protocol, classAgnostic: agnostic });
      const c1 = process.cpuUsage(c0);
      const s = (ev.timings.matchMs + ev.timings.accumulateMs) / 1000;
      const ap = ev.summary[0]!;
      const ratio = PYCOCOTOOLS_SECONDS[protocol] / s;
      seconds[protocol + (agnostic ? "Agnostic" : "")] = s;
      console.log(`  ${protocol.padEnd(5)}${agnostic ? " class-agnostic" : "               "}  evaluate ${(ev.timings.matchMs / 1000).toFixed(2)} s` +
        ` + accumulate ${(ev.timings.accumulateMs / 1000).toFixed(2)} s = ${s.toFixed(2)} s (CPU ${((c1.user + c1.system) / 1e6).toFixed(2)} s)` +
        (agnostic ? "" : `  (pycocotools ~${PYCOCOTOOLS_SECONDS[protocol]} s: ${ratio.toFixed(0)}x)`) + `  ${ap.label} ${ap.value.toFixed(4)}`);
    }
  }
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(`  peak RSS ${peakRssMb.toFixed(0)} MB`);
  const sec = seconds as EvalBenchResult["seconds"];
  return {
    images, gt: gt.n, dt: dt.n, loadSeconds: loadS, seconds: sec,
    speedup: { coco: PYCOCOTOOLS_SECONDS.coco / sec.coco, aitod: PYCOCOTOOLS_SECONDS.aitod / sec.aitod }, peakRssMb,
  };
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
