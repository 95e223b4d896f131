/**
 * A DEAL-v2-like conv net for the speed benches (bench/train-step.ts, bench/profile-convnet.ts), with a
 * PyTorch twin of the same layers and shapes in bench/torch_convnet.py. Batch 4 of 256x256x3, NHWC:
 *
 *     stem      3x3 conv s2, 3 -> 16, bias, ReLU                                   [4,128,128,16]  (stride 2)
 *     stage k   3x3 conv s2 (C_prev -> C) + bias + ReLU, then one block:           C = 16, 32, 64, 128
 *               3x3 depthwise + bias, LayerNorm over channels, 1x1 C -> 2C + ReLU,   at strides 4, 8, 16, 32
 *               1x1 2C -> C, residual add
 *     FPN       1x1 lateral to 32 channels on the stem and every stage; top-down: nearest x2 up to
 *               stride 4, bilinear x2 (half-pixel centres) to stride 2; add; 3x3 conv 32 -> 32 + ReLU,
 *               LayerNorm                                                           [4,128,128,32]
 *     heads     heatmap, size, offset: 3x3 conv 32 -> 32 + ReLU, 1x1 conv -> 1, 2, 2
 *     prompt    bilinear samples of the map at 8 points per image (gathers of 4 corners), averaged into
 *               a prototype; its correlation with the map (a batched matMul) is added to the heatmap
 *     loss      mean squared error of sigmoid(heatmap), size and offset against fixed targets
 *
 * Not a test and not dealkit's model: a fixed workload made of the kernels DEAL v2 will use.
 */
import { tf } from "../src/backend/index.js";
import { Random } from "../src/util/random.js";

export const CONVNET = { batch: 4, size: 256, stem: 16, widths: [16, 32, 64, 128], fpn: 32, points: 8 } as const;

/** One-line description for bench output. */
export const CONVNET_LABEL =
  `v2-like conv net: stem s2 ${CONVNET.stem}, stages s4-s32 ${CONVNET.widths.join("-")} (dw + LayerNorm + MLP blocks), ` +
  `FPN to s2 x ${CONVNET.fpn}, 3 heads, prototype correlation; batch ${CONVNET.batch} of ${CONVNET.size}x${CONVNET.size}x3`;

type V = tf.Variable;
interface Conv {
  w: V;
  b: V;
}
interface Stage {
  down: Conv;
  dw: Conv;
  lnG: V;
  lnB: V;
  pw1: Conv;
  pw2: Conv;
}

/** The net's variables and a training step on a fixed batch. */
export interface ConvNetWorkload {
  variables: V[];
  /** The scalar loss of the fixed batch (call inside a gradient). */
  loss: () => tf.Scalar;
  dispose: () => void;
}

/** Builds the net with seeded He-normal weights and a fixed random batch and targets. */
export function buildConvNet(seed = 0): ConvNetWorkload {
  const rng = new Random(seed);
  const all: V[] = [];
  const randn = (shape: number[], scale: number) =>
    tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * scale), shape);
  const v = (t: tf.Tensor): V => {
    const x = tf.variable(t);
    t.dispose();
    all.push(x);
    return x;
  };
  const conv = (k: number, ci: number, co: number): Conv => ({ w: v(randn([k, k, ci, co], Math.sqrt(2 / (k * k * ci)))), b: v(tf.zeros([co])) });
  const dwConv = (c: number): Conv => ({ w: v(randn([3, 3, c, 1], Math.sqrt(2 / 9))), b: v(tf.zeros([c])) });
  const { batch, size, stem: stemC, widths, fpn, points } = CONVNET;
  const stem = conv(3, 3, stemC);
  const stages: Stage[] = widths.map((c, i) => ({
    down: conv(3, i === 0 ? stemC : widths[i - 1]!, c),
    dw: dwConv(c),
    lnG: v(tf.ones([c])),
    lnB: v(tf.zeros([c])),
    pw1: conv(1, c, 2 * c),
    pw2: conv(1, 2 * c, c),
  }));
  const laterals = [stemC, ...widths].map((c) => conv(1, c, fpn));
  const smooth = conv(3, fpn, fpn);
  const smoothG = v(tf.ones([fpn]));
  const smoothB = v(tf.zeros([fpn]));
  const heads = [1, 2, 2].map((n) => ({ hidden: conv(3, fpn, fpn), out: conv(1, fpn, n) }));

  const x = randn([batch, size, size, 3], 1) as tf.Tensor4D;
  const h2 = size / 2;
  const targets = [1, 2, 2].map((n) => tf.tidy(() => tf.sigmoid(randn([batch, h2, h2, n], 1))));
  // 8 points per image at sub-pixel positions: corner indices into the flattened [batch*h*w] map and weights.
  const idx = new Int32Array(batch * points * 4);
  const wts = new Float32Array(batch * points * 4);
  for (let b = 0; b < batch; b++) {
    for (let p = 0; p < points; p++) {
      const px = rng.uniform(0, h2 - 1.001);
      const py = rng.uniform(0, h2 - 1.001);
      const [x0, y0] = [Math.floor(px), Math.floor(py)];
      const [fx, fy] = [px - x0, py - y0];
      const o = (b * points + p) * 4;
      [[y0, x0, (1 - fy) * (1 - fx)], [y0, x0 + 1, (1 - fy) * fx], [y0 + 1, x0, fy * (1 - fx)], [y0 + 1, x0 + 1, fy * fx]].forEach(([r, c, w], k) => {
        idx[o + k] = (b * h2 + r!) * h2 + c!;
        wts[o + k] = w!;
      });
    }
  }
  const cornerIdx = tf.tensor1d(idx, "int32");
  const cornerW = tf.tensor(wts, [batch, points * 4, 1]);

  const convRelu = (h: tf.Tensor4D, c: Conv, stride: number, relu: boolean): tf.Tensor4D =>
    tf.fused.conv2d({ x: h, filter: c.w as tf.Tensor4D, strides: stride, pad: "same", bias: c.b, activation: relu ? "relu" : "linear" });
  const layerNorm = (h: tf.Tensor4D, g: V, b: V): tf.Tensor4D => {
    const mean = tf.mean(h, -1, true);
    const centred = tf.sub(h, mean);
    const variance = tf.mean(tf.square(centred), -1, true);
    return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, 1e-6))), g), b) as tf.Tensor4D;
  };
  const block = (h: tf.Tensor4D, s: Stage): tf.Tensor4D => {
    let y = tf.fused.depthwiseConv2d({ x: h, filter: s.dw.w as tf.Tensor4D, strides: 1, pad: "same", bias: s.dw.b });
    y = layerNorm(y, s.lnG, s.lnB);
    y = convRelu(y, s.pw1, 1, true);
    y = convRelu(y, s.pw2, 1, false);
    return tf.add(h, y);
  };
  const loss = (): tf.Scalar => {
    const feats: tf.Tensor4D[] = [convRelu(x, stem, 2, true)];
    stages.forEach((s) => feats.push(block(convRelu(feats[feats.length - 1]!, s.down, 2, true), s)));
    let p = convRelu(feats[4]!, laterals[4]!, 1, false);
    for (let i = 3; i >= 0; i--) {
      const [hh, ww] = [p.shape[1] * 2, p.shape[2] * 2];
      const up = i > 0 ? tf.image.resizeNearestNeighbor(p, [hh, ww]) : tf.image.resizeBilinear(p, [hh, ww], false, true);
      p = tf.add(up, convRelu(feats[i]!, laterals[i]!, 1, false));
    }
    p = layerNorm(convRelu(p, smooth, 1, true), smoothG, smoothB);
    const [hm, sz, off] = heads.map((hd) => convRelu(convRelu(p, hd.hidden, 1, true), hd.out, 1, false));
    // Prompt: bilinear samples (weighted corner gathers) -> prototype -> correlation with the map.
    const flat = tf.reshape(p, [batch * h2 * h2, fpn]);
    const corners = tf.reshape(tf.gather(flat, cornerIdx), [batch, points * 4, fpn]);
    const proto = tf.div(tf.sum(tf.mul(corners, cornerW), 1, true), points); // [batch, 1, fpn]
    const corr = tf.matMul(tf.reshape(p, [batch, h2 * h2, fpn]), proto, false, true); // [batch, h*w, 1]
    const heat = tf.sigmoid(tf.add(hm!, tf.reshape(corr, [batch, h2, h2, 1])));
    const terms = [heat, sz!, off!].map((y, i) => tf.mean(tf.squaredDifference(y, targets[i]!)));
    return tf.addN(terms) as tf.Scalar;
  };
  return {
    variables: all,
    loss,
    dispose: () => tf.dispose([...all, x, ...targets, cornerIdx, cornerW]),
  };
}
