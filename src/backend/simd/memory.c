/* Row copies, gathers and segment sums. */
#include "common.h"

/* Copies len 4-byte values per row: dst[r * ds + k] = src[r * ss + k] (float32 and int32 alike). */
static inline __attribute__((always_inline)) void copy_span(const uint32_t* restrict s, uint32_t* restrict d, int len) {
  int k = 0;
  for (; k + 16 <= len; k += 16) {
    v128_t a = wasm_v128_load(s + k), b = wasm_v128_load(s + k + 4), c = wasm_v128_load(s + k + 8), e = wasm_v128_load(s + k + 12);
    wasm_v128_store(d + k, a), wasm_v128_store(d + k + 4, b), wasm_v128_store(d + k + 8, c), wasm_v128_store(d + k + 12, e);
  }
  for (; k + 4 <= len; k += 4) wasm_v128_store(d + k, wasm_v128_load(s + k));
  for (; k < len; k++) d[k] = s[k];
}

EXPORT(copy_rows)
void copy_rows(const uint32_t* src, int ss, uint32_t* dst, int ds, int rows, int len) {
  for (int r = 0; r < rows; r++) copy_span(src + r * ss, dst + r * ds, len);
}

/* dst[o, i, :] = src[o, ids[i], :] for o < outer, i < n; rows of `inner` 4-byte values, `dim` rows per o.
 * The caller checks that every id is in [0, dim). */
EXPORT(gather_rows)
void gather_rows(const uint32_t* src, const int32_t* ids, uint32_t* dst, int n, int inner, int outer, int dim) {
  for (int o = 0; o < outer; o++) {
    const uint32_t* base = src + o * dim * inner;
    uint32_t* out = dst + o * n * inner;
    for (int i = 0; i < n; i++) copy_span(base + ids[i] * inner, out + i * inner, inner);
  }
}

/* UnsortedSegmentSum: out[s, :] = sum of x[i, :] over i with ids[i] == s; ids outside [0, segments) are
 * dropped (as on the cpu backend). Rows of `inner` floats, summed in float32 in the order of i. */
EXPORT(segment_sum_rows)
void segment_sum_rows(const f32* x, const int32_t* ids, f32* out, int n, int inner, int segments) {
  zero32(out, segments * inner);
  for (int i = 0; i < n; i++) {
    int s = ids[i];
    if (s < 0 || s >= segments) continue;
    const f32* xp = x + i * inner;
    f32* op_ = out + s * inner;
    int k = 0;
    for (; k + 4 <= inner; k += 4) wasm_v128_store(op_ + k, wasm_f32x4_add(wasm_v128_load(op_ + k), wasm_v128_load(xp + k)));
    for (; k < inner; k++) op_[k] += xp[k];
  }
}

