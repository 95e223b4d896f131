/**
 * Load benchmark: a seeded 9M-annotation COCO file (written once to .cache/bench/ and reused) is read with
 * readCoco in a child process, which reports the load time, MB/s and its peak RSS.
 *
 *     npx tsx bench/load.ts [--annotations N] [--seed S]
 *
 * Target (issue 3): >= 100 MB/s and <= 4 GiB peak RSS at 9M annotations.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { readCocoSync } from "../src/data/formats/coco.js";
import { AtomicTextWriter } from "../src/data/formats/text-writer.js";
import { cacheDir } from "../src/util/fs.js";
import { Random } from "../src/util/random.js";

const DOMAINS = ["remote-sensing", "uav", "daily-life", "driving", "microscopy", "agriculture"];

/** Writes a COCO file with `annotations` boxes over images of ~33 boxes each (TinySet-9M's density). */
export function generateBenchCoco(file: string, annotations: number, seed: number): void {
  const rng = new Random(seed);
  const numImages = Math.max(1, Math.round(annotations / 33.6));
  const w = new AtomicTextWriter(file);
  try {
    w.write(`{"info":{"description":"dealkit load benchmark","seed":${seed}},"images":[`);
    const sizes: [number, number][] = [];
    for (let i = 0; i < numImages; i++) {
      const width = rng.intBetween(600, 2000), height = rng.intBetween(400, 1500);
      sizes.push([width, height]);
      w.write(`${i ? "," : ""}{"id":${i + 1},"width":${width},"height":${height},"file_name":"${DOMAINS[i % 6]}/${String(i + 1).padStart(7, "0")}.jpg","domain":"${DOMAINS[i % 6]}"}`);
    }
    w.write(`],"categories":[`);
    for (let c = 1; c <= 40; c++) w.write(`${c > 1 ? "," : ""}{"id":${c},"name":"class-${c}","supercategory":"${DOMAINS[c % 6]}"}`);
    w.write(`],"annotations":[`);
    for (let a = 0; a < annotations; a++) {
      const img = a % numImages;
      const [width, height] = sizes[img]!;
      const bw = Math.round(rng.uniform(2, 40) * 100) / 100, bh = Math.round(rng.uniform(2, 40) * 100) / 100;
      const x = Math.round(rng.uniform(0, width - bw) * 100) / 100, y = Math.round(rng.uniform(0, height - bh) * 100) / 100;
      w.write(`${a ? "," : ""}{"id":${a + 1},"image_id":${img + 1},"category_id":${rng.intBetween(1, 40)},"bbox":[${x},${y},${bw},${bh}],"area":${Math.round(bw * bh * 100) / 100},"iscrowd":0}`);
    }
    w.write("]}\n");
    w.commit();
  } finally {
    w.abortIfOpen();
  }
}

/** Figures of one load. */
export interface LoadBenchResult {
  file: string;
  megabytes: number;
  annotations: number;
  images: number;
  seconds: number;
  megabytesPerSecond: number;
  /** CPU time of the load (user + system): on a shared machine, wall time also counts other processes. */
  cpuSeconds: number;
  megabytesPerCpuSecond: number;
  peakRssMiB: number;
}

function child(file: string): void {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const ds = readCocoSync(file);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const megabytes = fs.statSync(file).size / 1e6;
  const result: LoadBenchResult = {
    file: path.basename(file),
    megabytes: +megabytes.toFixed(1),
    annotations: ds.numAnnotations,
    images: ds.images.length,
    seconds: +seconds.toFixed(2),
    megabytesPerSecond: +(megabytes / seconds).toFixed(1),
    cpuSeconds: +cpuSeconds.toFixed(2),
    megabytesPerCpuSecond: +(megabytes / cpuSeconds).toFixed(1),
    peakRssMiB: +(process.resourceUsage().maxRSS / 1024).toFixed(0),
  };
  process.stdout.write(JSON.stringify(result) + "\n");
}

/** Generates (once) and loads the benchmark file; prints and returns the figures. */
export function run(options: { annotations?: number; seed?: number } = {}): LoadBenchResult {
  const annotations = options.annotations ?? 9_000_000;
  const seed = options.seed ?? 1;
  const file = cacheDir("bench", `coco-${annotations}-seed${seed}.json`);
  if (!fs.existsSync(file)) {
    const t0 = Date.now();
    generateBenchCoco(file, annotations, seed);
    console.log(`load: generated ${path.basename(file)} (${(fs.statSync(file).size / 1e6).toFixed(0)} MB) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  // A child process, so that the peak RSS is the load's alone.
  const r = spawnSync(process.execPath, [...process.execArgv, __filename, "--child", file], { encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`load benchmark child failed: ${r.stderr}`);
  const result = JSON.parse(r.stdout.trim().split("\n").pop()!) as LoadBenchResult;
  console.log(
    `load: ${result.annotations} annotations, ${result.images} images, ${result.megabytes} MB in ${result.seconds} s = ` +
      `${result.megabytesPerSecond} MB/s (target >= 100); CPU ${result.cpuSeconds} s = ${result.megabytesPerCpuSecond} MB/s; peak RSS ${result.peakRssMiB} MiB (target <= 4096)`,
  );
  return result;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const at = (flag: string): string | undefined => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  if (args[0] === "--child") child(args[1]!);
  else run({ annotations: at("--annotations") ? Number(at("--annotations")) : undefined, seed: at("--seed") ? Number(at("--seed")) : undefined });
}
