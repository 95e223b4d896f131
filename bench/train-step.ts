/**
 * Training-step benchmark, two nets, each on the wasm backend (with dealkit's kernels) and, when Debian's
 * python3-torch is importable, in PyTorch on 1 CPU thread, measured in the same run:
 * - the probe net: one SGD step of 4 conv layers (3x3, bias + ReLU, strides 2-2-2-1, 'same' padding; batch 8
 *   of 128x128x3; loss mean(y^2)); also on the pure-JS cpu backend;
 * - the v2-like conv net of bench/convnet.ts (batch 4 of 256x256; its twin is bench/torch_convnet.py).
 * Prints ms/step and the ratios wasm / PyTorch.
 *
 *     npx tsx bench/train-step.ts [--steps N] [--cpu-steps N (0 skips the cpu backend)] [--v2-steps N]
 *
 * Not a test: the figures go in the issue notes. PYTHON names the Python with torch (default: Debian's).
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { initBackend, tf } from "../src/backend/index.js";
import { Random } from "../src/util/random.js";
import { buildConvNet, CONVNET_LABEL } from "./convnet.js";

/** Layers as [inChannels, outChannels, stride]. */
const LAYERS: Array<[number, number, number]> = [
  [3, 16, 2],
  [16, 32, 2],
  [32, 64, 2],
  [64, 64, 1],
];
const BATCH = 8;
const SIZE = 128;

/** Per-step times: wall clock, and CPU time of this process (robust when other jobs share the cores). */
export interface StepTime {
  wallMs: number;
  cpuMs: number;
}

export interface TrainStepBenchResult {
  wasm: StepTime;
  /** The pure-JS cpu backend (absent with --cpu-steps 0). */
  cpu?: StepTime;
  /** cpu / wasm, on CPU time. */
  wasmVsCpu?: number;
  torch?: StepTime & { threads: number; version: string; wasmVsTorch: number };
  torchSkipped?: string;
  /** The v2-like conv net (bench/convnet.ts). */
  v2: { wasm: StepTime; torch?: StepTime & { wasmVsTorch: number }; torchSkipped?: string };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Time per step on `backend`: optionally one warm-up step, then the median of `steps` timed ones. */
async function timeSteps(backend: string, steps: number, warmup: boolean): Promise<StepTime> {
  await initBackend({ backend: backend as "wasm" | "cpu" });
  const rng = new Random(0);
  const randn = (shape: number[], scale: number) =>
    tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * scale), shape);
  const weights = LAYERS.map(([ci, co]) => tf.variable(randn([3, 3, ci, co], Math.sqrt(2 / (9 * ci)))));
  const biases = LAYERS.map(([, co]) => tf.variable(tf.zeros([co])));
  const x = randn([BATCH, SIZE, SIZE, 3], 1) as tf.Tensor4D;
  const opt = tf.train.sgd(0.01);
  const step = () => {
    const cost = opt.minimize(() => {
      let h: tf.Tensor4D = x;
      LAYERS.forEach(([, , stride], i) => {
        h = tf.relu(tf.add(tf.conv2d(h, weights[i] as tf.Tensor4D, stride, "same"), biases[i])) as tf.Tensor4D;
      });
      return tf.mean(tf.square(h)) as tf.Scalar;
    }, true);
    cost!.dataSync();
    cost!.dispose();
  };
  if (warmup) step();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    step();
    const c = process.cpuUsage(c0);
    wall.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
  }
  opt.dispose();
  tf.dispose([x, ...weights, ...biases]);
  return { wallMs: median(wall), cpuMs: median(cpu) };
}

/** The v2-like conv net's SGD step on wasm: one warm-up step, then the median of `steps`. */
async function timeConvNet(steps: number): Promise<StepTime> {
  await initBackend({ backend: "wasm" });
  const net = buildConvNet(0);
  const opt = tf.train.sgd(0); // lr 0, as in the twin: every step is the same work
  const step = () => {
    const cost = opt.minimize(net.loss, true, net.variables);
    cost!.dataSync();
    cost!.dispose();
  };
  step();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    step();
    const c = process.cpuUsage(c0);
    wall.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
  }
  opt.dispose();
  net.dispose();
  return { wallMs: median(wall), cpuMs: median(cpu) };
}

function torchStep(steps: number, scriptName = "torch_train_step.py"): (StepTime & { threads: number; version: string }) | string {
  const python = process.env.PYTHON ?? "/usr/bin/python3";
  const script = path.join(__dirname, scriptName);
  const r = spawnSync(python, [script, "--steps", String(steps), "--threads", "1"], { encoding: "utf8", timeout: 1_800_000 });
  if (r.error) return `${python} not runnable (${r.error.message})`;
  if (r.status !== 0) {
    const last = (r.stderr || "").trim().split("\n").pop() ?? "";
    return last.includes("No module named 'torch'") ? `torch is not importable by ${python}` : `torch bench failed: ${last}`;
  }
  const j = JSON.parse(r.stdout.trim().split("\n").pop() as string);
  return { wallMs: j.ms_per_step, cpuMs: j.cpu_ms_per_step, threads: j.threads, version: j.torch };
}

/** Runs the benchmark and prints its figures; returns them too. */
export async function run(options: { steps?: number; cpuSteps?: number; v2Steps?: number } = {}): Promise<TrainStepBenchResult> {
  const steps = options.steps ?? 5;
  const cpuSteps = options.cpuSteps ?? 1;
  const v2Steps = options.v2Steps ?? 3;
  const shape = `${LAYERS.length} conv layers (${LAYERS.map(([ci, co, s]) => `${ci}->${co}/s${s}`).join(", ")}), batch ${BATCH} of ${SIZE}x${SIZE}x3, SGD`;
  console.log(`train step: ${shape}`);
  const fmt = (t: StepTime) => `${t.cpuMs.toFixed(1)} ms CPU, ${t.wallMs.toFixed(1)} ms wall`;
  const wasm = await timeSteps("wasm", steps, true);
  console.log(`  wasm (dealkit kernels, 1 thread): ${fmt(wasm)} per step (median of ${steps})`);
  const result: TrainStepBenchResult = { wasm, v2: { wasm: { wallMs: 0, cpuMs: 0 } } };
  if (cpuSteps > 0) {
    // The cpu backend is ~100x slower: no warm-up, `cpuSteps` timed steps.
    const cpu = await timeSteps("cpu", cpuSteps, false);
    console.log(`  cpu (pure JS):                    ${fmt(cpu)} per step (${cpuSteps} step${cpuSteps > 1 ? "s" : ""})`);
    result.cpu = cpu;
    result.wasmVsCpu = cpu.cpuMs / wasm.cpuMs;
    console.log(`  ratio cpu / wasm: ${result.wasmVsCpu.toFixed(1)}x (CPU time; wall: ${(cpu.wallMs / wasm.wallMs).toFixed(1)}x)`);
  } else {
    console.log("  cpu (pure JS): skipped (--cpu-steps 0)");
  }
  const torch = torchStep(steps);
  if (typeof torch === "string") {
    result.torchSkipped = torch;
    console.log(`  PyTorch CPU: skipped (${torch})`);
  } else {
    result.torch = { ...torch, wasmVsTorch: wasm.cpuMs / torch.cpuMs };
    console.log(`  PyTorch ${torch.version} CPU (${torch.threads} thread): ${fmt(torch)} per step (median of ${steps})`);
    console.log(
      `  ratio wasm / PyTorch: ${result.torch.wasmVsTorch.toFixed(2)}x (CPU time; wall: ${(wasm.wallMs / torch.wallMs).toFixed(2)}x)`,
    );
  }
  console.log(`train step: ${CONVNET_LABEL}, SGD`);
  const v2 = await timeConvNet(v2Steps);
  result.v2.wasm = v2;
  console.log(`  wasm (dealkit kernels, 1 thread): ${fmt(v2)} per step (median of ${v2Steps})`);
  const v2Torch = torchStep(v2Steps, "torch_convnet.py");
  if (typeof v2Torch === "string") {
    result.v2.torchSkipped = v2Torch;
    console.log(`  PyTorch CPU: skipped (${v2Torch})`);
  } else {
    result.v2.torch = { ...v2Torch, wasmVsTorch: v2.cpuMs / v2Torch.cpuMs };
    console.log(`  PyTorch ${v2Torch.version} CPU (${v2Torch.threads} thread): ${fmt(v2Torch)} per step (median of ${v2Steps})`);
    console.log(`  ratio wasm / PyTorch: ${result.v2.torch.wasmVsTorch.toFixed(2)}x (CPU time; wall: ${(v2.wallMs / v2Torch.wallMs).toFixed(2)}x)`);
  }
  console.log("summary (ms per step, CPU time, 1 thread):");
  const row = (name: string, w: StepTime, t?: StepTime) =>
    console.log(`  ${name.padEnd(12)} wasm ${w.cpuMs.toFixed(1).padStart(7)}   PyTorch ${t ? t.cpuMs.toFixed(1).padStart(7) : "    n/a"}   ratio ${t ? (w.cpuMs / t.cpuMs).toFixed(2) + "x" : "n/a"}`);
  row("probe net", wasm, result.torch);
  row("v2-like net", v2, result.v2.torch);
  await initBackend({ backend: "wasm" });
  return result;
}

if (require.main === module) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  run({ steps: arg("steps"), cpuSteps: arg("cpu-steps"), v2Steps: arg("v2-steps") }).catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
