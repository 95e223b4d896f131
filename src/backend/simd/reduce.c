/* Sums over leading, middle, separated and last axes. */
#include "common.h"

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
    f64 t = row_sum(x + r * len, len);
    out[r] = (f32)(t * (f64)scale);
  }
}

