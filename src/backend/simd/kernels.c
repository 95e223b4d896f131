/*
 * dealkit's own WebAssembly SIMD kernels for the wasm backend of TensorFlow.js. They run on the backend's
 * own memory (the module imports it): every pointer is a byte offset of a tensor on that heap, so there
 * are no copies in or out. Built by build.cjs beside this file (clang --target=wasm32 -msimd128); the
 * module must have no data segments and must never touch a stack in linear memory (the memory is the
 * backend's), which build.cjs checks.
 *
 * Float64 accumulators where a sum runs over many terms (the cpu backend, the reference of the gradient
 * check, sums in float64): float32 partial sums over at most one image row, flushed into float64 every
 * FLUSH_ROWS rows.
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))
#define FLUSH_ROWS 8

typedef float f32;
typedef double f64;

/* acc[i] += (f64) p[i]; p[i] = 0 */
static void flush(f32* restrict p, f64* restrict acc, int n) {
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

static void zero32(f32* p, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(p + i, wasm_f32x4_splat(0.0f));
  for (; i < n; i++) p[i] = 0.0f;
}

static void zero64(f64* p, int n) {
  for (int i = 0; i < n; i++) p[i] = 0.0;
}

static void narrow(const f64* acc, f32* out, int n) {
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
static void tap_row(const f32* restrict a, int as, const f32* restrict b, int bs, int n, f32* restrict P, int na, int nb) {
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
static void valid_range(int off, int stride, int size, int n, int* q0, int* q1) {
  int lo = off < 0 ? (-off + stride - 1) / stride : 0;
  int hi = size - 1 - off < 0 ? 0 : (size - 1 - off) / stride + 1;
  *q0 = lo;
  *q1 = hi < n ? hi : n;
}

/*
 * Conv2DBackpropFilter, NHWC, any stride, dilation and padding:
 * dw[i, j, c, o] = sum over b, y, q of x[b, y*sh + i*dh - pt, q*sw + j*dw - pl, c] * dy[b, y, q, o]
 * (taps outside x are zero padding). dw is [kh, kw, ci, co]; acc is scratch for kh*kw*ci*co doubles.
 * Float32 partial sums over at most FLUSH_ROWS row chunks, then float64.
 * With fewer than 8 output channels and more input channels, each tap is accumulated transposed ([co, ci]:
 * the wide side in the SIMD lanes) and transposed back at the end.
 */
EXPORT(conv2d_filter_grad)
void conv2d_filter_grad(const f32* x, const f32* dy, f32* dw, f64* acc, int B, int H, int W, int ci, int oh, int ow, int co,
                        int kh, int kw, int sh, int sw, int dh, int dwl, int pt, int pl) {
  int n = kh * kw * ci * co;
  int swap = co < 8 && ci > co;
  zero32(dw, n);
  zero64(acc, n);
  /* Rows are taken in chunks of about 32 KB of x and dy, so that the register blocks' passes stay in L1. */
  int chunk = 8192 / (ci + co);
  chunk = chunk < 16 ? 16 : chunk > 256 ? 256 : chunk;
  int segments = 0;
  for (int b = 0; b < B; b++) {
    for (int y = 0; y < oh; y++) {
      const f32* dyrow = dy + ((b * oh + y) * ow) * co;
      for (int c0 = 0; c0 < ow; c0 += chunk) {
        int c1 = c0 + chunk < ow ? c0 + chunk : ow;
        for (int i = 0; i < kh; i++) {
          int xr = y * sh + i * dh - pt;
          if (xr < 0 || xr >= H) continue;
          const f32* xrow = x + ((b * H + xr) * W) * ci;
          for (int j = 0; j < kw; j++) {
            int off = j * dwl - pl;
            int q0, q1;
            valid_range(off, sw, W, ow, &q0, &q1);
            q0 = q0 > c0 ? q0 : c0;
            q1 = q1 < c1 ? q1 : c1;
            if (q0 >= q1) continue;
            const f32* xs = xrow + (q0 * sw + off) * ci;
            const f32* ds = dyrow + q0 * co;
            f32* P = dw + (i * kw + j) * ci * co;
            if (swap) tap_row(ds, co, xs, sw * ci, q1 - q0, P, co, ci);
            else tap_row(xs, sw * ci, ds, co, q1 - q0, P, ci, co);
          }
        }
        if (++segments == FLUSH_ROWS) {
          flush(dw, acc, n);
          segments = 0;
        }
      }
    }
  }
  flush(dw, acc, n);
  if (!swap) {
    narrow(acc, dw, n);
    return;
  }
  for (int t = 0; t < kh * kw; t++) {
    for (int c = 0; c < ci; c++) {
      for (int o = 0; o < co; o++) dw[(t * ci + c) * co + o] = (f32)acc[(t * co + o) * ci + c];
    }
  }
}

/*
 * DepthwiseConv2dNativeBackpropFilter, NHWC, channel multiplier m:
 * dw[i, j, c, k] = sum over b, y, q of x[b, y*sh + i*dh - pt, q*sw + j*dw - pl, c] * dy[b, y, q, c*m + k].
 */
EXPORT(depthwise_filter_grad)
void depthwise_filter_grad(const f32* x, const f32* dy, f32* dw, f64* acc, int B, int H, int W, int ci, int m, int oh, int ow,
                           int kh, int kw, int sh, int sw, int dh, int dwl, int pt, int pl) {
  int cm = ci * m;
  int n = kh * kw * cm;
  zero32(dw, n);
  zero64(acc, n);
  int rows = 0;
  for (int b = 0; b < B; b++) {
    for (int y = 0; y < oh; y++) {
      const f32* dyrow = dy + ((b * oh + y) * ow) * cm;
      for (int i = 0; i < kh; i++) {
        int xr = y * sh + i * dh - pt;
        if (xr < 0 || xr >= H) continue;
        const f32* xrow = x + ((b * H + xr) * W) * ci;
        for (int j = 0; j < kw; j++) {
          int off = j * dwl - pl;
          int q0, q1;
          valid_range(off, sw, W, ow, &q0, &q1);
          if (q0 >= q1) continue;
          f32* P = dw + (i * kw + j) * cm;
          const f32* xs = xrow + (q0 * sw + off) * ci;
          const f32* ds = dyrow + q0 * cm;
          int cnt = q1 - q0;
          int xstride = sw * ci;
          if (m == 1) {
            int c = 0;
            for (; c + 16 <= ci; c += 16) {
              v128_t a0 = wasm_v128_load(P + c), a1 = wasm_v128_load(P + c + 4);
              v128_t a2 = wasm_v128_load(P + c + 8), a3 = wasm_v128_load(P + c + 12);
              const f32* xp = xs + c;
              const f32* dp = ds + c;
              for (int q = 0; q < cnt; q++, xp += xstride, dp += cm) {
                a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(xp), wasm_v128_load(dp)));
                a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(wasm_v128_load(xp + 4), wasm_v128_load(dp + 4)));
                a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(wasm_v128_load(xp + 8), wasm_v128_load(dp + 8)));
                a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(wasm_v128_load(xp + 12), wasm_v128_load(dp + 12)));
              }
              wasm_v128_store(P + c, a0), wasm_v128_store(P + c + 4, a1);
              wasm_v128_store(P + c + 8, a2), wasm_v128_store(P + c + 12, a3);
            }
            for (; c + 4 <= ci; c += 4) {
              v128_t a = wasm_v128_load(P + c);
              const f32* xp = xs + c;
              const f32* dp = ds + c;
              for (int q = 0; q < cnt; q++, xp += xstride, dp += cm) a = wasm_f32x4_add(a, wasm_f32x4_mul(wasm_v128_load(xp), wasm_v128_load(dp)));
              wasm_v128_store(P + c, a);
            }
            for (; c < ci; c++) {
              f32 s = 0.0f;
              for (int q = 0; q < cnt; q++) s += xs[q * xstride + c] * ds[q * cm + c];
              P[c] += s;
            }
          } else {
            for (int q = 0; q < cnt; q++) {
              const f32* xp = xs + q * xstride;
              const f32* dp = ds + q * cm;
              for (int c = 0; c < ci; c++) {
                f32 xv = xp[c];
                for (int k = 0; k < m; k++) P[c * m + k] += xv * dp[c * m + k];
              }
            }
          }
        }
      }
      if (++rows == FLUSH_ROWS) {
        flush(dw, acc, n);
        rows = 0;
      }
    }
  }
  flush(dw, acc, n);
  narrow(acc, dw, n);
}

/* out[j] = sum over r of x[r * cols + j] (float64 accumulators, float32 partial sums over 8 rows). */
EXPORT(sum_rows)
void sum_rows(const f32* x, f32* out, f64* acc, int rows, int cols) {
  zero32(out, cols);
  zero64(acc, cols);
  for (int r0 = 0; r0 < rows; r0 += FLUSH_ROWS) {
    int r1 = r0 + FLUSH_ROWS < rows ? r0 + FLUSH_ROWS : rows;
    int j = 0;
    for (; j + 16 <= cols; j += 16) {
      v128_t a0 = wasm_v128_load(out + j), a1 = wasm_v128_load(out + j + 4);
      v128_t a2 = wasm_v128_load(out + j + 8), a3 = wasm_v128_load(out + j + 12);
      for (int r = r0; r < r1; r++) {
        const f32* p = x + r * cols + j;
        a0 = wasm_f32x4_add(a0, wasm_v128_load(p));
        a1 = wasm_f32x4_add(a1, wasm_v128_load(p + 4));
        a2 = wasm_f32x4_add(a2, wasm_v128_load(p + 8));
        a3 = wasm_f32x4_add(a3, wasm_v128_load(p + 12));
      }
      wasm_v128_store(out + j, a0), wasm_v128_store(out + j + 4, a1);
      wasm_v128_store(out + j + 8, a2), wasm_v128_store(out + j + 12, a3);
    }
    for (; j + 4 <= cols; j += 4) {
      v128_t a = wasm_v128_load(out + j);
      for (int r = r0; r < r1; r++) a = wasm_f32x4_add(a, wasm_v128_load(x + r * cols + j));
      wasm_v128_store(out + j, a);
    }
    for (; j < cols; j++) {
      f32 s = out[j];
      for (int r = r0; r < r1; r++) s += x[r * cols + j];
      out[j] = s;
    }
    flush(out, acc, cols);
  }
  narrow(acc, out, cols);
}

/* C[m x n] = A[m x k] * Bm[k x n], all row-major, n a multiple of 4. Register blocks of 4 rows x 8 columns. */
static void gemm(const f32* restrict A, const f32* restrict Bm, f32* restrict C, int m, int k, int n) {
  int r = 0;
  for (; r + 4 <= m; r += 4) {
    const f32* a0 = A + r * k;
    const f32* a1 = a0 + k;
    const f32* a2 = a1 + k;
    const f32* a3 = a2 + k;
    int o = 0;
    for (; o + 8 <= n; o += 8) {
      v128_t c00 = wasm_f32x4_splat(0.0f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
      const f32* bp = Bm + o;
      for (int q = 0; q < k; q++, bp += n) {
        v128_t d0 = wasm_v128_load(bp), d1 = wasm_v128_load(bp + 4);
        v128_t x0 = wasm_v128_load32_splat(a0 + q);
        c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(x0, d0));
        c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(x0, d1));
        v128_t x1 = wasm_v128_load32_splat(a1 + q);
        c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(x1, d0));
        c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(x1, d1));
        v128_t x2 = wasm_v128_load32_splat(a2 + q);
        c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(x2, d0));
        c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(x2, d1));
        v128_t x3 = wasm_v128_load32_splat(a3 + q);
        c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(x3, d0));
        c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(x3, d1));
      }
      f32* cp = C + r * n + o;
      wasm_v128_store(cp, c00), wasm_v128_store(cp + 4, c01);
      wasm_v128_store(cp + n, c10), wasm_v128_store(cp + n + 4, c11);
      wasm_v128_store(cp + 2 * n, c20), wasm_v128_store(cp + 2 * n + 4, c21);
      wasm_v128_store(cp + 3 * n, c30), wasm_v128_store(cp + 3 * n + 4, c31);
    }
    for (; o < n; o += 4) {
      v128_t c0 = wasm_f32x4_splat(0.0f), c1 = c0, c2 = c0, c3 = c0;
      const f32* bp = Bm + o;
      for (int q = 0; q < k; q++, bp += n) {
        v128_t d = wasm_v128_load(bp);
        c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(wasm_v128_load32_splat(a0 + q), d));
        c1 = wasm_f32x4_add(c1, wasm_f32x4_mul(wasm_v128_load32_splat(a1 + q), d));
        c2 = wasm_f32x4_add(c2, wasm_f32x4_mul(wasm_v128_load32_splat(a2 + q), d));
        c3 = wasm_f32x4_add(c3, wasm_f32x4_mul(wasm_v128_load32_splat(a3 + q), d));
      }
      f32* cp = C + r * n + o;
      wasm_v128_store(cp, c0), wasm_v128_store(cp + n, c1), wasm_v128_store(cp + 2 * n, c2), wasm_v128_store(cp + 3 * n, c3);
    }
  }
  for (; r < m; r++) {
    const f32* a0 = A + r * k;
    for (int o = 0; o < n; o += 4) {
      v128_t c0 = wasm_f32x4_splat(0.0f);
      for (int q = 0; q < k; q++) c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(wasm_v128_load32_splat(a0 + q), wasm_v128_load(Bm + q * n + o)));
      wasm_v128_store(C + r * n + o, c0);
    }
  }
}

/* Winograd F(2x2, 3x3) filter transform: U[e][c][o] = (G g G^T)[e], e = 4*row + col; g is [3][3][ci][co]. */
static void winograd_filter(const f32* restrict g, f32* restrict U, int ci, int co) {
  int cc = ci * co;
  /* Small (ci * co taps); not vectorised, which would put a frame on a stack in linear memory. */
  _Pragma("clang loop vectorize(disable)") for (int p = 0; p < cc; p++) {
    f32 w[3][3], t[4][3];
    _Pragma("clang loop unroll(full)") for (int i = 0; i < 3; i++)
      _Pragma("clang loop unroll(full)") for (int j = 0; j < 3; j++) w[i][j] = g[(i * 3 + j) * cc + p];
    _Pragma("clang loop unroll(full)") for (int j = 0; j < 3; j++) {
      t[0][j] = w[0][j];
      t[1][j] = 0.5f * (w[0][j] + w[1][j] + w[2][j]);
      t[2][j] = 0.5f * (w[0][j] - w[1][j] + w[2][j]);
      t[3][j] = w[2][j];
    }
    _Pragma("clang loop unroll(full)") for (int i = 0; i < 4; i++) {
      U[(i * 4 + 0) * cc + p] = t[i][0];
      U[(i * 4 + 1) * cc + p] = 0.5f * (t[i][0] + t[i][1] + t[i][2]);
      U[(i * 4 + 2) * cc + p] = 0.5f * (t[i][0] - t[i][1] + t[i][2]);
      U[(i * 4 + 3) * cc + p] = t[i][2];
    }
  }
}

/* Winograd F(2x2, 3x3) input transform of the 4x4 patch at (y0, x0) of image b (zeros outside):
 * vp[e * es + c] = (B^T d B)[e] for every channel c (ci a multiple of 4). */
static inline __attribute__((always_inline)) void input_tile(const f32* x, int b, int H, int W, int ci, int y0, int x0, f32* vp, int es) {
  v128_t zero = wasm_f32x4_splat(0.0f);
  int inside = y0 >= 0 && y0 + 4 <= H && x0 >= 0 && x0 + 4 <= W;
  const f32* base = x + ((b * H + y0) * W + x0) * ci;
  for (int c = 0; c < ci; c += 4) {
    v128_t d[4][4];
    if (inside) {
      _Pragma("clang loop unroll(full)") for (int i = 0; i < 4; i++)
        _Pragma("clang loop unroll(full)") for (int j = 0; j < 4; j++) d[i][j] = wasm_v128_load(base + (i * W + j) * ci + c);
    } else {
      _Pragma("clang loop unroll(full)") for (int i = 0; i < 4; i++) {
        _Pragma("clang loop unroll(full)") for (int j = 0; j < 4; j++) {
          int ok = y0 + i >= 0 && y0 + i < H && x0 + j >= 0 && x0 + j < W;
          d[i][j] = ok ? wasm_v128_load(base + (i * W + j) * ci + c) : zero;
        }
      }
    }
    v128_t s[4][4];
    _Pragma("clang loop unroll(full)") for (int j = 0; j < 4; j++) {
      s[0][j] = wasm_f32x4_sub(d[0][j], d[2][j]);
      s[1][j] = wasm_f32x4_add(d[1][j], d[2][j]);
      s[2][j] = wasm_f32x4_sub(d[2][j], d[1][j]);
      s[3][j] = wasm_f32x4_sub(d[1][j], d[3][j]);
    }
    _Pragma("clang loop unroll(full)") for (int i = 0; i < 4; i++) {
      wasm_v128_store(vp + (i * 4 + 0) * es + c, wasm_f32x4_sub(s[i][0], s[i][2]));
      wasm_v128_store(vp + (i * 4 + 1) * es + c, wasm_f32x4_add(s[i][1], s[i][2]));
      wasm_v128_store(vp + (i * 4 + 2) * es + c, wasm_f32x4_sub(s[i][2], s[i][1]));
      wasm_v128_store(vp + (i * 4 + 3) * es + c, wasm_f32x4_sub(s[i][1], s[i][3]));
    }
  }
}

/*
 * 3x3 convolution, stride 1, no dilation, NHWC, by Winograd F(2x2, 3x3): 16 products of [tiles, ci] x [ci, co]
 * instead of 36 multiplies per 2x2 outputs, in blocks of `tb` tiles so the transformed tiles stay in cache.
 * ci and co must be multiples of 4. bias (0 for none) has co values; relu != 0 clamps at 0.
 * Scratch: U has 16*ci*co floats, V 16*tb*ci, M 16*tb*co.
 */
EXPORT(winograd_conv3x3)
void winograd_conv3x3(const f32* x, const f32* g, const f32* bias, f32* y, f32* U, f32* V, f32* M, int B, int H, int W, int ci,
                      int oh, int ow, int co, int pt, int pl, int relu, int tb) {
  winograd_filter(g, U, ci, co);
  int th = (oh + 1) / 2, tw = (ow + 1) / 2;
  int T = B * th * tw;
  v128_t zero = wasm_f32x4_splat(0.0f);
  for (int t0 = 0; t0 < T; t0 += tb) {
    int nt = T - t0 < tb ? T - t0 : tb;
    /* Input transform: V[e][k][c] = (B^T d B)[e] for the 4x4 patch d of tile t0 + k. */
    for (int k = 0; k < nt; k++) {
      int t = t0 + k;
      int b = t / (th * tw), r = t - b * th * tw;
      int ty = r / tw, tx = r - ty * tw;
      input_tile(x, b, H, W, ci, 2 * ty - pt, 2 * tx - pl, V + k * ci, tb * ci);
    }
    for (int e = 0; e < 16; e++) gemm(V + e * tb * ci, U + e * ci * co, M + e * tb * co, nt, ci, co);
    /* Output transform: the 2x2 outputs A^T m A of each tile, plus bias, clamped for relu. */
    for (int k = 0; k < nt; k++) {
      int t = t0 + k;
      int b = t / (th * tw), r = t - b * th * tw;
      int ty = r / tw, tx = r - ty * tw;
      int oy = 2 * ty, ox = 2 * tx;
      const f32* mp = M + k * co;
      int es = tb * co;
      for (int o = 0; o < co; o += 4) {
        v128_t m[4][4];
        _Pragma("clang loop unroll(full)") for (int i = 0; i < 4; i++)
          _Pragma("clang loop unroll(full)") for (int j = 0; j < 4; j++) m[i][j] = wasm_v128_load(mp + (i * 4 + j) * es + o);
        v128_t u[2][4];
        _Pragma("clang loop unroll(full)") for (int j = 0; j < 4; j++) {
          u[0][j] = wasm_f32x4_add(wasm_f32x4_add(m[0][j], m[1][j]), m[2][j]);
          u[1][j] = wasm_f32x4_sub(wasm_f32x4_sub(m[1][j], m[2][j]), m[3][j]);
        }
        v128_t bv = bias ? wasm_v128_load(bias + o) : zero;
        _Pragma("clang loop unroll(full)") for (int i = 0; i < 2; i++) {
          if (oy + i >= oh) break;
          v128_t v0 = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(u[i][0], u[i][1]), u[i][2]), bv);
          v128_t v1 = wasm_f32x4_add(wasm_f32x4_sub(wasm_f32x4_sub(u[i][1], u[i][2]), u[i][3]), bv);
          if (relu) v0 = wasm_f32x4_max(v0, zero), v1 = wasm_f32x4_max(v1, zero);
          f32* yp = y + ((b * oh + oy + i) * ow + ox) * co + o;
          wasm_v128_store(yp, v0);
          if (ox + 1 < ow) wasm_v128_store(yp + co, v1);
        }
      }
    }
  }
}

/*
 * Conv2DBackpropFilter of a 3x3, stride-1 convolution by Winograd F(3x3, 2x2), the transpose of the forward
 * F(2x2, 3x3): dw = G^T [ sum over tiles of (A D A^T) . (B^T X B) ] G, with X the 4x4 input patch and D the
 * 2x2 dy tile of each output tile (dy zero past the edge). 16 products of [ci, tiles] x [tiles, co] in blocks
 * of tb tiles; float32 partial sums over FLUSH_ROWS blocks, then float64. ci and co multiples of 4.
 * Scratch: P has 16*ci*co floats, acc 16*ci*co doubles, V 16*tb*ci floats, D 16*tb*co floats.
 */
EXPORT(winograd_filter_grad3x3)
void winograd_filter_grad3x3(const f32* x, const f32* dy, f32* dw, f32* P, f64* acc, f32* V, f32* D, int B, int H, int W, int ci,
                             int oh, int ow, int co, int pt, int pl, int tb) {
  int n16 = 16 * ci * co;
  zero32(P, n16);
  zero64(acc, n16);
  int th = (oh + 1) / 2, tw = (ow + 1) / 2;
  int T = B * th * tw;
  v128_t zero = wasm_f32x4_splat(0.0f);
  int segments = 0;
  for (int t0 = 0; t0 < T; t0 += tb) {
    int nt = T - t0 < tb ? T - t0 : tb;
    for (int k = 0; k < nt; k++) {
      int t = t0 + k;
      int b = t / (th * tw), r = t - b * th * tw;
      int ty = r / tw, tx = r - ty * tw;
      int oy = 2 * ty, ox = 2 * tx;
      input_tile(x, b, H, W, ci, oy - pt, ox - pl, V + k * ci, tb * ci);
      const f32* dp = dy + ((b * oh + oy) * ow + ox) * co;
      int down = oy + 1 < oh, right = ox + 1 < ow;
      f32* out = D + k * co;
      int es = tb * co;
      for (int o = 0; o < co; o += 4) {
        v128_t d00 = wasm_v128_load(dp + o);
        v128_t d01 = right ? wasm_v128_load(dp + co + o) : zero;
        v128_t d10 = down ? wasm_v128_load(dp + ow * co + o) : zero;
        v128_t d11 = down && right ? wasm_v128_load(dp + (ow + 1) * co + o) : zero;
        /* rows: A d = [d0, d0 + d1, d0 - d1, -d1] */
        v128_t r[4][2] = {
          {d00, d01},
          {wasm_f32x4_add(d00, d10), wasm_f32x4_add(d01, d11)},
          {wasm_f32x4_sub(d00, d10), wasm_f32x4_sub(d01, d11)},
          {wasm_f32x4_neg(d10), wasm_f32x4_neg(d11)},
        };
        _Pragma("clang loop unroll(full)") for (int i = 0; i < 4; i++) {
          wasm_v128_store(out + (i * 4 + 0) * es + o, r[i][0]);
          wasm_v128_store(out + (i * 4 + 1) * es + o, wasm_f32x4_add(r[i][0], r[i][1]));
          wasm_v128_store(out + (i * 4 + 2) * es + o, wasm_f32x4_sub(r[i][0], r[i][1]));
          wasm_v128_store(out + (i * 4 + 3) * es + o, wasm_f32x4_neg(r[i][1]));
        }
      }
    }
    for (int e = 0; e < 16; e++) tap_row(V + e * tb * ci, ci, D + e * tb * co, co, nt, P + e * ci * co, ci, co);
    if (++segments == FLUSH_ROWS) {
      flush(P, acc, n16);
      segments = 0;
    }
  }
  flush(P, acc, n16);
  /* dw = G^T m G, G^T = [[1, .5, .5, 0], [0, .5, -.5, 0], [0, .5, .5, 1]] */
  int cc = ci * co;
  _Pragma("clang loop vectorize(disable)") for (int p = 0; p < cc; p++) {
    f64 m[4][4], u[3][4];
    _Pragma("clang loop unroll(full)") for (int e = 0; e < 16; e++) m[e / 4][e % 4] = acc[e * cc + p];
    _Pragma("clang loop unroll(full)") for (int j = 0; j < 4; j++) {
      u[0][j] = m[0][j] + 0.5 * (m[1][j] + m[2][j]);
      u[1][j] = 0.5 * (m[1][j] - m[2][j]);
      u[2][j] = 0.5 * (m[1][j] + m[2][j]) + m[3][j];
    }
    _Pragma("clang loop unroll(full)") for (int i = 0; i < 3; i++) {
      dw[(i * 3 + 0) * cc + p] = (f32)(u[i][0] + 0.5 * (u[i][1] + u[i][2]));
      dw[(i * 3 + 1) * cc + p] = (f32)(0.5 * (u[i][1] - u[i][2]));
      dw[(i * 3 + 2) * cc + p] = (f32)(0.5 * (u[i][1] + u[i][2]) + u[i][3]);
    }
  }
}

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

/*
 * Sum over the axes r1 and r2 of x viewed as [A, R1, B, R2, C]: out[a, b, :] = sum over r1, r2 of
 * x[a, r1, b, r2, :] (out is [A, B, C]). Float32 partial sums over FLUSH_ROWS rows, then float64 (acc has C
 * doubles).
 */
EXPORT(sum_strided)
void sum_strided(const f32* x, f32* out, f64* acc, int A, int R1, int B, int R2, int C) {
  int rows = R1 * R2;
  for (int a = 0; a < A; a++) {
    for (int b = 0; b < B; b++) {
      f32* op_ = out + (a * B + b) * C;
      zero32(op_, C);
      zero64(acc, C);
      int pending = 0;
      for (int r = 0; r < rows; r++) {
        int r1 = r / R2, r2 = r - r1 * R2;
        const f32* xp = x + (((a * R1 + r1) * B + b) * R2 + r2) * C;
        int j = 0;
        for (; j + 4 <= C; j += 4) wasm_v128_store(op_ + j, wasm_f32x4_add(wasm_v128_load(op_ + j), wasm_v128_load(xp + j)));
        for (; j < C; j++) op_[j] += xp[j];
        if (++pending == FLUSH_ROWS) {
          flush(op_, acc, C);
          pending = 0;
        }
      }
      flush(op_, acc, C);
      narrow(acc, op_, C);
    }
  }
}

/* out[r] = scale * sum over j of x[r * len + j]: four float32 lanes per row, combined in float64. */
EXPORT(sum_last)
void sum_last(const f32* x, f32* out, int rows, int len, f32 scale) {
  for (int r = 0; r < rows; r++) {
    const f32* xp = x + r * len;
    v128_t s0 = wasm_f32x4_splat(0.0f), s1 = s0;
    int j = 0;
    for (; j + 8 <= len; j += 8) {
      s0 = wasm_f32x4_add(s0, wasm_v128_load(xp + j));
      s1 = wasm_f32x4_add(s1, wasm_v128_load(xp + j + 4));
    }
    for (; j + 4 <= len; j += 4) s0 = wasm_f32x4_add(s0, wasm_v128_load(xp + j));
    v128_t s = wasm_f32x4_add(s0, s1);
    f64 t = (f64)wasm_f32x4_extract_lane(s, 0) + (f64)wasm_f32x4_extract_lane(s, 1) + (f64)wasm_f32x4_extract_lane(s, 2) +
            (f64)wasm_f32x4_extract_lane(s, 3);
    for (; j < len; j++) t += (f64)xp[j];
    out[r] = (f32)(t * (f64)scale);
  }
}

/* dst[k] += w * src[k], k < n. */
static inline __attribute__((always_inline)) void axpy(f32* restrict dst, const f32* restrict src, f32 w, int n) {
  v128_t wv = wasm_f32x4_splat(w);
  int k = 0;
  for (; k + 4 <= n; k += 4) wasm_v128_store(dst + k, wasm_f32x4_add(wasm_v128_load(dst + k), wasm_f32x4_mul(wasm_v128_load(src + k), wv)));
  for (; k < n; k++) dst[k] += w * src[k];
}

/*
 * ResizeBilinearGrad: the transpose of TensorFlow.js's bilinear resize (its cpu forward kernel, whose source
 * coordinate is scale * r, or scale * (r + 0.5) - 0.5 with half-pixel centres): every dy pixel adds into its
 * four source pixels, channels in SIMD lanes. dx is [B, xH, xW, C], dy [B, yH, yW, C]. (TensorFlow.js 4.22's
 * own gradient kernels ignore half-pixel centres, so they are wrong there.)
 */
EXPORT(resize_bilinear_grad)
void resize_bilinear_grad(const f32* dy, f32* dx, int B, int xH, int xW, int yH, int yW, int C, f64 hScale, f64 wScale, int half) {
  zero32(dx, B * xH * xW * C);
  for (int b = 0; b < B; b++) {
    for (int r = 0; r < yH; r++) {
      f64 fr = half ? hScale * (r + 0.5) - 0.5 : hScale * r;
      int top = (int)__builtin_floor(fr);
      if (top < 0) top = 0;
      int bottom = (int)__builtin_ceil(fr);
      if (bottom > xH - 1) bottom = xH - 1;
      f64 rl = fr - top;
      for (int c = 0; c < yW; c++) {
        f64 fc = half ? wScale * (c + 0.5) - 0.5 : wScale * c;
        int left = (int)__builtin_floor(fc);
        if (left < 0) left = 0;
        int right = (int)__builtin_ceil(fc);
        if (right > xW - 1) right = xW - 1;
        f64 cl = fc - left;
        const f32* g = dy + ((b * yH + r) * yW + c) * C;
        f32* base = dx + b * xH * xW * C;
        axpy(base + (top * xW + left) * C, g, (f32)((1.0 - rl) * (1.0 - cl)), C);
        axpy(base + (top * xW + right) * C, g, (f32)((1.0 - rl) * cl), C);
        axpy(base + (bottom * xW + left) * C, g, (f32)(rl * (1.0 - cl)), C);
        axpy(base + (bottom * xW + right) * C, g, (f32)(rl * cl), C);
      }
    }
  }
}

/*
 * ResizeNearestNeighborGrad: the transpose of TensorFlow.js's nearest-neighbour resize (source scale * r, or
 * scale * (r + 0.5) with half-pixel centres; rounded with align corners, floored without): each dy pixel
 * adds into the source pixel the forward pass read.
 */
EXPORT(resize_nearest_grad)
void resize_nearest_grad(const f32* dy, f32* dx, int B, int xH, int xW, int yH, int yW, int C, f64 hScale, f64 wScale, int half,
                         int alignCorners) {
  zero32(dx, B * xH * xW * C);
  for (int b = 0; b < B; b++) {
    for (int r = 0; r < yH; r++) {
      f64 fr = half ? hScale * (r + 0.5) : hScale * r;
      int sr = alignCorners ? (int)__builtin_floor(fr + 0.5) : (int)__builtin_floor(fr);
      if (sr > xH - 1) sr = xH - 1;
      if (sr < 0) sr = 0;
      for (int c = 0; c < yW; c++) {
        f64 fc = half ? wScale * (c + 0.5) : wScale * c;
        int sc = alignCorners ? (int)__builtin_floor(fc + 0.5) : (int)__builtin_floor(fc);
        if (sc > xW - 1) sc = xW - 1;
        if (sc < 0) sc = 0;
        const f32* g = dy + ((b * yH + r) * yW + c) * C;
        f32* d = dx + ((b * xH + sr) * xW + sc) * C;
        int k = 0;
        for (; k + 4 <= C; k += 4) wasm_v128_store(d + k, wasm_f32x4_add(wasm_v128_load(d + k), wasm_v128_load(g + k)));
        for (; k < C; k++) d[k] += g[k];
      }
    }
  }
}

/*
 * MaxPool, NHWC, no dilation: y[b, oy, ox, c] = max over the window's taps inside x (padding never wins),
 * channels in SIMD lanes. A NaN never replaces the running maximum (as `pixel > max` on the cpu backend).
 */
EXPORT(max_pool)
void max_pool(const f32* x, f32* y, int B, int H, int W, int C, int oh, int ow, int kh, int kw, int sh, int sw, int pt, int pl) {
  v128_t ninf = wasm_f32x4_splat(-__builtin_inff());
  for (int b = 0; b < B; b++) {
    for (int oy = 0; oy < oh; oy++) {
      int r0 = oy * sh - pt, r1 = r0 + kh;
      if (r0 < 0) r0 = 0;
      if (r1 > H) r1 = H;
      for (int ox = 0; ox < ow; ox++) {
        int c0 = ox * sw - pl, c1 = c0 + kw;
        if (c0 < 0) c0 = 0;
        if (c1 > W) c1 = W;
        f32* yp = y + ((b * oh + oy) * ow + ox) * C;
        int c = 0;
        for (; c + 4 <= C; c += 4) {
          v128_t m = ninf;
          for (int r = r0; r < r1; r++)
            for (int q = c0; q < c1; q++) m = wasm_f32x4_pmax(m, wasm_v128_load(x + ((b * H + r) * W + q) * C + c));
          wasm_v128_store(yp + c, m);
        }
        for (; c < C; c++) {
          f32 m = -__builtin_inff();
          for (int r = r0; r < r1; r++)
            for (int q = c0; q < c1; q++) {
              f32 v = x[((b * H + r) * W + q) * C + c];
              if (v > m) m = v;
            }
          yp[c] = m;
        }
      }
    }
  }
}

/*
 * MaxPoolGrad: each dy value goes to the first tap (in row-major window order) holding the strict maximum of
 * its window of x, as on the cpu backend; windows whose taps are all -inf or NaN pass nothing.
 */
EXPORT(max_pool_grad)
void max_pool_grad(const f32* x, const f32* dy, f32* dx, int B, int H, int W, int C, int oh, int ow, int kh, int kw, int sh, int sw,
                   int pt, int pl) {
  zero32(dx, B * H * W * C);
  v128_t ninf = wasm_f32x4_splat(-__builtin_inff());
  for (int b = 0; b < B; b++) {
    for (int oy = 0; oy < oh; oy++) {
      int r0 = oy * sh - pt, r1 = r0 + kh;
      if (r0 < 0) r0 = 0;
      if (r1 > H) r1 = H;
      for (int ox = 0; ox < ow; ox++) {
        int c0 = ox * sw - pl, c1 = c0 + kw;
        if (c0 < 0) c0 = 0;
        if (c1 > W) c1 = W;
        const f32* g = dy + ((b * oh + oy) * ow + ox) * C;
        int c = 0;
        for (; c + 4 <= C; c += 4) {
          v128_t m = ninf;
          v128_t at = wasm_i32x4_splat(-1);
          for (int r = r0; r < r1; r++) {
            for (int q = c0; q < c1; q++) {
              int pos = (b * H + r) * W + q;
              v128_t v = wasm_v128_load(x + pos * C + c);
              v128_t gt = wasm_f32x4_gt(v, m);
              m = wasm_v128_bitselect(v, m, gt);
              at = wasm_v128_bitselect(wasm_i32x4_splat(pos), at, gt);
            }
          }
          int p0 = wasm_i32x4_extract_lane(at, 0), p1 = wasm_i32x4_extract_lane(at, 1);
          int p2 = wasm_i32x4_extract_lane(at, 2), p3 = wasm_i32x4_extract_lane(at, 3);
          if (p0 >= 0) dx[p0 * C + c] += g[c];
          if (p1 >= 0) dx[p1 * C + c + 1] += g[c + 1];
          if (p2 >= 0) dx[p2 * C + c + 2] += g[c + 2];
          if (p3 >= 0) dx[p3 * C + c + 3] += g[c + 3];
        }
        for (; c < C; c++) {
          f32 m = -__builtin_inff();
          int at = -1;
          for (int r = r0; r < r1; r++)
            for (int q = c0; q < c1; q++) {
              int pos = (b * H + r) * W + q;
              f32 v = x[pos * C + c];
              if (v > m) m = v, at = pos;
            }
          if (at >= 0) dx[at * C + c] += g[c];
        }
      }
    }
  }
}

/*
 * Depthwise 3-D product of a depthwise convolution, NHWC, channel multiplier 1, any stride, dilation and
 * padding: y[b, oy, ox, c] = bias[c] + sum over i, j of x[b, oy*sh + i*dh - pt, ox*sw + j*dw - pl, c] * f[i, j, c],
 * clamped at 0 when relu != 0; channels in SIMD lanes (C a multiple of 4). bias 0 for none.
 */
EXPORT(depthwise_conv)
void depthwise_conv(const f32* x, const f32* f, const f32* bias, f32* y, int B, int H, int W, int C, int oh, int ow, int kh, int kw,
                    int sh, int sw, int dh, int dwl, int pt, int pl, int relu) {
  v128_t zero = wasm_f32x4_splat(0.0f);
  for (int b = 0; b < B; b++) {
    for (int oy = 0; oy < oh; oy++) {
      f32* yrow = y + ((b * oh + oy) * ow) * C;
      for (int c = 0; c < C; c += 4) {
        v128_t bv = bias ? wasm_v128_load(bias + c) : zero;
        for (int ox = 0; ox < ow; ox++) wasm_v128_store(yrow + ox * C + c, bv);
      }
      for (int i = 0; i < kh; i++) {
        int xr = oy * sh + i * dh - pt;
        if (xr < 0 || xr >= H) continue;
        const f32* xrow = x + ((b * H + xr) * W) * C;
        for (int j = 0; j < kw; j++) {
          int off = j * dwl - pl;
          int q0, q1;
          valid_range(off, sw, W, ow, &q0, &q1);
          const f32* fp = f + (i * kw + j) * C;
          for (int c = 0; c < C; c += 4) {
            v128_t w = wasm_v128_load(fp + c);
            const f32* xp = xrow + (q0 * sw + off) * C + c;
            f32* yp = yrow + q0 * C + c;
            for (int q = q0; q < q1; q++, xp += sw * C, yp += C) wasm_v128_store(yp, wasm_f32x4_add(wasm_v128_load(yp), wasm_f32x4_mul(wasm_v128_load(xp), w)));
          }
        }
      }
      if (relu) {
        for (int k = 0; k < ow * C; k += 4) wasm_v128_store(yrow + k, wasm_f32x4_max(wasm_v128_load(yrow + k), zero));
      }
    }
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
