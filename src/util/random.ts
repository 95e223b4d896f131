/**
 * A small, seeded, serialisable pseudo-random generator (sfc32 seeded through splitmix32).
 *
 * Every random choice in dealkit takes a `Random`, so the same seed gives the same numbers, and the
 * state can be saved in a checkpoint and restored exactly.
 *
 * @example
 * const rng = new Random(42);
 * const x = rng.uniform(0, 10); // same value on every run
 */
export class Random {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;
  /** The seed this generator was created with (for logs). */
  readonly seed: number;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`Random: seed must be a finite number, got ${seed}`);
    this.seed = seed;
    let s = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
    const split = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = split();
    this.b = split();
    this.c = split();
    this.d = split();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A float in [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    if (!(n >= 1)) throw new RangeError(`Random.int: n must be >= 1, got ${n}`);
    return Math.floor(this.next() * Math.floor(n));
  }

  /** An integer in [lo, hi] (both inclusive). */
  intBetween(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** A standard normal sample (Box-Muller; one value per call, so the state stays simple). */
  normal(mean = 0, std = 1): number {
    let u = this.next();
    while (u <= 1e-300) u = this.next();
    const v = this.next();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** True with probability p. */
  bool(p = 0.5): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("Random.pick: empty array");
    return items[this.int(items.length)]!;
  }

  /** A shuffled copy (Fisher-Yates); the input is not modified. */
  shuffled<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = out[i]!;
      out[i] = out[j]!;
      out[j] = tmp;
    }
    return out;
  }

  /**
   * An independent generator derived from this one's seed and a label, without advancing this one.
   * Use it to give each sub-task (an image, a domain, a worker) its own stream.
   */
  fork(label: string | number): Random {
    let h = 2166136261 >>> 0;
    const text = `${this.seed}:${label}`;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 16777619) >>> 0;
    }
    return new Random(h);
  }

  /** The internal state, for checkpoints. */
  getState(): RandomState {
    return { seed: this.seed, s: [this.a, this.b, this.c, this.d] };
  }

  /** Restores a state from {@link getState}. */
  static fromState(state: RandomState): Random {
    const r = new Random(state.seed);
    [r.a, r.b, r.c, r.d] = state.s.map((v) => v >>> 0) as [number, number, number, number];
    return r;
  }
}

/** Serialisable state of a {@link Random}. */
export interface RandomState {
  seed: number;
  s: [number, number, number, number];
}
