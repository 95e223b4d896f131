/* Resize gradients, max pooling and its gradient. */
#include "common.h"

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

