/**
 * Where a wasm training step spends its time, kernel by kernel: every kernel registered for the wasm
 * backend is wrapped by a timer (self time: time spent in kernels it calls, e.g. inside dealkit's composed
 * kernels, is charged to those), then training steps run and the kernels are listed by total self time.
 * Workloads: "bench" (the 4-conv net of bench/train-step.ts), "deal" (one optimizeStep of DEAL-tiny,
 * 256x256, AdamW at lr 0 so every step is the same work, on a fixed batch of synthetic scenes) and "v2"
 * (the DEAL-v2-like conv net of bench/convnet.ts, batch 4 of 256x256, SGD at lr 0; not part of "both").
 *
 *     npx tsx bench/profile-train.ts [--model deal|bench|both|v2] [--steps N] [--batch N] [--top N] [--no-kernels] [--detail K1,K2]
 *
 * `--detail BatchMatMul,Conv2D` also lists those kernels per input shapes and attributes.
 * Prints median ms per step (CPU time of this process and wall time), then the kernel table of the timed
 * steps (wrapped run; the wrapper itself costs little). Not a test.
 */
import { initBackend, tf } from "../src/backend/index.js";
import { generateImage } from "../src/data/synth/index.js";
import { createDeal } from "../src/model/deal.js";
import { DEFAULT_LOSS_WEIGHTS } from "../src/model/index.js";
import { makeGroundTruth } from "../src/structures/index.js";
import { drawBatch } from "../src/train/batch.js";
import { AdamW } from "../src/train/optimizer.js";
import { arraySource, type TrainExample } from "../src/train/source.js";
import { optimizeStep } from "../src/train/step.js";
import { Random } from "../src/util/random.js";
import { buildConvNet, CONVNET_LABEL } from "./convnet.js";

interface KernelStat {
  calls: number;
  selfMs: number;
}

/** Wraps every wasm kernel with a self-time counter; returns the stats and an `unwrap` that restores them. */
export function wrapKernels(backendName = "wasm", detail: readonly string[] = []): { stats: Map<string, KernelStat>; unwrap: () => void } {
  const stats = new Map<string, KernelStat>();
  const originals = tf.getKernelsForBackend(backendName);
  const stack: number[] = []; // time spent in callees, per active frame
  for (const k of originals) {
    const inner = k.kernelFunc;
    const wrapped: tf.KernelConfig = {
      ...k,
      kernelFunc: (args) => {
        stack.push(0);
        const c0 = process.cpuUsage();
        try {
          return inner(args);
        } finally {
          const c = process.cpuUsage(c0);
          const total = (c.user + c.system) / 1000;
          const callees = stack.pop()!;
          if (stack.length > 0) stack[stack.length - 1] += total;
          const keys = [k.kernelName];
          if (detail.includes(k.kernelName)) keys.push(`  ${k.kernelName} ${describe(args)}`);
          for (const key of keys) {
            const s = stats.get(key) ?? { calls: 0, selfMs: 0 };
            s.calls++;
            s.selfMs += total - callees;
            stats.set(key, s);
          }
        }
      },
    };
    for (const sym of Object.getOwnPropertySymbols(k)) {
      Object.defineProperty(wrapped, sym, { value: (k as unknown as Record<symbol, unknown>)[sym] });
    }
    tf.unregisterKernel(k.kernelName, backendName);
    tf.registerKernel(wrapped);
  }
  const unwrap = () => {
    for (const k of originals) {
      tf.unregisterKernel(k.kernelName, backendName);
      tf.registerKernel(k);
    }
  };
  return { stats, unwrap };
}

/** Input shapes and the attributes that change the work, e.g. `a[4,64,32] b[4,32,64] tA` for BatchMatMul. */
function describe(args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): string {
  const shapes = Object.entries(args.inputs).map(([n, t]) => `${n}[${t?.shape.join(",")}]`);
  const a = (args.attrs ?? {}) as Record<string, unknown>;
  const flags = Object.entries(a)
    .filter(([, v]) => v !== undefined && v !== null && typeof v !== "object" ? v !== false : v != null)
    .map(([n, v]) => (v === true ? n : `${n}=${JSON.stringify(v)}`));
  return [...shapes, ...flags].join(" ");
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** A repeatable training step and its cleanup. */
interface Workload {
  name: string;
  step: () => void;
  dispose: () => void;
}

function benchNet(): Workload {
  const layers: Array<[number, number, number]> = [[3, 16, 2], [16, 32, 2], [32, 64, 2], [64, 64, 1]];
  const rng = new Random(0);
  const randn = (shape: number[], scale: number) =>
    tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * scale), shape);
  const weights = layers.map(([ci, co]) => tf.variable(randn([3, 3, ci, co], Math.sqrt(2 / (9 * ci)))));
  const biases = layers.map(([, co]) => tf.variable(tf.zeros([co])));
  const x = randn([8, 128, 128, 3], 1) as tf.Tensor4D;
  const opt = tf.train.sgd(0.01);
  return {
    name: "bench net (4 conv layers, batch 8, 128x128x3, SGD)",
    step: () => {
      const cost = opt.minimize(() => {
        let h: tf.Tensor4D = x;
        layers.forEach(([, , stride], i) => {
          h = tf.relu(tf.add(tf.conv2d(h, weights[i] as tf.Tensor4D, stride, "same"), biases[i]!)) as tf.Tensor4D;
        });
        return tf.mean(tf.square(h)) as tf.Scalar;
      }, true);
      cost!.dataSync();
      cost!.dispose();
    },
    dispose: () => {
      opt.dispose();
      tf.dispose([x, ...weights, ...biases]);
    },
  };
}

/** The DEAL-v2-like conv net of bench/convnet.ts, one SGD step (lr 0: every step is the same work). */
function convNetV2(): Workload {
  const net = buildConvNet(0);
  const opt = tf.train.sgd(0);
  return {
    name: `${CONVNET_LABEL}, SGD`,
    step: () => {
      const cost = opt.minimize(net.loss, true, net.variables);
      cost!.dataSync();
      cost!.dispose();
    },
    dispose: () => {
      opt.dispose();
      net.dispose();
    },
  };
}

function dealTiny(batchSize: number): Workload {
  const model = createDeal({ preset: "tiny" }, 0);
  const examples: TrainExample[] = [];
  for (let i = 0; i < batchSize; i++) {
    const scene = generateImage("remote-sensing", new Random(100 + i), { width: model.config.inputSize, density: "medium" });
    const kept = scene.annotations.filter((a) => !a.ignore);
    examples.push({ image: scene.image, groundTruth: makeGroundTruth(i + 1, kept) });
  }
  const rng = new Random(1);
  const batch = drawBatch(arraySource(examples), model.config.inputSize, batchSize, rng, true);
  const weights = { ...DEFAULT_LOSS_WEIGHTS };
  const optimizer = new AdamW(model.params.entries());
  let n = 0;
  return {
    name: `DEAL-tiny optimizeStep (batch ${batchSize}, ${model.config.inputSize}x${model.config.inputSize}, AdamW lr 0)`,
    step: () => {
      // A fresh copy of the prompts each step: PG-CPP adds clicks to the batch it is given.
      const b = { ...batch, samples: batch.samples.map((x) => ({ ...x, prompts: x.prompts.map((p) => ({ ...p, clicks: [...p.clicks], clickObjects: [...p.clickObjects] })) })) };
      optimizeStep(model, optimizer, () => model.trainingLoss(b, weights), 0, 1, n++);
    },
    dispose: () => {
      optimizer.dispose();
      batch.images.dispose();
      model.dispose();
    },
  };
}

function timeSteps(w: Workload, steps: number): { cpuMs: number; wallMs: number } {
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    w.step();
    const c = process.cpuUsage(c0);
    wall.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { cpuMs: median(cpu), wallMs: median(wall) };
}

/** Profiles the chosen workloads on wasm and prints the figures. */
export async function run(options: { model?: string; steps?: number; batch?: number; top?: number; kernels?: boolean; detail?: string[] } = {}): Promise<void> {
  const which = options.model ?? "both";
  const steps = options.steps ?? 5;
  const top = options.top ?? 25;
  await initBackend({ backend: "wasm" });
  const makers: Array<() => Workload> = [];
  if (which === "bench" || which === "both") makers.push(benchNet);
  if (which === "deal" || which === "both") makers.push(() => dealTiny(options.batch ?? 4));
  if (which === "v2") makers.push(convNetV2);
  for (const make of makers) {
    const w = make();
    try {
      w.step(); // warm-up
      const before = tf.memory().numTensors;
      const t = timeSteps(w, steps);
      console.log(`${w.name}: ${t.cpuMs.toFixed(1)} ms CPU, ${t.wallMs.toFixed(1)} ms wall per step (median of ${steps})`);
      if (tf.memory().numTensors !== before) console.log(`  WARNING: ${tf.memory().numTensors - before} tensors leaked`);
      if (options.kernels === false) continue;
      const { stats, unwrap } = wrapKernels("wasm", options.detail ?? []);
      let totalWall = 0;
      try {
        for (let i = 0; i < steps; i++) {
          const t0 = performance.now();
          w.step();
          totalWall += performance.now() - t0;
        }
      } finally {
        unwrap();
      }
      const rows = [...stats.entries()].sort((a, b) => b[1].selfMs - a[1].selfMs);
      const inKernels = rows.filter(([n]) => !n.startsWith(" ")).reduce((s, [, r]) => s + r.selfMs, 0);
      console.log(`  kernels (self CPU time, ms per step; ${(inKernels / steps).toFixed(1)} ms in kernels, ${(totalWall / steps).toFixed(1)} ms wall per step):`);
      for (const [name, r] of rows.slice(0, top)) {
        console.log(`    ${name.padEnd(36)} ${(r.selfMs / steps).toFixed(2).padStart(8)} ms  ${(r.calls / steps).toFixed(0).padStart(5)} calls  ${((100 * r.selfMs) / inKernels).toFixed(1).padStart(5)}%`);
      }
    } finally {
      w.dispose();
    }
  }
}

if (require.main === module) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const num = (name: string) => (arg(name) === undefined ? undefined : Number(arg(name)));
  run({ model: arg("model"), steps: num("steps"), batch: num("batch"), top: num("top"), kernels: !process.argv.includes("--no-kernels"), detail: arg("detail")?.split(",") }).catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
