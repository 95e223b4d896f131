/* Winograd F(2x2, 3x3) convolutions and F(3x3, 2x2) filter gradients of 3x3 stride-1 convolutions. */
#include "common.h"

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

