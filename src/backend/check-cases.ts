import { Random } from "../util/random.js";
import { opCases } from "./check-cases-ops.js";
import { LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL, layerNorm } from "./kernels/layer-norm.js";
import { tf } from "./tf.js";

/** One input of a check case: random normal floats, or ints in [lo, hi). */
export type CaseInput = { shape: number[]; ints?: [number, number] };

/**
 * A computation that exercises a kernel: its outputs (values, and gradients through the kernel) are
 * compared between the backend under test and the cpu backend, on the same seeded inputs.
 */
export interface KernelCase {
  /** The dealkit kernels it runs through. */
  kernels: string[];
  name: string;
  inputs: CaseInput[];
  run: (xs: tf.Tensor[]) => tf.Tensor[];
}

type Pad = "same" | "valid" | [[number, number], [number, number], [number, number], [number, number]];
type S2 = number | [number, number];

/** Input values for a case, the same on every backend. */
export function caseValues(c: KernelCase, seed: number): Array<Float32Array | Int32Array> {
  const rng = new Random(seed);
  return c.inputs.map(({ shape, ints }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    if (ints) return Int32Array.from({ length: n }, () => rng.intBetween(ints[0], ints[1] - 1));
    return Float32Array.from({ length: n }, () => rng.normal());
  });
}

const pads: Pad[] = ["same", "valid", [[0, 0], [1, 2], [0, 1], [0, 0]]];

/** The weighted-sum loss makes every output element's gradient different (a plain sum would not). */
function weightedSum(y: tf.Tensor, w: tf.Tensor): tf.Scalar {
  return tf.sum(tf.mul(y, w));
}

/** Output shape of a convolution, by tfjs's own rules (no backend needed). */
function convOut(x: number[], f: number[], strides: S2, pad: Pad, dilations: number, depthwise: boolean): number[] {
  const t4 = (a: number[]) => a as [number, number, number, number];
  return tf.backend_util.computeConv2DInfo(t4(x), t4(f), strides, dilations, pad, undefined, depthwise).outShape;
}

function convCase(x: number[], f: number[], strides: S2, pad: Pad, tag: string): KernelCase {
  const yShape = convOut(x, f, strides, pad, 1, false);
  return {
    kernels: ["Conv2DBackpropFilter", "Conv2DBackpropInput"],
    name: `conv2d x${x} f${f} s${strides} ${JSON.stringify(pad)}${tag}`,
    inputs: [{ shape: x }, { shape: f }, { shape: yShape }],
    run: ([a, b, w]) =>
      tf.grads((xa: tf.Tensor, fb: tf.Tensor) => weightedSum(tf.conv2d(xa as tf.Tensor4D, fb as tf.Tensor4D, strides, pad), w))([a, b]),
  };
}

function depthwiseCase(x: number[], f: number[], strides: S2, pad: Pad): KernelCase {
  const yShape = convOut(x, f, strides, pad, 1, true);
  return {
    kernels: ["DepthwiseConv2dNative", "DepthwiseConv2dNativeBackpropInput", "DepthwiseConv2dNativeBackpropFilter"],
    name: `depthwiseConv2d x${x} f${f} s${strides} ${JSON.stringify(pad)}`,
    inputs: [{ shape: x }, { shape: f }, { shape: yShape }],
    run: ([a, b, w]) => [
      tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad),
      ...tf.grads((xa: tf.Tensor, fb: tf.Tensor) => weightedSum(tf.depthwiseConv2d(xa as tf.Tensor4D, fb as tf.Tensor4D, strides, pad), w))([a, b]),
    ],
  };
}

/**
 * Every check case, grouped by the kernel it is about. `size` "quick" is what `dealkit backend --check`
 * runs (a second or two); "full" is the test grid.
 */
export function kernelCases(size: "quick" | "full" = "quick"): KernelCase[] {
  const full = size === "full";
  const cases: KernelCase[] = [];
  const convShapes: Array<[number[], number[]]> = full
    ? [[[2, 9, 9, 3], [3, 3, 3, 4]], [[1, 8, 11, 4], [2, 3, 4, 2]], [[2, 7, 7, 2], [1, 1, 2, 3]], [[1, 12, 10, 3], [5, 5, 3, 2]]]
    : [[[2, 9, 9, 3], [3, 3, 3, 4]]];
  const convStrides: S2[] = full ? [1, 2, [2, 1], 3] : [1, 2];
  for (const [x, f] of convShapes) for (const s of convStrides) for (const p of pads) cases.push(convCase(x, f, s, p, ""));
  // Stride phases of the input gradient: even sizes, 2x2 / 4x4 filters, padding larger than the stride.
  const phaseCases: Array<[number[], number[], S2, Pad]> = full
    ? [
        [[2, 16, 16, 4], [3, 3, 4, 5], 2, "same"],
        [[1, 10, 12, 3], [4, 4, 3, 2], 2, "same"],
        [[1, 10, 9, 3], [2, 2, 3, 2], 2, "valid"],
        [[1, 9, 10, 2], [3, 3, 2, 3], 2, [[0, 0], [3, 2], [2, 4], [0, 0]]],
        [[1, 13, 11, 2], [4, 3, 2, 3], 3, [[0, 0], [2, 1], [1, 0], [0, 0]]],
      ]
    : [[[2, 16, 16, 4], [3, 3, 4, 5], 2, "same"]];
  for (const [x, f, st, p] of phaseCases) cases.push(convCase(x, f, st, p, " (stride phases)"));
  // The SIMD filter gradient's register blocks: 4 input x 8 output channels, then 4, then single ones
  // (9 = 4 + 4 + 1 in, 13 = 8 + 4 + 1 out), the transposed form for narrow outputs (12 in -> 2 out), more
  // rows than one float32 partial sum takes.
  const blockCases: Array<[number[], number[], S2, Pad]> = full
    ? [
        [[2, 10, 11, 9], [3, 3, 9, 13], 1, "same"],
        [[2, 10, 11, 9], [3, 3, 9, 13], 2, "valid"],
        [[1, 12, 9, 12], [3, 2, 12, 2], [1, 2], [[0, 0], [2, 1], [0, 3], [0, 0]]],
        [[3, 6, 7, 16], [1, 1, 16, 24], 1, "same"],
      ]
    : [[[2, 10, 11, 9], [3, 3, 9, 13], 1, "same"]];
  for (const [x, f, st, p] of blockCases) cases.push(convCase(x, f, st, p, " (SIMD blocks)"));
  // Conv2D / FusedConv2D by Winograd (3x3, stride 1, channels multiples of 4): odd and even output sizes
  // (partial tiles), every padding; values and both gradients (the input gradient of a stride-1 3x3
  // convolution is itself one). A 5x5 and a stride-2 case take the native kernel.
  const winoShapes: Array<[number[], number[], S2]> = full
    ? [[[2, 9, 9, 4], [3, 3, 4, 8], 1], [[1, 10, 7, 8], [3, 3, 8, 12], 1], [[2, 6, 6, 4], [3, 3, 4, 4], 1], [[1, 9, 9, 4], [5, 5, 4, 4], 1], [[1, 9, 9, 4], [3, 3, 4, 4], 2]]
    : [[[2, 9, 9, 4], [3, 3, 4, 8], 1]];
  for (const [x, f, st] of winoShapes) {
    for (const p of pads) {
      const c = convCase(x, f, st, p, " (Winograd)");
      const run = c.run;
      cases.push({ ...c, kernels: ["Conv2D", ...c.kernels], run: (xs) => [tf.conv2d(xs[0] as tf.Tensor4D, xs[1] as tf.Tensor4D, st, p), ...run(xs)] });
    }
  }
  const fused = (x: number[], f: number[], activation: "relu" | "linear" | "elu", withBias: boolean): KernelCase => ({
    kernels: ["FusedConv2D"],
    name: `fused.conv2d x[${x}] f[${f}] ${activation}${withBias ? " + bias" : ""}`,
    inputs: [{ shape: x }, { shape: f }, { shape: [f[3]!] }],
    run: ([a, b, bias]) => [
      tf.fused.conv2d({ x: a as tf.Tensor4D, filter: b as tf.Tensor4D, strides: 1, pad: "same", bias: withBias ? bias : undefined, activation }),
      tf.fused.conv2d({ x: a as tf.Tensor4D, filter: b as tf.Tensor4D, strides: 1, pad: "valid", bias: withBias ? bias : undefined, activation }),
    ],
  });
  cases.push(fused([2, 7, 8, 4], [3, 3, 4, 8], "relu", true), fused([1, 6, 5, 8], [3, 3, 8, 4], "linear", false));
  if (full) cases.push(fused([1, 6, 5, 8], [3, 3, 8, 4], "linear", true), fused([1, 6, 5, 4], [3, 3, 4, 4], "elu", true));
  const dwShapes: Array<[number[], number[]]> = full
    ? [[[2, 9, 9, 3], [3, 3, 3, 1]], [[1, 8, 11, 4], [3, 2, 4, 2]], [[2, 10, 10, 2], [5, 5, 2, 3]], [[2, 9, 10, 21], [3, 3, 21, 1]], [[2, 9, 10, 8], [3, 3, 8, 1]]]
    : [[[2, 9, 9, 3], [3, 3, 3, 2]], [[2, 9, 10, 8], [3, 3, 8, 1]]];
  for (const [x, f] of dwShapes) for (const s of convStrides) for (const p of pads) cases.push(depthwiseCase(x, f, s, p));
  // No dilated depthwise cases: tfjs's depthwise gradient rejects dilations > 1, and the cpu backend's
  // backprop kernels ignore them, so cpu is no reference there (the tests check dilations by adjointness).
  const conv1d: KernelCase = {
    kernels: ["Conv2DBackpropFilter", "Conv2DBackpropInput"],
    name: "conv1d x[2,17,3] f[3,3,4] s2 same",
    inputs: [{ shape: [2, 17, 3] }, { shape: [3, 3, 4] }, { shape: [2, 9, 4] }],
    run: ([a, b, w]) => tf.grads((xa: tf.Tensor, fb: tf.Tensor) => weightedSum(tf.conv1d(xa as tf.Tensor3D, fb as tf.Tensor3D, 2, "same"), w))([a, b]),
  };
  const convT: KernelCase = {
    kernels: ["Conv2DBackpropFilter", "Conv2DBackpropInput"],
    name: "conv2dTranspose x[2,5,5,4] f[3,3,3,4] s2 same",
    inputs: [{ shape: [2, 5, 5, 4] }, { shape: [3, 3, 3, 4] }, { shape: [2, 10, 10, 3] }],
    run: ([a, b, w]) =>
      tf.grads((xa: tf.Tensor, fb: tf.Tensor) =>
        weightedSum(tf.conv2dTranspose(xa as tf.Tensor4D, fb as tf.Tensor4D, [2, 10, 10, 3], 2, "same"), w),
      )([a, b]),
  };
  const nchw: KernelCase[] = ["Conv2DBackpropFilter", "Conv2DBackpropInput"].map((kernelName) => ({
    kernels: [kernelName],
    name: `${kernelName} NCHW s2 same`,
    inputs: [{ shape: [2, 3, 9, 8] }, { shape: [3, 3, 3, 4] }, { shape: [2, 4, 5, 4] }],
    run: ([x, f, dy]) => {
      const attrs = { strides: [2, 2], pad: "same", dataFormat: "NCHW", dimRoundingMode: undefined };
      return [
        kernelName === "Conv2DBackpropFilter"
          ? (tf.engine().runKernel(kernelName, { x, dy }, { ...attrs, filterShape: f.shape } as unknown as tf.NamedAttrMap) as tf.Tensor)
          : (tf.engine().runKernel(kernelName, { dy, filter: f }, { ...attrs, inputShape: x.shape } as unknown as tf.NamedAttrMap) as tf.Tensor),
      ];
    },
  }));
  cases.push(conv1d, convT, ...nchw);
  const gather = (shape: number[], axis: number, n: number): KernelCase => ({
    kernels: ["UnsortedSegmentSum"],
    name: `gather grad x[${shape}] axis ${axis}`,
    inputs: [{ shape }, { shape: [n], ints: [0, shape[axis]] }],
    run: ([x, idx]) => [tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.gather(a, idx, axis))))(x)],
  });
  cases.push(gather([7, 3], 0, 12), gather([2, 6, 4], 1, 9));
  cases.push({
    kernels: ["UnsortedSegmentSum"],
    name: "unsortedSegmentSum [9,2,3] ids in [-2,6) into 4 (out-of-range ids dropped)",
    inputs: [{ shape: [9, 2, 3] }, { shape: [9], ints: [-2, 6] }],
    run: ([x, ids]) => [tf.unsortedSegmentSum(x, ids as tf.Tensor1D, 4)],
  });
  // The fused LayerNorm and its gradient: on cpu, which has neither kernel, layerNorm runs the composed ops.
  for (const shape of full ? [[2, 5, 7, 36], [3, 7], [4, 1, 3], [1, 9, 130], [11, 2, 40]] : [[2, 5, 7, 36], [3, 7], [11, 2, 40]]) {
    const n = shape[shape.length - 1]!;
    cases.push({
      kernels: [LAYER_NORM_KERNEL, LAYER_NORM_GRAD_KERNEL],
      name: `layerNorm [${shape}] over the last axis (values, gradients)`,
      inputs: [{ shape }, { shape: [n] }, { shape: [n] }, { shape }],
      run: ([x, g, b, w]) => [layerNorm(x!, g!, b!, 1e-5), ...tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => weightedSum(layerNorm(p, q, r, 1e-5), w!))([x!, g!, b!])],
    });
  }
  const einsum = (eq: string, a: number[], b?: number[]): KernelCase => ({
    kernels: ["Einsum"],
    name: `einsum ${eq}`,
    inputs: b ? [{ shape: a }, { shape: b }] : [{ shape: a }],
    run: (xs) => [tf.einsum(eq, ...xs)],
  });
  // BatchMatMul: every transpose combination; one product, per-batch-item products, a broadcast a, a
  // broadcast b (folded into rows), and a batch of products too small to split (the native kernel).
  // (tfjs's matMul gradient does not support broadcast batches: those cases compare values only.)
  const matMul = (a: number[], b: number[], tA: boolean, tB: boolean): KernelCase => {
    const out = tf.tidy(() => tf.matMul(tf.zeros(a), tf.zeros(b), tA, tB).shape);
    const broadcast = a.slice(0, -2).join() !== b.slice(0, -2).join();
    return {
      kernels: ["BatchMatMul"],
      name: `matMul a[${a}] b[${b}]${tA ? " tA" : ""}${tB ? " tB" : ""}${broadcast ? "" : " (values, gradients)"}`,
      inputs: [{ shape: a }, { shape: b }, { shape: out }],
      run: ([x, y, w]) => {
        const f = (p: tf.Tensor, q: tf.Tensor) => weightedSum(tf.matMul(p, q, tA, tB), w);
        return [tf.matMul(x, y, tA, tB), ...(broadcast ? [] : tf.grads(f)([x, y]))];
      },
    };
  };
  const mm: Array<[number[], number[]]> = full
    ? [[[37, 8], [8, 5]], [[3, 40, 16], [3, 16, 24]], [[1, 40, 16], [3, 16, 24]], [[3, 40, 16], [16, 24]], [[2, 3, 4, 5], [2, 3, 5, 6]]]
    : [[[37, 8], [8, 5]], [[3, 40, 16], [3, 16, 24]]];
  for (const [a, b] of mm) {
    for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const ta = tA ? [...a.slice(0, -2), a[a.length - 1]!, a[a.length - 2]!] : a;
      const tb = tB ? [...b.slice(0, -2), b[b.length - 1]!, b[b.length - 2]!] : b;
      cases.push(matMul(ta, tb, tA, tB));
    }
  }
  cases.push({
    kernels: ["BatchMatMul"],
    name: "matMul: the same memory as b under two shapes (wasm's own kernel reuses a stale packing)",
    inputs: [{ shape: [4, 6, 7, 9] }, { shape: [3, 168] }, { shape: [2, 4] }],
    run: ([x, p, q]) => [tf.matMul(p, x.reshape([168, 9])), tf.matMul(q, x.reshape([4, 378])), tf.matMul(p, x.reshape([168, 9]))],
  });
  // Slice and SplitV (slice's gradient is a pad; concat's gradient is a split), Identity, Sum.
  cases.push(
    {
      kernels: ["Slice"],
      name: "slice / stridedSlice [3,7,6,5] (values, gradients)",
      inputs: [{ shape: [3, 7, 6, 5] }],
      run: ([x]) => [
        tf.slice(x, [1, 2, 0, 1], [2, 4, 6, 3]),
        tf.slice(x, [0, 0, 0, 0], [2, 7, 6, 5]),
        tf.slice(x, [0, 3, 2, 0], [3, 1, 1, 5]),
        tf.stridedSlice(x, [0, 1, 0, 0], [3, 7, 6, 5], [1, 2, 1, 1]),
        tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.slice(a, [1, 2, 1, 0], [2, 3, 4, 5]))))(x),
      ],
    },
    {
      kernels: ["SplitV", "Slice"],
      name: "split [4,5,6,18] axis 3 and 1; gradient of concat",
      inputs: [{ shape: [4, 5, 6, 18] }, { shape: [4, 5, 6, 9] }],
      run: ([x, y]) => [
        ...tf.split(x, 9, 3),
        ...tf.split(x, [1, 3, 1], 1),
        ...tf.split(x, 2, 0),
        ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.concat([a, b, a], 3), tf.range(0, 45).reshape([45]))))([x, y]),
      ],
    },
    {
      kernels: ["GatherV2", "UnsortedSegmentSum"],
      name: "gather [6,5,4] on each axis, 2-D indices, wide rows (values, gradients)",
      inputs: [{ shape: [6, 5, 4] }, { shape: [3, 2], ints: [0, 4] }, { shape: [9, 70] }, { shape: [5], ints: [0, 9] }],
      run: ([x, idx, wide, rows]) => [
        tf.gather(x, idx, 0),
        tf.gather(x, idx, 1),
        tf.gather(x, idx, 2),
        tf.gather(wide, rows, 0),
        tf.gather(tf.cast(x, "int32"), idx, 1),
        tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.gather(a, idx, 1))))(x),
      ],
    },
    {
      kernels: ["Concat", "Transpose"],
      name: "concat on each axis, narrow and wide; transpose (identity and not)",
      inputs: [{ shape: [3, 4, 70] }, { shape: [3, 4, 5] }, { shape: [3, 2, 70] }],
      run: ([a, b, c]) => [
        tf.concat([a, b, a], 2),
        tf.concat([a, c], 1),
        tf.concat([a, a], 0),
        tf.concat([tf.cast(b, "int32"), tf.cast(b, "int32")], 2),
        tf.transpose(b, [0, 1, 2]),
        tf.transpose(b, [2, 0, 1]),
        ...tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(tf.concat([p, q], 2))))([a, b]),
      ],
    },
    {
      kernels: ["Cast"],
      name: "cast to the same dtype and to others; gradient of relu and step",
      inputs: [{ shape: [4, 6, 5] }, { shape: [7], ints: [-3, 4] }],
      run: ([x, k]) => [
        tf.cast(x, "float32"),
        tf.cast(k, "int32"),
        tf.cast(x, "int32"),
        tf.cast(k, "float32"),
        tf.cast(tf.greater(x, 0), "float32"),
        tf.add(tf.cast(x, "float32"), 1),
        tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), tf.range(0, 120).reshape([4, 6, 5]))))(x),
      ],
    },
    {
      kernels: ["Identity"],
      name: "clone; gradient through identity",
      inputs: [{ shape: [5, 7] }],
      run: ([x]) => {
        const c = tf.clone(x);
        return [c, tf.add(c, 1), tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.clone(a))))(x)];
      },
    },
    {
      kernels: ["Sum"],
      name: "sum over leading axes [4,6,7,9] (keepDims; gradient of a broadcast add)",
      inputs: [{ shape: [4, 6, 7, 9] }, { shape: [9] }],
      run: ([x, bias]) => [
        tf.sum(tf.reshape(x, [12, 7, 18]), [0, 1]),
        tf.sum(tf.reshape(x, [4, 6 * 7 * 9]), [0]),
        tf.sum(x, [0, 1, 2]),
        tf.sum(x, [0], true),
        tf.sum(x, [1, 0]),
        tf.sum(x, [1, 2]),
        tf.sum(x),
        ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.add(a, b))))([x, bias]),
      ],
    },
  );
  cases.push(
    einsum("ij,jk->ik", [4, 5], [5, 3]),
    einsum("bhqd,bhkd->bhqk", [2, 3, 4, 8], [2, 3, 5, 8]),
    einsum("bhqk,bhkd->bhqd", [2, 3, 4, 5], [2, 3, 5, 8]),
    einsum("bqc,kc->bqk", [2, 6, 4], [7, 4]),
    einsum("ij,ij->i", [4, 5], [4, 5]),
    einsum("i,j->ij", [4], [3]),
    einsum("ij->ji", [3, 5]),
    einsum("ijk->j", [2, 3, 4]),
  );
  cases.push(...opCases());
  return cases;
}
