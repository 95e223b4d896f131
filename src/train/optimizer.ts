import { tf } from "../backend/tf.js";

/** AdamW hyper-parameters. Defaults: beta1 0.9, beta2 0.999, eps 1e-8, weightDecay 1e-4. */
export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

/** Serialisable optimizer state: step count and the two moment buffers per parameter (by name). */
export interface AdamWState {
  t: number;
  m: Record<string, Float32Array>;
  v: Record<string, Float32Array>;
}

/**
 * AdamW (Loshchilov & Hutter): Adam with bias correction plus decoupled weight decay
 * w <- w - lr * (m_hat / (sqrt(v_hat) + eps) + wd * w). Decay applies to weights of rank >= 2 only (not to
 * biases or norm gains). tf.train.adam has no decoupled decay, hence this implementation.
 *
 * The update runs as one loop over each parameter's values in float32 arithmetic (Math.fround after every
 * operation), in the order the per-tensor ops m*b1 + g*(1-b1), v*b2 + g^2*(1-b2), (m/bc1) / (sqrt(v/bc2) + eps)
 * (+ wd*w), w - step*lr would take, so it gives those ops' results bit for bit (checked in
 * test/train/optimizer.test.ts) for ~13 kernel calls less per parameter tensor.
 */
export class AdamW {
  t = 0;
  private readonly m = new Map<string, Float32Array>();
  private readonly v = new Map<string, Float32Array>();
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;

  constructor(private readonly params: [string, tf.Variable][], opts: AdamWOptions = {}) {
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 1e-4;
    for (const [name, p] of params) {
      this.m.set(name, new Float32Array(p.size));
      this.v.set(name, new Float32Array(p.size));
    }
  }

  /** One update with learning rate `lr`; `grads` by parameter name (missing = zero gradient). */
  apply(grads: Record<string, tf.Tensor>, lr: number): void {
    this.t += 1;
    const f = Math.fround;
    // Each constant as the float32 scalar a tensor op would make of it.
    const b1 = f(this.beta1), c1 = f(1 - this.beta1), b2 = f(this.beta2), c2 = f(1 - this.beta2);
    const bc1 = f(1 - Math.pow(this.beta1, this.t)), bc2 = f(1 - Math.pow(this.beta2, this.t));
    const eps = f(this.eps), wd = f(this.weightDecay), rate = f(lr);
    for (const [name, p] of this.params) {
      const gt = grads[name];
      if (!gt) continue;
      const g = gt.dataSync() as Float32Array;
      const w = Float32Array.from(p.dataSync() as Float32Array);
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      const decay = p.rank >= 2 && this.weightDecay > 0;
      for (let i = 0; i < w.length; i++) {
        const gi = g[i]!;
        const mi = (m[i] = f(f(m[i]! * b1) + f(gi * c1)));
        const vi = (v[i] = f(f(v[i]! * b2) + f(f(gi * gi) * c2)));
        let step = f(f(mi / bc1) / f(f(Math.sqrt(f(vi / bc2))) + eps));
        if (decay) step = f(step + f(w[i]! * wd));
        w[i] = f(w[i]! - f(step * rate));
      }
      tf.tidy(() => p.assign(tf.tensor(w, p.shape, "float32")));
    }
  }

  /** A copy of the state (for checkpoints). */
  getState(): AdamWState {
    const m: Record<string, Float32Array> = {};
    const v: Record<string, Float32Array> = {};
    for (const [name] of this.params) {
      m[name] = Float32Array.from(this.m.get(name)!);
      v[name] = Float32Array.from(this.v.get(name)!);
    }
    return { t: this.t, m, v };
  }

  /** Restores a state from {@link getState} (parameter names must match). */
  setState(state: AdamWState): void {
    this.t = state.t;
    for (const [name, p] of this.params) {
      const m = state.m[name];
      const v = state.v[name];
      if (!m || !v) throw new Error(`AdamW.setState: no moments for parameter ${name}`);
      if (m.length !== p.size || v.length !== p.size) throw new Error(`AdamW.setState: moments of ${name} hold ${m.length} / ${v.length} values, the parameter ${p.size}`);
      this.m.get(name)!.set(m);
      this.v.get(name)!.set(v);
    }
  }

  dispose(): void {
    this.m.clear();
    this.v.clear();
  }
}

/**
 * Scales gradients so their global L2 norm is at most `maxNorm` (in place in the record: the scaled tensors
 * replace the originals, which are disposed). Returns the norm before clipping.
 */
export function clipByGlobalNorm(grads: Record<string, tf.Tensor>, maxNorm: number): number {
  const names = Object.keys(grads);
  const norm = tf.tidy(() => tf.sqrt(tf.addN(names.map((n) => grads[n]!.square().sum()))).dataSync()[0]!);
  if (Number.isFinite(norm) && norm > maxNorm && maxNorm > 0) {
    const s = maxNorm / (norm + 1e-6);
    for (const n of names) {
      const old = grads[n]!;
      grads[n] = tf.tidy(() => old.mul(s));
      old.dispose();
    }
  }
  return norm;
}
