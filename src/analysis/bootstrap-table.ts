import * as aq from "arquero";
import type { PairedBootstrapResult } from "./bootstrap.js";

/**
 * A paired bootstrap result as an arquero table, one row per metric: `metric, A, B, diff, lo, hi, p, samples`
 * (values as the evaluator gives them, 0..1; -1 / NaN where undefined).
 *
 * @example
 * bootstrapTable(pairedBootstrap(gt, deal, baseline)).print();
 */
export function bootstrapTable(result: PairedBootstrapResult): aq.ColumnTable {
  return aq.from(result.rows.map((r) => ({ metric: r.metric, A: r.a, B: r.b, diff: r.diff, lo: r.lo, hi: r.hi, p: r.p, samples: r.samples })));
}

/** Options of {@link bootstrapSummaryText}. */
export interface BootstrapSummaryOptions {
  /** Names of A and B; default `["A", "B"]`. */
  names?: readonly [string, string];
  /** Metrics to include, in order; default every row. */
  metrics?: readonly string[];
  /** Multiplier for display; default 100 (AP points). */
  scale?: number;
  /** Decimals; default 1. */
  digits?: number;
}

/**
 * A one-line text summary of a paired bootstrap, e.g.
 * `DEAL - baseline over 150 images (paired bootstrap, 1000 samples, seed 0, 95%): AP@.50|all|1500 +3.2 [+1.1, +5.4] (25.3 vs 22.1, p 0.002)`.
 *
 * @example
 * bootstrapSummaryText(result, { names: ["DEAL", "baseline"], metrics: ["AP@.50|all|1500"] });
 */
export function bootstrapSummaryText(result: PairedBootstrapResult, options: BootstrapSummaryOptions = {}): string {
  const [nameA, nameB] = options.names ?? ["A", "B"];
  const scale = options.scale ?? 100;
  const digits = options.digits ?? 1;
  const fmt = (v: number, sign = false) => (Number.isFinite(v) ? (sign && v >= 0 ? "+" : "") + (v * scale).toFixed(digits) : "n/a");
  const rows = options.metrics ? options.metrics.map((m) => result.rows.find((r) => r.metric === m)).filter((r) => r !== undefined) : result.rows;
  const pooled = result.runs > 1 ? `, mean of ${result.runs} runs` : "";
  const head = `${nameA} - ${nameB} over ${result.images} images (paired bootstrap${pooled}, ${result.samples} samples, seed ${result.seed}, ` +
    `${Math.round(result.level * 1000) / 10}%)`;
  const parts = rows.map((r) =>
    `${r.metric} ${fmt(r.diff, true)} [${fmt(r.lo, true)}, ${fmt(r.hi, true)}] (${r.a < 0 ? "n/a" : fmt(r.a)} vs ${r.b < 0 ? "n/a" : fmt(r.b)}, p ${Number.isFinite(r.p) ? r.p.toFixed(3) : "n/a"})`);
  return `${head}: ${parts.join("; ")}`;
}
