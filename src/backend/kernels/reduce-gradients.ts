import { tf } from "../tf.js";

/**
 * Gradients of Sum and Mean whose ones are made inside the backend. tfjs's own multiply dy by `tf.ones(x.shape)`,
 * an array of ones built in JavaScript and copied into the backend on every backward pass: for a training step of
 * DEAL-tiny that is ~20 ms of JavaScript plus the garbage collection of megabytes of ones. Same values: dy x 1, and
 * Mean's (dy x 1) / n is dy / n computed once per reduced element, then multiplied by 1.
 */
const reduceGradient = (mean: boolean): tf.GradConfig => ({
  kernelName: mean ? "Mean" : "Sum",
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [tf.Tensor];
    const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape);
    const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    return {
      x: () => {
        let g = tf.reshape(dy as tf.Tensor, expanded);
        if (mean) g = tf.div(g, axes.reduce((n, a) => n * x.shape[a]!, 1));
        // onesLike fills inside the backend; broadcastTo would be a Tile, ~30x slower than this on wasm.
        return tf.mul(g, tf.onesLike(x).asType("float32"));
      },
    };
  },
});

/** Marks the gradient configs registered by dealkit (a global symbol, so two copies of dealkit agree). */
const DEALKIT_GRADIENT = Symbol.for("dealkit.gradient");

/**
 * Registers {@link reduceGradient}'s Sum and Mean gradients in place of tfjs's (gradients are global, not per
 * backend; the values are the same on every backend). Calling it again is harmless.
 *
 * @returns the kernel names whose gradients this call replaced
 * @example
 * registerReduceGradients(); // ["Sum", "Mean"] the first time, [] after
 */
export function registerReduceGradients(): string[] {
  const added: string[] = [];
  for (const mean of [false, true]) {
    const config = reduceGradient(mean);
    const existing = tf.getGradient(config.kernelName) as (tf.GradConfig & Record<symbol, unknown>) | undefined;
    if (existing?.[DEALKIT_GRADIENT] === true) continue;
    Object.defineProperty(config, DEALKIT_GRADIENT, { value: true });
    tf.registerGradient(config);
    added.push(config.kernelName);
  }
  return added;
}
