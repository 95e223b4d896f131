import { layerNorm } from "../backend/kernels/layer-norm.js";
import { tf } from "../backend/tf.js";
import type { ParamStore } from "./params.js";

/** A dense layer over the last axis (normal weights, std 1/sqrt(inDim) unless `std` is given; zero bias). */
export class Linear {
  readonly w: tf.Variable;
  readonly b: tf.Variable | null;
  constructor(store: ParamStore, name: string, readonly inDim: number, readonly outDim: number, opts: { bias?: boolean; std?: number; small?: boolean } = {}) {
    const std = opts.std ?? Math.sqrt(1 / inDim);
    // "small" (near-zero) rather than zero init keeps a path for gradients into the layers before it.
    this.w = store.create(`${name}.w`, [inDim, outDim], { normal: opts.small ? 0.01 * std : std });
    this.b = opts.bias === false ? null : store.create(`${name}.b`, [outDim], "zeros");
  }
  /**
   * `fused` (inference only, no gradients needed): one fused matMul + bias (+ ReLU) kernel instead of a matMul and
   * an Add over the output (the same values to float rounding, ~1e-6).
   */
  apply(x: tf.Tensor, fused: Fused = false): tf.Tensor {
    const shape = x.shape;
    const flat = x.reshape([-1, this.inDim]) as tf.Tensor2D;
    let y: tf.Tensor;
    if (fused) y = tf.fused.matMul({ a: flat, b: this.w as tf.Tensor2D, ...(this.b ? { bias: this.b } : {}), activation: fused });
    else {
      y = tf.matMul(flat, this.w as tf.Tensor2D);
      if (this.b) y = y.add(this.b);
    }
    return y.reshape([...shape.slice(0, -1), this.outDim]);
  }
}

/**
 * Inference-only kernel fusion: false (the composed ops, which training differentiates), or the activation that a
 * fused bias kernel applies ("linear": bias only). Fused kernels give the same values to float rounding (~1e-6),
 * not bit for bit, so inference outputs are tied to INFERENCE_REVISION (config.ts).
 */
export type Fused = false | "linear" | "relu";

/** A 2-D convolution, NHWC, "same" padding (He-normal weights, zero bias). */
export class Conv2d {
  readonly w: tf.Variable;
  readonly b: tf.Variable;
  constructor(store: ParamStore, name: string, readonly k: number, cin: number, cout: number, readonly stride = 1, std?: number) {
    this.w = store.create(`${name}.w`, [k, k, cin, cout], { normal: std ?? Math.sqrt(2 / (k * k * cin)) });
    this.b = store.create(`${name}.b`, [cout], "zeros");
  }
  /** `fused`: one conv + bias (+ ReLU) kernel at inference (see {@link Fused}); otherwise conv2d then Add. */
  apply(x: tf.Tensor4D, fused: Fused = false): tf.Tensor4D {
    if (fused) return tf.fused.conv2d({ x, filter: this.w as tf.Tensor4D, strides: this.stride, pad: "same", bias: this.b, activation: fused });
    return tf.conv2d(x, this.w as tf.Tensor4D, this.stride, "same").add(this.b) as tf.Tensor4D;
  }
}

/** Layer normalisation over the last axis (channels for NHWC maps, as in ConvNeXt). */
export class LayerNorm {
  readonly g: tf.Variable;
  readonly b: tf.Variable;
  constructor(store: ParamStore, name: string, dim: number) {
    this.g = store.create(`${name}.g`, [dim], "ones");
    this.b = store.create(`${name}.b`, [dim], "zeros");
  }
  /** One kernel forward and one backward where the backend has dealkit's (wasm; see layerNorm), else the composed ops. */
  apply<T extends tf.Tensor>(x: T): T {
    return layerNorm(x, this.g, this.b, 1e-5) as T;
  }
}

/** A multi-layer perceptron with ReLU between layers. */
export class Mlp {
  readonly layers: Linear[];
  constructor(store: ParamStore, name: string, dims: number[], opts: { zeroLast?: boolean } = {}) {
    this.layers = [];
    for (let i = 0; i + 1 < dims.length; i++) {
      const last = i + 2 === dims.length;
      this.layers.push(new Linear(store, `${name}.${i}`, dims[i]!, dims[i + 1]!, { small: last && opts.zeroLast }));
    }
  }
  /** `fused` (inference): each layer one fused kernel, ReLU included (see {@link Fused}). */
  apply(x: tf.Tensor, fused = false): tf.Tensor {
    let y = x;
    this.layers.forEach((l, i) => {
      const hidden = i + 1 < this.layers.length;
      if (fused) y = l.apply(y, hidden ? "relu" : "linear");
      else {
        y = l.apply(y);
        if (hidden) y = tf.relu(y);
      }
    });
    return y;
  }
}

/**
 * Multi-head attention with input/output projections. `keyMask` ([B, Nk], 1 = attend, 0 = ignore) keeps
 * padded keys out.
 */
export class MultiHeadAttention {
  readonly q: Linear;
  readonly k: Linear;
  readonly v: Linear;
  readonly o: Linear;
  constructor(store: ParamStore, name: string, readonly dim: number, readonly heads: number) {
    this.q = new Linear(store, `${name}.q`, dim, dim);
    // No key bias: it adds the same logit to every key of a query, which softmax ignores (zero gradient).
    this.k = new Linear(store, `${name}.k`, dim, dim, { bias: false });
    this.v = new Linear(store, `${name}.v`, dim, dim);
    this.o = new Linear(store, `${name}.o`, dim, dim);
  }
  /** `fused` (inference): fused projections, and the 1/sqrt(dh) scale applied to the queries instead of the logits. */
  apply(query: tf.Tensor3D, key: tf.Tensor3D, value: tf.Tensor3D, keyMask?: tf.Tensor2D, fused = false): tf.Tensor3D {
    const [b, nq] = query.shape;
    const nk = key.shape[1];
    const h = this.heads;
    const dh = this.dim / h;
    const f: Fused = fused ? "linear" : false;
    const split = (x: tf.Tensor, n: number) => x.reshape([b, n, h, dh]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
    const scale = 1 / Math.sqrt(dh);
    const q = split(fused ? this.q.apply(query, f).mul(scale) : this.q.apply(query), nq);
    const k = split(this.k.apply(key, f), nk);
    const v = split(this.v.apply(value, f), nk);
    let logits = tf.matMul(q.reshape([b * h, nq, dh]) as tf.Tensor3D, k.reshape([b * h, nk, dh]) as tf.Tensor3D, false, true);
    if (!fused) logits = logits.mul(scale);
    if (keyMask) {
      const neg = tf.scalar(1).sub(keyMask).mul(-1e9).reshape([b, 1, 1, nk]);
      logits = logits.reshape([b, h, nq, nk]).add(neg).reshape([b * h, nq, nk]);
    }
    const attn = tf.softmax(logits, -1);
    const out = tf.matMul(attn as tf.Tensor3D, v.reshape([b * h, nk, dh]) as tf.Tensor3D).reshape([b, h, nq, dh]).transpose([0, 2, 1, 3]).reshape([b, nq, this.dim]);
    return this.o.apply(out, f) as tf.Tensor3D;
  }
}

/** A pre-norm transformer feed-forward block: x + W2 relu(W1 LN(x)). */
export class FeedForward {
  readonly norm: LayerNorm;
  readonly mlp: Mlp;
  constructor(store: ParamStore, name: string, dim: number, hidden: number) {
    this.norm = new LayerNorm(store, `${name}.norm`, dim);
    this.mlp = new Mlp(store, `${name}.mlp`, [dim, hidden, dim]);
  }
  apply<T extends tf.Tensor>(x: T, fused = false): T {
    return x.add(this.mlp.apply(this.norm.apply(x), fused)) as T;
  }
}

/** A depthwise 3x3 conv followed by a pointwise 1x1 conv (a separable conv); `small` starts the pointwise near zero. */
export class SepConv {
  readonly dw: tf.Variable;
  readonly pw: Conv2d;
  constructor(store: ParamStore, name: string, cin: number, cout: number, opts: { small?: boolean } = {}) {
    this.dw = store.create(`${name}.dw`, [3, 3, cin, 1], { normal: Math.sqrt(1 / 9) });
    this.pw = new Conv2d(store, `${name}.pw`, 1, cin, cout, 1, opts.small ? 0.01 * Math.sqrt(2 / cin) : undefined);
  }
  apply(x: tf.Tensor4D, fused: Fused = false): tf.Tensor4D {
    return this.pw.apply(tf.depthwiseConv2d(x, this.dw as tf.Tensor4D, 1, "same"), fused);
  }
}

/** A residual block: relu(x + conv(relu(LN(conv(x))))), the second conv starting near zero. */
export class ResidualBlock {
  private readonly c1: Conv2d;
  private readonly c2: Conv2d;
  private readonly norm: LayerNorm;
  constructor(store: ParamStore, name: string, ch: number) {
    this.c1 = new Conv2d(store, `${name}.c1`, 3, ch, ch);
    this.norm = new LayerNorm(store, `${name}.norm`, ch);
    this.c2 = new Conv2d(store, `${name}.c2`, 3, ch, ch, 1, 0.1 * Math.sqrt(2 / (9 * ch)));
  }
  /** `fused` (inference): the convs with their bias fused (see {@link Fused}). */
  apply(x: tf.Tensor4D, fused = false): tf.Tensor4D {
    const f: Fused = fused ? "linear" : false;
    return tf.relu(x.add(this.c2.apply(tf.relu(this.norm.apply(this.c1.apply(x, f))), f))) as tf.Tensor4D;
  }
}
