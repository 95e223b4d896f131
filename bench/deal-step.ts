/**
 * DEAL-tiny training throughput against PyTorch, in one run (issue 12):
 * - dealkit (wasm backend with dealkit's kernels): trainDetector steps (batch drawing + loss + backward + AdamW)
 *   of DEAL-tiny at batch 4, 192 px crops, PG-CPP with 1 cycle, from the shipped deal-tiny weights, on generated
 *   remote-sensing scenes; with 1 worker and with N data-parallel workers (default: the machine's cores);
 * - PyTorch: the twin (bench/torch_deal.py bench: same layers, weights, batch and crops) on 1 and N threads;
 * - the forward agreement of the twin (bench/deal-twin.ts: max |dealkit - torch| over every output);
 * - inference: images/s of `detect` (one click per category) on generated 512 px scenes, and the sliced
 *   4000x4000 scene of bench/detect.ts (detectSliced, one click per category);
 * - the machine's own ceiling for N threads: how much slower a compute-bound loop and a memory-streaming loop
 *   (32 MB per thread) run when N run at once than alone. Work bound by memory bandwidth cannot speed up with
 *   more threads where the streaming loop's slowdown is about N.
 *
 *     npx tsx bench/run.ts deal-step [--json]
 *     npx tsx bench/deal-step.ts [--steps 5] [--workers N] [--json] [--no-infer]
 *
 * With --json the last line is {"dealkitMsPerStep", "torchMsPerStep", "ratio", "workers", "speedupVsOneWorker",
 * "forwardMaxAbsDiff", "machine": {"computeSlowdown", "streamSlowdown"}} (N workers vs N torch threads; ms of wall time, the median of the timed steps after one
 * warm-up step). Wall-clock figures mean something only on an otherwise idle machine.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { initBackend } from "../src/backend/init.js";
import { generateImage } from "../src/data/synth/index.js";
import { concurrencyOf, DetectorWorkers, mapLimited } from "../src/infer/parallel/workers.js";
import { detectSliced } from "../src/infer/sliced.js";
import type { DealModel } from "../src/model/deal.js";
import type { Click } from "../src/structures/index.js";
import { makeGroundTruth } from "../src/structures/ground-truth.js";
import { loadCheckpoint } from "../src/train/checkpoint.js";
import { trainDetector } from "../src/train/loop.js";
import { defaultWorkerCount } from "../src/train/parallel/index.js";
import { arraySource, type TrainSource } from "../src/train/source.js";
import { Random } from "../src/util/random.js";
import { compareWithTorch, torchUnavailable } from "./deal-twin.js";

const MODEL_DIR = path.join(__dirname, "..", "datasets", "models", "deal-tiny");
const BATCH = 4;

const argv = process.argv;
const flag = (name: string) => argv.includes(`--${name}`);
const num = (name: string, def: number) => {
  const i = argv.indexOf(`--${name}`);
  return i > 0 ? Number(argv[i + 1]) : def;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Generated remote-sensing scenes as a training source (TinySet-mini's generator, no cache needed). */
function sceneSource(n: number, size: number): TrainSource {
  const rng = new Random(3);
  return arraySource(Array.from({ length: n }, (_, i) => {
    const s = generateImage("remote-sensing", rng, { width: size, density: "medium" });
    return { image: s.image, groundTruth: makeGroundTruth(i + 1, s.annotations.map((a) => ({ bboxXywh: a.bboxXywh, categoryId: a.categoryId }))) };
  }));
}

/** Median wall ms per dealkit training step (one warm-up step, then `steps`). */
async function dealkitStep(source: TrainSource, workers: number, steps: number): Promise<number> {
  const model = loadCheckpoint(MODEL_DIR).model as DealModel;
  const times: number[] = [];
  let last = performance.now();
  try {
    await trainDetector(model, source, {
      steps: steps + 1, batchSize: BATCH, seed: 0, lr: 1e-4, workers,
      onProgress: () => {
        const now = performance.now();
        times.push(now - last);
        last = now;
      },
    });
  } finally {
    model.dispose();
  }
  return median(times.slice(1));
}

function torchStep(threads: number, steps: number): number | string {
  const python = process.env.PYTHON ?? "/usr/bin/python3";
  const r = spawnSync(python, [path.join(__dirname, "torch_deal.py"), "bench", "--checkpoint", MODEL_DIR, "--steps", String(steps), "--threads", String(threads)], { encoding: "utf8", timeout: 3_600_000 });
  if (r.error || r.status !== 0) return `torch bench failed: ${r.error?.message ?? (r.stderr || "").trim().split("\n").pop()}`;
  return (JSON.parse(r.stdout.trim().split("\n").pop()!) as { ms_per_step: number }).ms_per_step;
}

/** Runs the bench and prints its figures (and, with --json, one JSON line last). */
/** A worker thread's loop (eval'd): "compute" (registers only) or "stream" (read-modify-write over 32 MB). */
const PROBE = `
const { parentPort, workerData } = require("node:worker_threads");
const t = performance.now();
if (workerData.kind === "compute") {
  let x = 1.0001, s = 0;
  for (let i = 0; i < 3e8; i++) { s += x * x; x = x * 1.0000001 + 1e-9; }
  parentPort.postMessage([performance.now() - t, s]);
} else {
  const a = new Float32Array(8 << 20);
  for (let r = 0; r < 10; r++) for (let i = 0; i < a.length; i++) a[i] = a[i] * 0.5 + 1;
  parentPort.postMessage([performance.now() - t, a[5]]);
}`;

/** How much slower each of `n` probe threads runs when all run at once than one alone (the slowest of the n). */
async function machineScaling(n: number): Promise<{ computeSlowdown: number; streamSlowdown: number }> {
  const { Worker } = await import("node:worker_threads");
  const probe = (kind: string) => new Promise<number>((resolve, reject) => {
    const w = new Worker(PROBE, { eval: true, workerData: { kind } });
    w.once("message", (m: [number, number]) => resolve(m[0]));
    w.once("error", reject);
  });
  const slowdown = async (kind: string) => {
    const alone = Math.min(await probe(kind), await probe(kind));
    const together = Math.max(...(await Promise.all(Array.from({ length: n }, () => probe(kind)))));
    return together / alone;
  };
  return { computeSlowdown: await slowdown("compute"), streamSlowdown: await slowdown("stream") };
}

export async function run(): Promise<Record<string, unknown>> {
  const steps = num("steps", 5);
  const workers = num("workers", defaultWorkerCount());
  const json = flag("json");
  const report = await initBackend({ backend: "wasm" });
  console.log(`deal-step: DEAL-tiny (${path.basename(MODEL_DIR)} weights), batch ${BATCH} of 192 px crops, PG-CPP 1 cycle, AdamW; ${report.backend}; median of ${steps} steps after 1 warm-up`);
  const source = sceneSource(16, 384);
  const one = await dealkitStep(source, 1, steps);
  console.log(`  dealkit, 1 worker:  ${one.toFixed(0)} ms/step`);
  const many = workers > 1 ? await dealkitStep(source, workers, steps) : one;
  if (workers > 1) console.log(`  dealkit, ${workers} workers: ${many.toFixed(0)} ms/step (${(one / many).toFixed(2)}x vs 1 worker)`);
  const missing = torchUnavailable();
  let torch1: number | string = missing ?? "", torchN: number | string = missing ?? "";
  let forward: number | null = null;
  if (!missing) {
    torch1 = torchStep(1, steps);
    torchN = workers > 1 ? torchStep(workers, steps) : torch1;
    const cmp = await compareWithTorch(MODEL_DIR);
    forward = cmp.maxAbsDiff;
    const worst = Object.entries(cmp.perOutput).sort((a, b) => b[1] - a[1])[0]!;
    console.log(`  forward agreement with the PyTorch twin (torch ${cmp.torch}): max |diff| ${forward.toExponential(2)} over ${Object.keys(cmp.perOutput).length} outputs (worst: ${worst[0]})`);
  }
  const show = (t: number | string, n: number, d: number) => (typeof t === "string" ? `skipped (${t})` : `${t.toFixed(0)} ms/step; dealkit / PyTorch ${(d / t).toFixed(2)}x`);
  console.log(`  PyTorch, 1 thread:  ${show(torch1, 1, one)}`);
  if (workers > 1) console.log(`  PyTorch, ${workers} threads: ${show(torchN, workers, many)}`);
  if (!flag("no-infer")) await inference(workers);
  const machine = workers > 1 ? await machineScaling(workers) : null;
  if (machine) {
    console.log(`  this machine, ${workers} threads at once vs 1 alone: a compute-bound loop ${machine.computeSlowdown.toFixed(2)}x slower, a memory-streaming loop ${machine.streamSlowdown.toFixed(2)}x slower`);
  }
  const out = {
    dealkitMsPerStep: many, torchMsPerStep: typeof torchN === "number" ? torchN : null, ratio: typeof torchN === "number" ? many / torchN : null,
    workers, speedupVsOneWorker: one / many, forwardMaxAbsDiff: forward, machine,
  };
  if (json) console.log(JSON.stringify(out));
  return out;
}

/** Images/s of detect on generated 512 px scenes, and the sliced 4000x4000 scene: on this thread, then on `workers` DetectorWorkers. */
async function inference(workers: number): Promise<void> {
  const model = loadCheckpoint(MODEL_DIR).model;
  const pool = workers > 1 ? await DetectorWorkers.start(model, workers) : null;
  try {
    const rng = new Random(21);
    const scenes = Array.from({ length: 8 }, () => generateImage("remote-sensing", rng, { width: 512, density: "medium" }));
    const clicksOf = (anns: { bboxXywh: number[]; categoryId: number }[]): Click[] =>
      [...new Set(anns.map((a) => a.categoryId))].map((c) => {
        const b = anns.find((a) => a.categoryId === c)!.bboxXywh;
        return { x: b[0]! + b[2]! / 2, y: b[1]! + b[3]! / 2, categoryId: c };
      });
    const big = generateImage("remote-sensing", new Random(12), { width: 4000, density: "medium" });
    let serial: Float32Array | null = null;
    for (const [name, det] of [["1 thread", model], [`${workers} workers`, pool]] as const) {
      if (!det) continue;
      await det.detect(scenes[0]!.image, clicksOf(scenes[0]!.annotations));
      const t0 = performance.now();
      await mapLimited(scenes, concurrencyOf(det), (s) => det.detect(s.image, clicksOf(s.annotations)));
      const ips = scenes.length / ((performance.now() - t0) / 1000);
      console.log(`  predict, ${name}: ${ips.toFixed(2)} images/s (detect, 512x512 scenes, one click per category, ${scenes.length} images)`);
      const res = await detectSliced(det, big.image, clicksOf(big.annotations), { scoreThreshold: 0.3 });
      const same = serial ? (serial.length === res.detections.boxesXyxy.length && serial.every((v, i) => v === res.detections.boxesXyxy[i]) ? "identical to 1 thread" : "DIFFERENT from 1 thread") : "";
      serial ??= res.detections.boxesXyxy;
      console.log(`  sliced 4000x4000, ${name}: ${(res.stats.timeMs / 1000).toFixed(1)} s (${res.stats.slices} slices of ${res.stats.sliceSize} px, ${res.stats.finalDetections} boxes) ${same}`);
    }
  } finally {
    pool?.dispose();
    model.dispose();
  }
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
