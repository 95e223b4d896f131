/*
 * Shared definitions of dealkit's WebAssembly SIMD kernels (the *.c files beside this one, built into one
 * module by build.cjs). The kernels run on the TensorFlow.js wasm backend's own memory (the module imports
 * it): every pointer is a byte offset of a tensor on that heap, so there are no copies in or out. The
 * module must have no data segments and must never touch a stack in linear memory (the memory is the
 * backend's), which build.cjs checks.
 *
 * Float64 accumulators where a sum runs over many terms (the cpu backend, the reference of the gradient
 * check, sums in float64): float32 partial sums over a few rows, flushed into float64 every FLUSH_ROWS.
 */
#ifndef DEALKIT_SIMD_COMMON_H
#define DEALKIT_SIMD_COMMON_H
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))
#define FLUSH_ROWS 8

typedef float f32;
typedef double f64;

/* acc[i] += (f64) p[i]; p[i] = 0 */
static inline void flush(f32* restrict p, f64* restrict acc, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t v = wasm_v128_load(p + i);
    wasm_v128_store(acc + i, wasm_f64x2_add(wasm_v128_load(acc + i), wasm_f64x2_promote_low_f32x4(v)));
    v128_t hi = wasm_i32x4_shuffle(v, v, 2, 3, 2, 3);
    wasm_v128_store(acc + i + 2, wasm_f64x2_add(wasm_v128_load(acc + i + 2), wasm_f64x2_promote_low_f32x4(hi)));
    wasm_v128_store(p + i, wasm_f32x4_splat(0.0f));
  }
  for (; i < n; i++) {
    acc[i] += (f64)p[i];
    p[i] = 0.0f;
  }
}

static inline void zero32(f32* p, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(p + i, wasm_f32x4_splat(0.0f));
  for (; i < n; i++) p[i] = 0.0f;
}

static inline void zero64(f64* p, int n) {
  for (int i = 0; i < n; i++) p[i] = 0.0;
}

/* The four float32 lanes of v added in float64. */
static inline f64 lanes_sum(v128_t v) {
  return (f64)wasm_f32x4_extract_lane(v, 0) + (f64)wasm_f32x4_extract_lane(v, 1) + (f64)wasm_f32x4_extract_lane(v, 2) +
         (f64)wasm_f32x4_extract_lane(v, 3);
}

/* Sum of a row of n floats: two accumulators of four float32 lanes, combined in float64, the tail in float64. */
static inline f64 row_sum(const f32* x, int n) {
  v128_t s0 = wasm_f32x4_splat(0.0f), s1 = s0;
  int j = 0;
  for (; j + 8 <= n; j += 8) {
    s0 = wasm_f32x4_add(s0, wasm_v128_load(x + j));
    s1 = wasm_f32x4_add(s1, wasm_v128_load(x + j + 4));
  }
  for (; j + 4 <= n; j += 4) s0 = wasm_f32x4_add(s0, wasm_v128_load(x + j));
  f64 t = lanes_sum(wasm_f32x4_add(s0, s1));
  for (; j < n; j++) t += (f64)x[j];
  return t;
}

static inline void narrow(const f64* acc, f32* out, int n) {
  for (int i = 0; i < n; i++) out[i] = (f32)acc[i];
}

/* P[k, o..o+7] += sum over q of a[q * as + k] * b[q * bs + o..o+7], k < cb (cb <= 4, a constant after inlining). */
static inline __attribute__((always_inline)) void block8(const f32* restrict a, int as, const f32* restrict b, int bs, int n,
                                                         f32* restrict P, int nb, const int cb) {
  v128_t lo[4], hi[4];
  for (int k = 0; k < cb; k++) lo[k] = wasm_v128_load(P + k * nb), hi[k] = wasm_v128_load(P + k * nb + 4);
  for (int q = 0; q < n; q++, a += as, b += bs) {
    v128_t d0 = wasm_v128_load(b), d1 = wasm_v128_load(b + 4);
    for (int k = 0; k < cb; k++) {
      v128_t x = wasm_v128_load32_splat(a + k);
      lo[k] = wasm_f32x4_add(lo[k], wasm_f32x4_mul(x, d0));
      hi[k] = wasm_f32x4_add(hi[k], wasm_f32x4_mul(x, d1));
    }
  }
  for (int k = 0; k < cb; k++) wasm_v128_store(P + k * nb, lo[k]), wasm_v128_store(P + k * nb + 4, hi[k]);
}

/* As block8 for 4 columns. */
static inline __attribute__((always_inline)) void block4(const f32* restrict a, int as, const f32* restrict b, int bs, int n,
                                                         f32* restrict P, int nb, const int cb) {
  v128_t acc[4];
  for (int k = 0; k < cb; k++) acc[k] = wasm_v128_load(P + k * nb);
  for (int q = 0; q < n; q++, a += as, b += bs) {
    v128_t d = wasm_v128_load(b);
    for (int k = 0; k < cb; k++) acc[k] = wasm_f32x4_add(acc[k], wasm_f32x4_mul(wasm_v128_load32_splat(a + k), d));
  }
  for (int k = 0; k < cb; k++) wasm_v128_store(P + k * nb, acc[k]);
}

/* Rows c..c+cb-1 of P over every column: blocks of 8, then 4, then single columns. */
static inline __attribute__((always_inline)) void rows_of(const f32* restrict a, int as, const f32* restrict b, int bs, int n,
                                                          f32* restrict P, int nb, const int cb) {
  int o = 0;
  for (; o + 8 <= nb; o += 8) block8(a, as, b + o, bs, n, P + o, nb, cb);
  for (; o + 4 <= nb; o += 4) block4(a, as, b + o, bs, n, P + o, nb, cb);
  for (; o < nb; o++) {
    for (int k = 0; k < cb; k++) {
      f32 s = 0.0f;
      for (int q = 0; q < n; q++) s += a[q * as + k] * b[q * bs + o];
      P[k * nb + o] += s;
    }
  }
}

/*
 * One filter tap over one row of output pixels: P[c, o] += sum over q of a[q * as + c] * b[q * bs + o], for
 * c < na, o < nb (P is [na, nb]). Register blocks of up to 4 rows x 8 columns.
 */
static inline void tap_row(const f32* restrict a, int as, const f32* restrict b, int bs, int n, f32* restrict P, int na, int nb) {
  int c = 0;
  for (; c + 4 <= na; c += 4) rows_of(a + c, as, b, bs, n, P + c * nb, nb, 4);
  switch (na - c) {
    case 3: rows_of(a + c, as, b, bs, n, P + c * nb, nb, 3); break;
    case 2: rows_of(a + c, as, b, bs, n, P + c * nb, nb, 2); break;
    case 1: rows_of(a + c, as, b, bs, n, P + c * nb, nb, 1); break;
    default: break;
  }
}

/* Output columns q in [*q0, *q1) whose input column q * stride + off lies in [0, size). */
static inline void valid_range(int off, int stride, int size, int n, int* q0, int* q1) {
  int lo = off < 0 ? (-off + stride - 1) / stride : 0;
  int hi = size - 1 - off < 0 ? 0 : (size - 1 - off) / stride + 1;
  *q0 = lo;
  *q1 = hi < n ? hi : n;
}

#endif
