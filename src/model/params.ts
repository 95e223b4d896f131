import { tf } from "../backend/tf.js";
import { Random } from "../util/random.js";

/** How a parameter is initialised. */
export type ParamInit = "zeros" | "ones" | { normal: number } | { uniform: number } | { constant: number };

/**
 * The named trainable variables of one model. Initial values come from a seeded {@link Random}, so the same
 * seed gives bit-identical weights on every backend. Names are dotted paths (`backbone.stage1.down.w`).
 */
export class ParamStore {
  private readonly vars = new Map<string, tf.Variable>();
  private readonly rng: Random;

  constructor(seed: number) {
    this.rng = new Random(seed);
  }

  /** Creates a variable (names must be unique). */
  create(name: string, shape: number[], init: ParamInit): tf.Variable {
    if (this.vars.has(name)) throw new Error(`ParamStore: duplicate parameter ${name}`);
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (init === "ones") values.fill(1);
    else if (init !== "zeros") {
      if ("constant" in init) values.fill(init.constant);
      else if ("normal" in init) for (let i = 0; i < size; i++) values[i] = this.rng.normal(0, init.normal);
      else for (let i = 0; i < size; i++) values[i] = this.rng.uniform(-init.uniform, init.uniform);
    }
    const v = tf.tidy(() => tf.variable(tf.tensor(values, shape, "float32"), true, `${name}_${uniqueSuffix()}`));
    this.vars.set(name, v);
    return v;
  }

  /** All variables, in creation order (a stable order for optimizers and checkpoints). */
  entries(): [string, tf.Variable][] {
    return [...this.vars.entries()];
  }

  /** The variable called `name`. */
  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`ParamStore: no parameter ${name}`);
    return v;
  }

  /** Number of scalar weights. */
  count(): number {
    let n = 0;
    for (const v of this.vars.values()) n += v.size;
    return n;
  }

  /** Frees every variable. */
  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

let counter = 0;
// tf.variable names are global to the engine; a suffix keeps two models in one process apart.
function uniqueSuffix(): string {
  counter += 1;
  return `${counter}`;
}
