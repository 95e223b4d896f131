/**
 * Stable orderings without comparators (typed arrays, linear time): pycocotools' order of detections and GT
 * is a chain of stable sorts, and these reproduce it exactly.
 */

/**
 * Stable counting sort of the indices `idx` by the small non-negative integer `key[i]` (< nKeys).
 * Returns the new order and `start[k]`, the position of the first index with key k (`start[nKeys]` = n).
 */
export function evalCountingSort(idx: Int32Array, key: Int32Array, nKeys: number): { order: Int32Array; start: Int32Array } {
  const n = idx.length;
  const start = new Int32Array(nKeys + 1);
  for (let i = 0; i < n; i++) start[key[idx[i]!]! + 1]!++;
  for (let k = 0; k < nKeys; k++) start[k + 1]! += start[k]!;
  const pos = start.slice(0, nKeys);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = idx[i]!;
    order[pos[key[v]!]!++] = v;
  }
  return { order, start };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Stable sort of the indices `idx` by descending `score[i]` (numpy's `argsort(-score, kind="mergesort")`):
 * an LSD radix sort on the IEEE-754 bits, 16 bits a pass. -0 and +0 are equal, as in numpy.
 */
export function evalSortByScoreDesc(idx: Int32Array, score: Float64Array): Int32Array {
  const n = idx.length;
  const hiKey = new Uint32Array(n);
  const loKey = new Uint32Array(n);
  const f = new Float64Array(1);
  const u = new Uint32Array(f.buffer);
  const hiW = LITTLE_ENDIAN ? 1 : 0;
  const loW = 1 - hiW;
  for (let i = 0; i < n; i++) {
    f[0] = -score[idx[i]!]! + 0; // ascending key <=> descending score; "+ 0" turns -0 into +0
    let hi = u[hiW]!;
    let lo = u[loW]!;
    if (hi & 0x80000000) {
      hi = ~hi >>> 0;
      lo = ~lo >>> 0;
    } else hi = (hi | 0x80000000) >>> 0;
    hiKey[i] = hi;
    loKey[i] = lo;
  }
  // Positions 0..n-1 into idx/keys, permuted pass by pass.
  let cur = new Int32Array(n);
  for (let i = 0; i < n; i++) cur[i] = i;
  let next = new Int32Array(n);
  const count = new Int32Array(65537);
  for (let pass = 0; pass < 4; pass++) {
    const keys = pass < 2 ? loKey : hiKey;
    const shift = pass % 2 === 0 ? 0 : 16;
    count.fill(0);
    for (let i = 0; i < n; i++) count[((keys[cur[i]!]! >>> shift) & 0xffff) + 1]!++;
    if (count[((keys[cur[0] ?? 0]! >>> shift) & 0xffff) + 1] === n) continue; // one digit value: nothing moves
    for (let k = 0; k < 65536; k++) count[k + 1]! += count[k]!;
    for (let i = 0; i < n; i++) {
      const p = cur[i]!;
      next[count[(keys[p]! >>> shift) & 0xffff]!++] = p;
    }
    const t = cur;
    cur = next;
    next = t;
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = idx[cur[i]!]!;
  return out;
}
