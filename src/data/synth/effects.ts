import type { Random } from "../../util/random.js";
import type { Raster } from "./raster.js";
import type { DomainEffects } from "./types.js";

/**
 * Image-level appearance: exposure and gamma jitter, optical blur, sensor noise. The held-out "shifted"
 * data set adds a colour cast, haze, a gamma shift, and stronger blur and noise, so that its pixel
 * statistics differ from everything seen in training while the objects stay the same kinds.
 */
export function applyImageEffects(r: Raster, rng: Random, fx: DomainEffects, shifted: boolean): void {
  const sigma = rng.bool(0.4) ? fx.blur[0] : rng.uniform(fx.blur[0], fx.blur[1]);
  r.blur(sigma + (shifted ? 0.35 : 0));

  const gain = rng.uniform(0.88, 1.12);
  const gamma = rng.uniform(0.9, 1.1) * (shifted ? 0.8 : 1);
  const cast: [number, number, number] = shifted
    ? [rng.uniform(1.04, 1.14), rng.uniform(0.98, 1.04), rng.uniform(0.8, 0.9)]
    : [1, 1, 1];
  const haze = shifted ? rng.uniform(0.12, 0.25) : 0;
  const hazeRgb = [205, 208, 214];
  // Skewed low: most images are clean (and compress well), some are grainy.
  const noiseStd = (fx.noise[0] + (fx.noise[1] - fx.noise[0]) * rng.next() ** 2) * (shifted ? 1.8 : 1);

  // Per-channel tone curve as a lookup table over the float range (0.5 steps, linear interpolation):
  // Math.pow per pixel would dominate the generator's run time.
  const lut = [0, 1, 2].map((ch) => {
    const t = new Float32Array(LUT_SIZE + 2);
    for (let k = 0; k < t.length; k++) {
      let v = ((k / LUT_SCALE) * gain * cast[ch]!) / 255;
      v = v <= 0 ? 0 : Math.pow(v, gamma);
      t[k] = v * 255 * (1 - haze) + hazeRgb[ch]! * haze;
    }
    return t;
  });
  // A table of standard normal draws indexed by random integers: cheap per-pixel Gaussian noise.
  const normals = new Float32Array(4096);
  for (let k = 0; k < normals.length; k++) normals[k] = rng.normal(0, noiseStd);

  const d = r.data;
  for (let i = 0; i < d.length; i += 3) {
    const n = noiseStd > 0 ? normals[rng.nextUint32() & 4095]! : 0;
    for (let ch = 0; ch < 3; ch++) {
      const f = Math.min(LUT_SIZE, Math.max(0, d[i + ch]! * LUT_SCALE));
      const k = f | 0;
      const t = lut[ch]!;
      // Luminance noise: one draw per pixel keeps 4000x4000 scenes cheap.
      d[i + ch] = t[k]! + (t[k + 1]! - t[k]!) * (f - k) + n;
    }
  }
}

const LUT_SCALE = 2;
const LUT_SIZE = 400 * LUT_SCALE;
