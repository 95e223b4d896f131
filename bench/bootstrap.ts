/**
 * Paired image bootstrap speed: a seeded 150-image case (~35 GT and ~300 detections per image, two detectors),
 * 1000 samples under p2sod (class-agnostic), in CPU seconds. The reference is the plain route, measured in the same run on a
 * few samples: copy the drawn images under new ids and run cocoEvaluate on A and B for each sample.
 *
 * Run: npx tsx bench/bootstrap.ts [--images N] [--samples S]
 */
import { imageWeightedEvaluator, pairedBootstrap } from "../src/analysis/index.js";
import { cocoEvaluate, cocoLoadDt, cocoLoadGt, evalSynthCase, type CocoDetectionJson, type CocoGtJson } from "../src/eval/index.js";
import { Random } from "../src/util/random.js";

/** CPU seconds (user + system) since `c0`: the machine is shared, so wall time alone says little. */
function cpuSince(c0: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

const FEW = ["AP@.50|all|1500", "AP@.75|all|1500", "AP@.50|verytiny|1500", "AP@.50|tiny|1500", "AP@.50|small|1500"];

/** The drawn multiset as plain COCO (copies under new ids), for the reference route. */
function multiset(gt: CocoGtJson, dts: CocoDetectionJson[][], w: Int32Array): { gt: CocoGtJson; dts: CocoDetectionJson[][] } {
  const ids = gt.images.map((im) => im.id).sort((a, b) => a - b);
  const k = new Map(ids.map((id, i) => [id, w[i]!]));
  return {
    gt: {
      ...gt,
      images: gt.images.flatMap((im) => Array.from({ length: k.get(im.id)! }, (_, c) => ({ ...im, id: im.id * 1000 + c }))),
      annotations: gt.annotations.flatMap((a) => Array.from({ length: k.get(a.image_id)! }, (_, c) => ({ ...a, id: a.id * 1000 + c, image_id: a.image_id * 1000 + c }))),
    },
    dts: dts.map((dt) => dt.flatMap((d) => Array.from({ length: k.get(d.image_id)! }, (_, c) => ({ ...d, image_id: d.image_id * 1000 + c })))),
  };
}

/** Times the bootstrap (few metrics and all p2sod numbers) and the reference route; prints seconds and ratios. */
export async function run(options: { images?: number; samples?: number } = {}): Promise<Record<string, number>> {
  const images = options.images ?? arg("images", 150);
  const samples = options.samples ?? arg("samples", 1000);
  const base = { images, gtPerImage: 35, dtPerGt: 8.6, categories: 5, medianSidePx: 10, imageSidePx: 512, seed: 2026 };
  const { gt, dt: a } = evalSynthCase(base);
  const b = evalSynthCase({ ...base, detSeed: 1, quality: 0.6 }).dt;
  console.log(`bootstrap bench: ${images} images, ${gt.annotations.length} GT, ${a.length} + ${b.length} detections, ${samples} samples, p2sod class-agnostic`);
  const g = cocoLoadGt(gt);
  const da = cocoLoadDt(a, g);
  const db = cocoLoadDt(b, g);
  const out: Record<string, number> = {};

  let t = performance.now();
  let c = process.cpuUsage();
  imageWeightedEvaluator(g, da, { metrics: FEW });
  out.matchOnceSeconds = cpuSince(c);
  for (const [name, metrics] of [["few", FEW], ["all", undefined]] as const) {
    t = performance.now();
    const c0 = process.cpuUsage();
    const r = pairedBootstrap(g, da, db, { metrics, samples, seed: 1 });
    const s = cpuSince(c0);
    out[`${name}Seconds`] = s;
    const row = r.rows.find((x) => x.metric === "AP@.50|all|1500")!;
    console.log(`  ${r.rows.length.toString().padStart(2)} metrics: CPU ${s.toFixed(2)} s (${((s / samples) * 1000).toFixed(2)} ms a sample; wall ${((performance.now() - t) / 1000).toFixed(1)} s)  ` +
      `AP@.50 A-B ${(row.diff * 100).toFixed(2)} [${(row.lo * 100).toFixed(2)}, ${(row.hi * 100).toFixed(2)}]`);
  }

  // Reference: cocoEvaluate of A and B on a few drawn multisets, extrapolated to `samples`.
  const few = 5;
  const rng = new Random(1);
  const w = new Int32Array(g.imgIds.length);
  c = process.cpuUsage();
  for (let i = 0; i < few; i++) {
    w.fill(0);
    for (let j = 0; j < w.length; j++) w[rng.int(w.length)]!++;
    const m = multiset(gt, [a, b], w);
    const mg = cocoLoadGt(m.gt);
    for (const d of m.dts) cocoEvaluate(mg, cocoLoadDt(d, mg), { protocol: "p2sod", classAgnostic: true });
  }
  const refPerSample = cpuSince(c) / few;
  out.referenceSeconds = refPerSample * samples;
  console.log(`  reference (copy + cocoEvaluate per sample, ${few} samples timed): ${(refPerSample * 1000).toFixed(0)} ms a sample, ` +
    `~${out.referenceSeconds.toFixed(0)} s for ${samples}: the bootstrap is ${(out.referenceSeconds / out.allSeconds!).toFixed(0)}x faster (all metrics), ` +
    `${(out.referenceSeconds / out.fewSeconds!).toFixed(0)}x (${FEW.length} metrics)`);
  console.log(`  match once per detector: CPU ${out.matchOnceSeconds.toFixed(2)} s`);
  console.log(`  (CPU seconds throughout: the machine is shared)`);
  return out;
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
