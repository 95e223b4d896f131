import { tf } from "../tf.js";
import { composed, KernelScope } from "./scope.js";

type Info = tf.TensorInfo;

const bu = tf.backend_util;

/**
 * Einsum, every form tf.einsum accepts (one or two operands, no ellipsis): a two-operand contraction
 * that is a (batched) matrix product runs as one BatchMatMul; anything else follows the cpu backend's
 * transpose / broadcast-multiply / sum path.
 */
export function einsumKernel(backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { equation } = attrs as unknown as tf.EinsumAttrs;
    const tensors = inputs as unknown as Info[];
    return composed(backend as tf.KernelBackend, backendName, (s) => {
      const fast = tensors.length === 2 ? asMatMul(s, equation, tensors[0], tensors[1]) : null;
      return fast ?? generic(s, equation, tensors);
    });
  };
}

/** The cpu backend's algorithm on this backend's kernels. */
function generic(s: KernelScope, equation: string, tensors: Info[]): Info {
  const { allDims, summedDims, idDims } = bu.decodeEinsumEquation(equation, tensors.length);
  bu.checkEinsumDimSizes(allDims.length, idDims, tensors as unknown as tf.Tensor[]);
  const { path, steps } = bu.getEinsumComputePath(summedDims, idDims);
  let out: Info | null = null;
  let remaining = allDims.length;
  for (let i = 0; i < steps.length; ++i) {
    for (const term of steps[i]) {
      const { permutationIndices: perm, expandDims } = bu.getEinsumPermutation(remaining, idDims[term]);
      let x = tensors[term];
      if (!bu.isIdentityPermutation(perm)) x = s.transpose(x, perm);
      const target = x.shape.slice();
      for (const d of expandDims) target.splice(d, 0, 1);
      if (target.length !== x.shape.length || target.some((n, k) => n !== x.shape[k])) x = s.reshape(x, target);
      out = out === null ? x : s.run("Multiply", { a: x, b: out });
    }
    if (i < steps.length - 1) {
      if (path[i] >= 0) {
        out = s.sum(out as Info, [path[i] - (allDims.length - remaining)]);
      }
      remaining--;
    }
  }
  const result = out as Info;
  // An operand returned untouched still belongs to the caller: hand back a new reference.
  return tensors.includes(result) ? s.run("Identity", { x: result }) : result;
}

/**
 * `A,B->C` where every index is either a batch index (in A, B and C), a free index of one operand
 * (in it and C), or contracted (in A and B only): transposes to [batch, free, contracted] and runs
 * one BatchMatMul. Returns null for any other form.
 */
function asMatMul(s: KernelScope, equation: string, a: Info, b: Info): Info | null {
  const m = /^([a-z]*),([a-z]*)->([a-z]*)$/i.exec(equation.replace(/\s/g, ""));
  if (!m || a.dtype !== "float32" || b.dtype !== "float32") return null;
  const [ia, ib, io] = [m[1], m[2], m[3]];
  const all = [ia, ib, io];
  if (all.some((t) => new Set(t).size !== t.length)) return null; // repeated index (diagonals): generic path
  if (ia.length !== a.shape.length || ib.length !== b.shape.length) return null;
  const batch = [...io].filter((c) => ia.includes(c) && ib.includes(c));
  const freeA = [...ia].filter((c) => !ib.includes(c));
  const freeB = [...ib].filter((c) => !ia.includes(c));
  const contracted = [...ia].filter((c) => ib.includes(c) && !io.includes(c));
  if (freeA.some((c) => !io.includes(c)) || freeB.some((c) => !io.includes(c))) return null; // summed-out free index
  if (batch.length + freeA.length + freeB.length !== io.length) return null;
  const size = (t: string, x: Info, c: string): number => x.shape[t.indexOf(c)];
  for (const c of [...batch, ...contracted]) if (size(ia, a, c) !== size(ib, b, c)) return null; // broadcasting
  const prod = (xs: number[]): number => xs.reduce((p, q) => p * q, 1);
  const nb = prod(batch.map((c) => size(ia, a, c)));
  const na = prod(freeA.map((c) => size(ia, a, c)));
  const nbFree = prod(freeB.map((c) => size(ib, b, c)));
  const nk = prod(contracted.map((c) => size(ia, a, c)));
  const arrange = (t: string, x: Info, order: string[], shape: number[]): Info => {
    const perm = order.map((c) => t.indexOf(c));
    const moved = perm.every((p, k) => p === k) ? x : s.transpose(x, perm);
    return s.reshape(moved, shape);
  };
  const a3 = arrange(ia, a, [...batch, ...freeA, ...contracted], [nb, na, nk]);
  const b3 = arrange(ib, b, [...batch, ...contracted, ...freeB], [nb, nk, nbFree]);
  const y = s.run("BatchMatMul", { a: a3, b: b3 }, { transposeA: false, transposeB: false });
  const order = [...batch, ...freeA, ...freeB];
  const yShape = order.map((c) => (ia.includes(c) ? size(ia, a, c) : size(ib, b, c)));
  const yFull = s.reshape(y, yShape);
  const perm = [...io].map((c) => order.indexOf(c));
  return perm.every((p, k) => p === k) ? yFull : s.transpose(yFull, perm);
}
