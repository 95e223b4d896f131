/**
 * Learning rate at `step` (0-based) of `total`: linear warmup from 0 over `warmup` steps, then cosine decay
 * to `minRatio` x `base`.
 *
 * @example warmupCosine(0, 1000, 1e-3, 50) // 2e-5 (first warmup step)
 */
export function warmupCosine(step: number, total: number, base: number, warmup: number, minRatio = 0.05): number {
  if (warmup > 0 && step < warmup) return (base * (step + 1)) / warmup;
  const span = Math.max(1, total - warmup);
  const t = Math.min(1, (step - warmup) / span);
  return base * (minRatio + (1 - minRatio) * 0.5 * (1 + Math.cos(Math.PI * t)));
}
