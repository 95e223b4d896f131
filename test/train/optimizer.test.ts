import { beforeAll, describe, expect, it } from "vitest";
import { tf } from "../../src/backend/tf.js";
import { AdamW } from "../../src/train/optimizer.js";
import { useFastBackend } from "./backend.js";

/** AdamW written as per-tensor tf ops (the formula of Loshchilov & Hutter, decay on rank >= 2): the reference. */
function referenceStep(params: [string, tf.Variable][], m: Map<string, tf.Tensor>, v: Map<string, tf.Tensor>, grads: Record<string, tf.Tensor>, t: number, lr: number, o = { b1: 0.9, b2: 0.999, eps: 1e-8, wd: 1e-4 }): void {
  const bc1 = 1 - Math.pow(o.b1, t), bc2 = 1 - Math.pow(o.b2, t);
  for (const [name, p] of params) {
    const g = grads[name];
    if (!g) continue;
    const mn = tf.tidy(() => m.get(name)!.mul(o.b1).add(g.mul(1 - o.b1)));
    const vn = tf.tidy(() => v.get(name)!.mul(o.b2).add(g.square().mul(1 - o.b2)));
    m.get(name)!.dispose();
    v.get(name)!.dispose();
    m.set(name, mn);
    v.set(name, vn);
    tf.tidy(() => {
      let step = mn.div(bc1).div(vn.div(bc2).sqrt().add(o.eps));
      if (p.rank >= 2) step = step.add(p.mul(o.wd));
      p.assign(p.sub(step.mul(lr)));
    });
  }
}

describe("AdamW", () => {
  beforeAll(async () => {
    await useFastBackend();
  });

  it("gives the per-tensor ops' weights bit for bit (bias correction, decay on rank >= 2 only, missing gradients), and resumes from its state", () => {
    const make = (seed: number): [string, tf.Variable][] => [
      ["conv.w", tf.variable(tf.randomNormal([3, 3, 4, 5], 0, 0.3, "float32", seed))],
      ["conv.b", tf.variable(tf.randomNormal([5], 0, 0.3, "float32", seed + 1))],
      ["norm.g", tf.variable(tf.randomNormal([7], 1, 0.1, "float32", seed + 2))],
    ];
    const ours = make(1);
    const ref = make(1);
    const resumed = make(1);
    const opt = new AdamW(ours);
    const m = new Map(ref.map(([n, p]) => [n, tf.zerosLike(p)]));
    const v = new Map(ref.map(([n, p]) => [n, tf.zerosLike(p)]));
    let opt2: AdamW | null = null;
    for (let t = 1; t <= 6; t++) {
      const grads: Record<string, tf.Tensor> = {};
      for (const [n, p] of ours) if (!(n === "norm.g" && t === 3)) grads[n] = tf.randomNormal(p.shape, 0, t === 2 ? 1e-6 : 2, "float32", 10 * t + n.length);
      const lr = 1e-3 * t;
      opt.apply(grads, lr);
      referenceStep(ref, m, v, grads, t, lr);
      if (t === 3) {
        // a fresh optimizer and copy of the weights, restored from the state after step 3
        resumed.forEach(([, p], i) => p.assign(ours[i]![1]));
        opt2 = new AdamW(resumed);
        opt2.setState(opt.getState());
      } else if (opt2) opt2.apply(grads, lr);
      tf.dispose(Object.values(grads));
      ours.forEach(([n, p], i) => expect(Array.from(p.dataSync()), `${n} after step ${t}`).toEqual(Array.from(ref[i]![1].dataSync())));
    }
    ours.forEach(([n, p], i) => expect(Array.from(resumed[i]![1].dataSync()), `${n} resumed`).toEqual(Array.from(p.dataSync())));
    // the weights moved (the comparison is not between untouched copies)
    const start = make(1);
    expect(Array.from(ours[0]![1].dataSync())).not.toEqual(Array.from(start[0]![1].dataSync()));
    for (const t of [...m.values(), ...v.values()]) t.dispose();
    for (const [, p] of [...ours, ...ref, ...resumed, ...start]) p.dispose();
  });

  it("refuses a state whose moments do not fit the parameters, naming the parameter", () => {
    const p: [string, tf.Variable][] = [["w", tf.variable(tf.zeros([2, 2]))]];
    const opt = new AdamW(p);
    expect(() => opt.setState({ t: 1, m: { w: new Float32Array(3) }, v: { w: new Float32Array(4) } })).toThrow(/moments of w hold 3 \/ 4 values, the parameter 4/);
    expect(() => opt.setState({ t: 1, m: {}, v: {} })).toThrow(/no moments for parameter w/);
    p[0]![1].dispose();
  });
});
