import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { caseValues, kernelCases } from "../../src/backend/check-cases.js";
import { checkKernels, initBackend, registeredKernels, registerTrainingKernels, tf } from "../../src/backend/index.js";
import { SIMD_ENV_VAR, simdFor } from "../../src/backend/kernels/simd.js";
import { SIMD_SOURCE_SHA256 } from "../../src/backend/simd/binary.js";
import { Random } from "../../src/util/random.js";

const TOL = 1e-4;

/** Runs `fn` on `backend` with tensors made from `values`; returns plain arrays (no tensors kept). */
async function on(backend: string, shapes: number[][], values: Array<Float32Array | Int32Array>, fn: (xs: tf.Tensor[]) => tf.Tensor[]) {
  await tf.setBackend(backend);
  const xs = values.map((v, i) => tf.tensor(v, shapes[i], v instanceof Int32Array ? "int32" : "float32"));
  const ys = tf.tidy(() => fn(xs));
  const out = ys.map((y) => ({ shape: y.shape, values: Array.from(y.dataSync()) }));
  tf.dispose([...xs, ...ys]);
  return out;
}

/** max |a - b| / max |b|: b is the reference. */
function relErr(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / Math.max(scale, 1e-12);
}

const randn = (rng: Random, n: number) => Float32Array.from({ length: n }, () => rng.normal());
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

beforeAll(async () => {
  const report = await initBackend({ backend: "wasm" });
  expect(report.backend).toBe("wasm");
});

describe("wasm kernels match the cpu backend (values and gradients)", () => {
  const cases = kernelCases("full");
  test("the grid covers every registered kernel", () => {
    const covered = new Set(cases.flatMap((c) => c.kernels));
    for (const k of registeredKernels()) expect(covered.has(k.kernelName), k.kernelName).toBe(true);
  });
  test.each(cases.map((c, i) => [c.name, c, i] as const))("%s", async (_name, c, i) => {
    const values = caseValues(c, 1000 + i);
    const shapes = c.inputs.map((inp) => inp.shape);
    const ref = await on("cpu", shapes, values, c.run);
    const got = await on("wasm", shapes, values, c.run);
    expect(got.length).toBe(ref.length);
    for (let k = 0; k < ref.length; k++) {
      expect(got[k].shape).toEqual(ref[k].shape);
      expect(relErr(got[k].values, ref[k].values)).toBeLessThan(TOL);
    }
  });
});

describe("dilated depthwise backprop kernels (tfjs's gradients never dilate; cpu's backprop kernels ignore dilation)", () => {
  // Reference by adjointness with cpu's *forward* dilated depthwise conv, which does honour dilation:
  // <dy, conv(x, f)> = <backpropFilter(x, dy), f> = <backpropInput(f, dy), x>, for random x, f and dy.
  const grid: Array<[number[], number[], number, "same" | "valid", number]> = [
    [[2, 11, 10, 3], [3, 3, 3, 1], 2, "same", 1],
    [[2, 11, 10, 3], [3, 3, 3, 2], 2, "valid", 2],
    [[1, 13, 12, 2], [3, 2, 2, 3], 3, "same", 3],
  ];
  test.each(grid)("x%s f%s dilation %s %s", async (xShape, fShape, d, pad, seed) => {
    const rng = new Random(seed);
    const xv = randn(rng, size(xShape));
    const fv = randn(rng, size(fShape));
    const [fwd] = await on("cpu", [xShape, fShape], [xv, fv], ([x, f]) => [
      tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, pad, "NHWC", d),
    ]);
    const dyv = randn(rng, fwd.values.length);
    const attrs = { strides: [1, 1], dilations: [d, d], pad };
    const [dF, dX] = await on("wasm", [xShape, fShape, fwd.shape], [xv, fv, dyv], ([x, f, dy]) => [
      tf.engine().runKernel("DepthwiseConv2dNativeBackpropFilter", { x, dy }, { ...attrs, filterShape: fShape } as never) as tf.Tensor,
      tf.engine().runKernel("DepthwiseConv2dNativeBackpropInput", { dy, filter: f }, { ...attrs, inputShape: xShape } as never) as tf.Tensor,
    ]);
    const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + v * b[i], 0);
    const lhs = dot(dyv, fwd.values);
    expect(Math.abs(dot(dF.values, fv) - lhs) / Math.abs(lhs)).toBeLessThan(TOL);
    expect(Math.abs(dot(dX.values, xv) - lhs) / Math.abs(lhs)).toBeLessThan(TOL);
    expect(dF.shape).toEqual(fShape);
    expect(dX.shape).toEqual(xShape);
  });
});

describe("registration", () => {
  test("is idempotent: a second call registers nothing and does not throw", () => {
    expect(registerTrainingKernels()).toEqual([]);
    expect(registeredKernels().map((k) => k.kernelName)).toEqual([
      "Conv2DBackpropFilter",
      "Conv2DBackpropInput",
      "DepthwiseConv2dNativeBackpropInput",
      "DepthwiseConv2dNativeBackpropFilter",
      "UnsortedSegmentSum",
      "Einsum",
      "BatchMatMul",
      "Slice",
      "SplitV",
      "Identity",
      "Sum",
      "Mean",
      "GatherV2",
      "Concat",
      "Transpose",
      "Conv2D",
      "FusedConv2D",
      "Add",
      "Sub",
      "Multiply",
      "RealDiv",
      "ResizeBilinearGrad",
      "ResizeNearestNeighborGrad",
      "MaxPool",
      "MaxPoolGrad",
      "DepthwiseConv2dNative",
      "FusedDepthwiseConv2D",
      "Maximum",
      "Minimum",
      "Pow",
      "Select",
      "Cast",
      "DealkitLayerNorm",
      "DealkitLayerNormGrad",
    ]);
  });

  test("checkKernels passes, and catches a kernel that is off by 0.1%", async () => {
    const good = await checkKernels();
    expect(good.passed).toBe(true);
    for (const r of good.results) {
      expect(r.cases).toBeGreaterThan(0);
      expect(r.maxRelError).toBeLessThan(TOL);
    }
    const ours = tf.getKernel("Conv2DBackpropFilter", "wasm")!;
    const mul = tf.getKernel("Multiply", "wasm")!;
    tf.unregisterKernel("Conv2DBackpropFilter", "wasm");
    const bad: tf.KernelConfig = {
      kernelName: "Conv2DBackpropFilter",
      backendName: "wasm",
      kernelFunc: (args) => {
        const out = ours.kernelFunc(args) as tf.TensorInfo;
        const backend = args.backend as tf.KernelBackend;
        const k = { dataId: backend.write(new Float32Array([1.001]), [], "float32"), shape: [], dtype: "float32" as const };
        const y = mul.kernelFunc({ inputs: { a: out, b: k }, backend, attrs: {} }) as tf.TensorInfo;
        backend.disposeData(out.dataId);
        backend.disposeData(k.dataId);
        return y;
      },
    };
    Object.defineProperty(bad, Symbol.for("dealkit.kernel"), { value: true });
    tf.registerKernel(bad);
    try {
      const report = await checkKernels();
      expect(report.passed).toBe(false);
      const r = report.results.find((x) => x.kernelName === "Conv2DBackpropFilter")!;
      expect(r.passed).toBe(false);
      expect(r.maxRelError).toBeGreaterThan(5e-4);
    } finally {
      tf.unregisterKernel("Conv2DBackpropFilter", "wasm");
      tf.registerKernel(ours);
    }
  });
});

describe("wasm memory", () => {
  test("per-item products, copies and shared-memory kernels do not grow the wasm heap", async () => {
    await tf.setBackend("wasm");
    const heapBytes = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
    const a = tf.randomNormal([8, 64, 32], 0, 1, "float32", 1);
    const b = tf.randomNormal([8, 32, 48], 0, 1, "float32", 2);
    const work = () =>
      tf.tidy(() => {
        const g = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(tf.matMul(p, q))))([a, b]);
        const parts = tf.split(tf.concat([a, a], 2), 4, 2);
        return tf.addN([tf.sum(g[0]), tf.sum(g[1]), ...parts.map((x) => tf.sum(tf.clone(x), [0, 1]).sum())]).dataSync();
      });
    for (let i = 0; i < 3; i++) work();
    const before = heapBytes();
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 30; i++) work();
    expect(heapBytes()).toBe(before);
    expect(tf.memory().numTensors).toBe(tensors);
    tf.dispose([a, b]);
  });
});

describe("training on wasm", () => {
  /** 4 conv layers (stride 2, 'same'; a depthwise one; an explicit-padding one), then a linear head. */
  function makeNet(rng: Random) {
    const v = (shape: number[], scale: number) => tf.variable(tf.tensor(randn(rng, size(shape)).map((x) => x * scale), shape));
    return {
      w1: v([3, 3, 3, 8], 0.3),
      w2: v([3, 3, 8, 1], 0.3),
      w3: v([3, 3, 8, 16], 0.2),
      w4: v([1, 1, 16, 8], 0.3),
      head: v([8, 1], 0.3),
    };
  }
  type Net = ReturnType<typeof makeNet>;
  function loss(net: Net, x: tf.Tensor4D, y: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => {
      let h = tf.relu(tf.conv2d(x, net.w1 as tf.Tensor4D, 2, "same"));
      h = tf.relu(tf.depthwiseConv2d(h, net.w2 as tf.Tensor4D, 1, "same"));
      h = tf.relu(tf.conv2d(h, net.w3 as tf.Tensor4D, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]));
      h = tf.relu(tf.conv2d(h, net.w4 as tf.Tensor4D, 1, "valid"));
      const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
      return tf.losses.meanSquaredError(y, tf.matMul(pooled, net.head as tf.Tensor2D)) as tf.Scalar;
    });
  }

  test("a small conv net's loss decreases, without leaking tensors", async () => {
    await tf.setBackend("wasm");
    const rng = new Random(7);
    const net = makeNet(rng);
    const x = tf.tensor4d(randn(rng, 8 * 32 * 32 * 3), [8, 32, 32, 3]);
    const y = tf.tensor2d(Float32Array.from({ length: 8 }, (_, i) => (i % 2 ? 1 : -1)), [8, 1]);
    const opt = tf.train.sgd(0.1);
    const losses: number[] = [];
    let afterFirst = -1;
    for (let step = 0; step < 8; step++) {
      const l = opt.minimize(() => loss(net, x, y), true) as tf.Scalar;
      losses.push(l.dataSync()[0]);
      l.dispose();
      if (step === 0) afterFirst = tf.memory().numTensors;
      // Plain SGD keeps no per-step state: nothing may accumulate from step to step.
      expect(tf.memory().numTensors).toBe(afterFirst);
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.9);
    opt.dispose();
    tf.dispose([x, y, ...Object.values(net)]);
  });

  test("a training step leaves tf.memory().numTensors unchanged", async () => {
    await tf.setBackend("wasm");
    const rng = new Random(8);
    const net = makeNet(rng);
    const x = tf.tensor4d(randn(rng, 2 * 16 * 16 * 3), [2, 16, 16, 3]);
    const y = tf.tensor2d([[1], [-1]]);
    const vars = Object.values(net);
    const step = () =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => loss(net, x, y), vars);
        for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name], 0.01)));
      });
    step(); // warm-up
    const before = tf.memory().numTensors;
    step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y, ...vars]);
  });
});

describe("dealkit's SIMD module", () => {
  test("is built from the C sources in the tree, and runs on the wasm backend", async () => {
    const dir = path.join(__dirname, "../../src/backend/simd");
    const h = crypto.createHash("sha256");
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".c") || f.endsWith(".h")).sort();
    expect(files.length).toBeGreaterThan(1);
    for (const f of files) h.update(f).update("\0").update(fs.readFileSync(path.join(dir, f))).update("\0");
    expect(h.digest("hex"), "binary.ts is stale: run node src/backend/simd/build.cjs").toBe(SIMD_SOURCE_SHA256);
    await tf.setBackend("wasm");
    expect(simdFor(tf.backend())).not.toBeNull();
    expect(simdFor(tf.findBackend("cpu"))).toBeNull();
  });

  test("with DEALKIT_WASM_SIMD=off the portable paths match the cpu backend too (the whole grid but MaxPoolGrad)", async () => {
    // Except MaxPoolGrad: without dealkit's kernel wasm's own runs, which disagrees with the cpu backend
    // (tfjs 4.22; dealkit's SIMD kernel agrees with cpu, checked above).
    const cases = kernelCases("full").filter((c) => !c.kernels.includes("MaxPoolGrad"));
    process.env[SIMD_ENV_VAR] = "off";
    try {
      for (const [i, c] of cases.entries()) {
        const values = caseValues(c, 2000 + i);
        const shapes = c.inputs.map((inp) => inp.shape);
        const ref = await on("cpu", shapes, values, c.run);
        const got = await on("wasm", shapes, values, c.run);
        for (let k = 0; k < ref.length; k++) expect(relErr(got[k].values, ref[k].values), c.name).toBeLessThan(TOL);
      }
    } finally {
      delete process.env[SIMD_ENV_VAR];
    }
  });
});

describe("resize gradients on wasm are the transposes of the cpu forward resizes (half-pixel centres too)", () => {
  // tfjs 4.22's own gradient kernels ignore halfPixelCenters; the reference here is adjointness with the
  // cpu backend's forward kernels: <dy, resize(x)> = <grad(dy), x> for random x and dy.
  const grid: Array<["bilinear" | "nearest", number[], [number, number], boolean, boolean]> = [];
  for (const kind of ["bilinear", "nearest"] as const) {
    for (const [x, size] of [[[2, 6, 5, 4], [12, 10]], [[1, 7, 9, 3], [10, 4]], [[1, 4, 4, 8], [3, 3]]] as Array<[number[], [number, number]]>) {
      for (const [align, half] of [[false, false], [true, false], [false, true]]) grid.push([kind, x, size, align, half]);
    }
  }
  test.each(grid)("%s x%s -> %s alignCorners %s halfPixelCenters %s", async (kind, xShape, outSize, alignCorners, halfPixelCenters) => {
    const rng = new Random(xShape[1]! * 31 + outSize[0]);
    const xv = randn(rng, size(xShape));
    const resize = ([x]: tf.Tensor[]) => [
      kind === "bilinear"
        ? tf.image.resizeBilinear(x as tf.Tensor4D, outSize, alignCorners, halfPixelCenters)
        : tf.image.resizeNearestNeighbor(x as tf.Tensor4D, outSize, alignCorners, halfPixelCenters),
    ];
    const [fwd] = await on("cpu", [xShape], [xv], resize);
    const dyv = randn(rng, fwd.values.length);
    const kernel = kind === "bilinear" ? "ResizeBilinearGrad" : "ResizeNearestNeighborGrad";
    const [dx] = await on("wasm", [xShape, fwd.shape], [xv, dyv], ([x, dy]) => [
      tf.engine().runKernel(kernel, { images: x, dy }, { alignCorners, halfPixelCenters } as never) as tf.Tensor,
    ]);
    const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + v * b[i], 0);
    const lhs = dot(dyv, fwd.values);
    expect(dx.shape).toEqual(xShape);
    expect(Math.abs(dot(dx.values, xv) - lhs) / Math.abs(lhs)).toBeLessThan(TOL);
  });
});
