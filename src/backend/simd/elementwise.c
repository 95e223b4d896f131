/* Elementwise kernels: binary ops with row broadcasts, select. */
#include "common.h"

/*
 * out = a (op) b for float32 with b broadcast along rows: a is [rows, cols]; b is [rows, cols] (bRow = cols,
 * bCol = 1), [cols] (bRow = 0, bCol = 1), [rows, 1] (bRow = 1, bCol = 0), or a scalar (0, 0).
 * op: 0 add, 1 sub, 2 mul, 3 div, 4 maximum, 5 minimum (NaN if either is NaN, as Math.max / Math.min;
 * +0 above -0). Loops of 16 floats: the per-iteration overhead, not memory, limits a
 * loop of 4.
 */
static inline f32 max_nan(f32 a, f32 b) { return wasm_f32x4_extract_lane(wasm_f32x4_max(wasm_f32x4_splat(a), wasm_f32x4_splat(b)), 0); }
static inline f32 min_nan(f32 a, f32 b) { return wasm_f32x4_extract_lane(wasm_f32x4_min(wasm_f32x4_splat(a), wasm_f32x4_splat(b)), 0); }

#define SPAN(EXPR_V, EXPR_S, LOADB)                                                              \
  {                                                                                              \
    int j = 0;                                                                                   \
    for (; j + 16 <= len; j += 16) {                                                             \
      _Pragma("clang loop unroll(full)") for (int u = 0; u < 16; u += 4) {                       \
        v128_t x = wasm_v128_load(ap + j + u);                                                   \
        v128_t y = LOADB(j + u);                                                                 \
        wasm_v128_store(op_ + j + u, EXPR_V);                                                    \
      }                                                                                          \
    }                                                                                            \
    for (; j + 4 <= len; j += 4) {                                                               \
      v128_t x = wasm_v128_load(ap + j);                                                         \
      v128_t y = LOADB(j);                                                                       \
      wasm_v128_store(op_ + j, EXPR_V);                                                          \
    }                                                                                            \
    for (; j < len; j++) {                                                                       \
      f32 xs = ap[j], ys = bcol ? bp[j] : bp[0];                                                 \
      op_[j] = EXPR_S;                                                                           \
    }                                                                                            \
  }
#define LOAD_B(k) wasm_v128_load(bp + (k))
#define SPLAT_B(k) ysplat
#define BINARY(EXPR_V, EXPR_S)                                                                   \
  if (bRow == cols && bCol) {                                                                    \
    const f32 *ap = a, *bp = b;                                                                  \
    f32* op_ = out;                                                                              \
    int len = rows * cols, bcol = 1;                                                             \
    SPAN(EXPR_V, EXPR_S, LOAD_B)                                                                 \
  } else {                                                                                       \
    for (int r = 0; r < rows; r++) {                                                             \
      const f32* ap = a + r * cols;                                                              \
      const f32* bp = b + r * bRow;                                                              \
      f32* op_ = out + r * cols;                                                                 \
      int len = cols, bcol = bCol;                                                               \
      if (bCol) SPAN(EXPR_V, EXPR_S, LOAD_B)                                                     \
      else {                                                                                     \
        v128_t ysplat = wasm_v128_load32_splat(bp);                                              \
        SPAN(EXPR_V, EXPR_S, SPLAT_B)                                                            \
      }                                                                                          \
    }                                                                                            \
  }

EXPORT(binary_rows)
void binary_rows(int op, const f32* a, const f32* b, f32* out, int rows, int cols, int bRow, int bCol) {
  switch (op) {
    case 0: BINARY(wasm_f32x4_add(x, y), xs + ys) break;
    case 1: BINARY(wasm_f32x4_sub(x, y), xs - ys) break;
    case 2: BINARY(wasm_f32x4_mul(x, y), xs * ys) break;
    case 3: BINARY(wasm_f32x4_div(x, y), xs / ys) break;
    case 4: BINARY(wasm_f32x4_max(x, y), max_nan(xs, ys)) break;
    default: BINARY(wasm_f32x4_min(x, y), min_nan(xs, ys)) break;
  }
}

/* Select: out[i] = cond[i] ? t[i] : e[i], cond bytes, t and e 4-byte values of one shape. */
EXPORT(select_rows)
void select_rows(const uint8_t* cond, const uint32_t* t, const uint32_t* e, uint32_t* out, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    /* 4 condition bytes widened to 4 lanes */
    v128_t c = wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero(cond + i)));
    v128_t mask = wasm_i32x4_ne(c, wasm_i32x4_splat(0));
    wasm_v128_store(out + i, wasm_v128_bitselect(wasm_v128_load(t + i), wasm_v128_load(e + i), mask));
  }
  for (; i < n; i++) out[i] = cond[i] ? t[i] : e[i];
}

/* Sum of squared deviations from m over a row of n floats (lanes as row_sum). */
static inline f64 row_sq_dev(const f32* x, int n, f32 m) {
  v128_t mv = wasm_f32x4_splat(m);
  v128_t s0 = wasm_f32x4_splat(0.0f), s1 = s0;
  int j = 0;
  for (; j + 8 <= n; j += 8) {
    v128_t d0 = wasm_f32x4_sub(wasm_v128_load(x + j), mv), d1 = wasm_f32x4_sub(wasm_v128_load(x + j + 4), mv);
    s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(d0, d0));
    s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(d1, d1));
  }
  for (; j + 4 <= n; j += 4) {
    v128_t d = wasm_f32x4_sub(wasm_v128_load(x + j), mv);
    s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(d, d));
  }
  f64 t = lanes_sum(wasm_f32x4_add(s0, s1));
  for (; j < n; j++) {
    f32 d = x[j] - m;
    t += (f64)(d * d);
  }
  return t;
}

/* A row's mean and 1 / sqrt(biased variance + eps), as float32. */
static inline __attribute__((always_inline)) void row_stats(const f32* x, int n, f32 eps, f32* m, f32* rstd) {
  f32 mean = (f32)(row_sum(x, n) / (f64)n);
  f32 var = (f32)(row_sq_dev(x, n, mean) / (f64)n);
  *m = mean;
  *rstd = 1.0f / wasm_f32x4_extract_lane(wasm_f32x4_sqrt(wasm_f32x4_splat(var + eps)), 0);
}

/*
 * Layer normalisation over the last axis in one kernel: for each of `rows` rows of n floats,
 * y = (x - mean) * rstd * g + b with rstd = 1 / sqrt(var + eps) (the biased variance, as tf.moments), in two
 * passes over x instead of the eight of the composed ops.
 */
EXPORT(layer_norm_rows)
void layer_norm_rows(const f32* x, const f32* g, const f32* b, f32* y, int rows, int n, f32 eps) {
  for (int r = 0; r < rows; r++) {
    const f32* xp = x + r * n;
    f32* yp = y + r * n;
    f32 m, rstd;
    row_stats(xp, n, eps, &m, &rstd);
    v128_t mv = wasm_f32x4_splat(m), rv = wasm_f32x4_splat(rstd);
    int j = 0;
    for (; j + 4 <= n; j += 4) {
      v128_t d = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(xp + j), mv), rv);
      wasm_v128_store(yp + j, wasm_f32x4_add(wasm_f32x4_mul(d, wasm_v128_load(g + j)), wasm_v128_load(b + j)));
    }
    for (; j < n; j++) yp[j] = (xp[j] - m) * rstd * g[j] + b[j];
  }
}

/*
 * Gradient of layer_norm_rows: with xhat = (x - mean) * rstd (recomputed from x), dxhat = dy * g:
 * dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) per row, dg = sum over rows of dy * xhat,
 * db = sum over rows of dy. dg and db: float32 partial sums `pg`, `pb` (n each) flushed into the float64
 * `accg`, `accb` every FLUSH_ROWS rows, then narrowed into `dg`, `db`.
 */
EXPORT(layer_norm_grad_rows)
void layer_norm_grad_rows(const f32* x, const f32* g, const f32* dy, f32* dx, f32* dg, f32* db, f32* pg, f32* pb, f64* accg,
                          f64* accb, int rows, int n, f32 eps) {
  zero32(pg, n);
  zero32(pb, n);
  zero64(accg, n);
  zero64(accb, n);
  for (int r = 0; r < rows; r++) {
    const f32* xp = x + r * n;
    const f32* dp = dy + r * n;
    f32* op_ = dx + r * n;
    f32 m, rstd;
    row_stats(xp, n, eps, &m, &rstd);
    v128_t mv = wasm_f32x4_splat(m), rv = wasm_f32x4_splat(rstd);
    v128_t s1 = wasm_f32x4_splat(0.0f), s2 = s1;
    int j = 0;
    for (; j + 4 <= n; j += 4) {
      v128_t xh = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(xp + j), mv), rv);
      v128_t d = wasm_v128_load(dp + j);
      v128_t dxh = wasm_f32x4_mul(d, wasm_v128_load(g + j));
      s1 = wasm_f32x4_add(s1, dxh);
      s2 = wasm_f32x4_add(s2, wasm_f32x4_mul(dxh, xh));
      wasm_v128_store(pg + j, wasm_f32x4_add(wasm_v128_load(pg + j), wasm_f32x4_mul(d, xh)));
      wasm_v128_store(pb + j, wasm_f32x4_add(wasm_v128_load(pb + j), d));
    }
    f64 t1 = lanes_sum(s1), t2 = lanes_sum(s2);
    for (int k = j; k < n; k++) {
      f32 xh = (xp[k] - m) * rstd;
      f32 dxh = dp[k] * g[k];
      t1 += (f64)dxh;
      t2 += (f64)(dxh * xh);
      pg[k] += dp[k] * xh;
      pb[k] += dp[k];
    }
    f32 a1 = (f32)(t1 / (f64)n), a2 = (f32)(t2 / (f64)n);
    v128_t a1v = wasm_f32x4_splat(a1), a2v = wasm_f32x4_splat(a2);
    j = 0;
    for (; j + 4 <= n; j += 4) {
      v128_t xh = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(xp + j), mv), rv);
      v128_t dxh = wasm_f32x4_mul(wasm_v128_load(dp + j), wasm_v128_load(g + j));
      wasm_v128_store(op_ + j, wasm_f32x4_mul(rv, wasm_f32x4_sub(wasm_f32x4_sub(dxh, a1v), wasm_f32x4_mul(xh, a2v))));
    }
    for (; j < n; j++) {
      f32 xh = (xp[j] - m) * rstd;
      f32 dxh = dp[j] * g[j];
      op_[j] = rstd * ((dxh - a1) - xh * a2);
    }
    if ((r + 1) % FLUSH_ROWS == 0) {
      flush(pg, accg, n);
      flush(pb, accb, n);
    }
  }
  flush(pg, accg, n);
  flush(pb, accb, n);
  narrow(accg, dg, n);
  narrow(accb, db, n);
}
