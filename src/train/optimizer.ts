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
 */
export class AdamW {
  t = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
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
      this.m.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
      this.v.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    }
  }

  /** One update with learning rate `lr`; `grads` by parameter name (missing = zero gradient). */
  apply(grads: Record<string, tf.Tensor>, lr: number): void {
    this.t += 1;
    const bc1 = 1 - Math.pow(this.beta1, this.t);
    const bc2 = 1 - Math.pow(this.beta2, this.t);
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const g = grads[name];
        if (!g) continue;
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        m.assign(m.mul(this.beta1).add(g.mul(1 - this.beta1)));
        v.assign(v.mul(this.beta2).add(g.square().mul(1 - this.beta2)));
        let step = m.div(bc1).div(v.div(bc2).sqrt().add(this.eps));
        if (p.rank >= 2 && this.weightDecay > 0) step = step.add(p.mul(this.weightDecay));
        p.assign(p.sub(step.mul(lr)));
      }
    });
  }

  /** A copy of the state (for checkpoints). */
  getState(): AdamWState {
    const m: Record<string, Float32Array> = {};
    const v: Record<string, Float32Array> = {};
    for (const [name] of this.params) {
      m[name] = Float32Array.from(this.m.get(name)!.dataSync());
      v[name] = Float32Array.from(this.v.get(name)!.dataSync());
    }
    return { t: this.t, m, v };
  }

  /** Restores a state from {@link getState} (parameter names must match). */
  setState(state: AdamWState): void {
    this.t = state.t;
    for (const [name] of this.params) {
      const m = state.m[name];
      const v = state.v[name];
      if (!m || !v) throw new Error(`AdamW.setState: no moments for parameter ${name}`);
      const mv = this.m.get(name)!;
      tf.tidy(() => {
        mv.assign(tf.tensor(m, mv.shape));
        this.v.get(name)!.assign(tf.tensor(v, mv.shape));
      });
    }
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
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
