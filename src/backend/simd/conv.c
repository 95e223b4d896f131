/* Convolution filter gradients (dense and depthwise) and the depthwise forward convolution. */
#include "common.h"

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

