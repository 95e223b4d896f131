/** Ground truth of one training sample, normalised to the network input (0..1). */
export interface SampleTarget {
  /** Boxes [cx, cy, w, h] normalised, one per object. */
  boxesCxcywhNorm: number[][];
  /** Class index per object (0 for DEAL's single "prompted category" class). */
  labels: number[];
}

/**
 * Centre-heatmap target on an h x w grid (CenterNet): per object a Gaussian around the grid cell holding the
 * centre, std = max(0.6, 0.15 * sqrt(w_cells * h_cells)) cells, maxed over objects; the centre cell is
 * exactly 1 (a positive of the focal loss). Written into `heat` (h*w) for class `channel` of `channels`.
 */
export function splatHeatmap(heat: Float32Array, t: SampleTarget, h: number, w: number, channels = 1, onlyLabel?: number): void {
  t.boxesCxcywhNorm.forEach((b, k) => {
    const ch = channels === 1 ? 0 : t.labels[k]!;
    if (onlyLabel !== undefined && t.labels[k] !== onlyLabel) return;
    const cx = Math.min(w - 1, Math.max(0, Math.floor(b[0]! * w)));
    const cy = Math.min(h - 1, Math.max(0, Math.floor(b[1]! * h)));
    const sigma = Math.max(0.6, 0.15 * Math.sqrt(b[2]! * w * b[3]! * h));
    const r = Math.ceil(3 * sigma);
    for (let y = Math.max(0, cy - r); y <= Math.min(h - 1, cy + r); y++) {
      for (let x = Math.max(0, cx - r); x <= Math.min(w - 1, cx + r); x++) {
        const v = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma * sigma));
        const o = (y * w + x) * channels + ch;
        if (v > heat[o]!) heat[o] = v;
      }
    }
  });
}

/**
 * Density target on an h x w grid: per object a Gaussian at its exact centre (same std as the heatmap),
 * normalised to sum to 1 over the grid, so the map sums to the object count. Added into `density`.
 */
export function splatDensity(density: Float32Array, t: SampleTarget, h: number, w: number): void {
  for (const b of t.boxesCxcywhNorm) {
    const cx = b[0]! * w - 0.5;
    const cy = b[1]! * h - 0.5;
    const sigma = Math.max(0.6, 0.15 * Math.sqrt(b[2]! * w * b[3]! * h));
    const r = Math.ceil(3 * sigma);
    const x0 = Math.max(0, Math.floor(cx) - r), x1 = Math.min(w - 1, Math.ceil(cx) + r);
    const y0 = Math.max(0, Math.floor(cy) - r), y1 = Math.min(h - 1, Math.ceil(cy) + r);
    let sum = 0;
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) sum += Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma * sigma));
    if (sum <= 0) continue;
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) density[y * w + x] += Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma * sigma)) / sum;
  }
}
