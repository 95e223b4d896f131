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
  const noiseStd = rng.uniform(fx.noise[0], fx.noise[1]) * (shifted ? 1.8 : 1);

  const d = r.data;
  for (let i = 0; i < d.length; i += 3) {
    const n = noiseStd > 0 ? rng.normal(0, noiseStd) : 0;
    for (let ch = 0; ch < 3; ch++) {
      let v = (d[i + ch]! * gain * cast[ch]!) / 255;
      v = v <= 0 ? 0 : Math.pow(v, gamma);
      v = v * 255 * (1 - haze) + hazeRgb[ch]! * haze;
      // Luminance-correlated noise (mostly) plus a little per-channel grain.
      d[i + ch] = v + n + (noiseStd > 0 && ch === 1 ? 0 : 0);
    }
  }
}
