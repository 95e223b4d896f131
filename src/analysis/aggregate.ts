import * as aq from "arquero";
import { DealkitConfigError, DealkitInputError } from "../util/errors.js";
import { meanInterval } from "./stats.js";

/** Options of {@link aggregateRuns}. */
export interface AggregateRunsOptions {
  /** Columns that define a group (e.g. `["model", "merged"]`); default none (one group). */
  by?: readonly string[];
  /** Metric columns to summarise (e.g. `["AP@.50|all|1500"]`). */
  metrics: readonly string[];
  /**
   * Columns that identify one independent observation within a group (e.g. `["trainSeed"]`): rows sharing
   * them are averaged first (over click seeds, say), and the interval is over these units. Default none:
   * every row is one observation.
   */
  unit?: readonly string[];
  /** Interval level in (0, 1); default 0.95. */
  level?: number;
}

interface Rowsish { objects(): object[] }

/**
 * Mean, sample standard deviation and a Student-t interval (`mean +- t(0.975, n-1) sd / sqrt(n)` for level
 * 0.95) of per-run metrics, per group. Rows are records or an arquero table; a metric that is NaN, null or
 * missing in a row is left out of that metric (pycocotools' -1 is a number: turn it into NaN first).
 * Returns an arquero table: the `by` columns, `metric`, `n`, `mean`, `sd`, `lo`, `hi` (NaN for n < 2).
 *
 * With 3 training seeds x 5 click seeds, `unit: ["trainSeed"]` averages the click seeds within each training
 * seed and gives a t interval with 2 degrees of freedom over training seeds: what another training seed would
 * do. Without `unit`, the 15 runs count as independent, which understates the spread when click seeds of one
 * training seed move together.
 *
 * @example
 * aggregateRuns(rows, { by: ["model"], metrics: ["AP@.50|all|1500"], unit: ["trainSeed"] }).print();
 */
export function aggregateRuns(rows: readonly Record<string, unknown>[] | Rowsish, options: AggregateRunsOptions): aq.ColumnTable {
  const recs = (Array.isArray(rows) ? rows : (rows as Rowsish).objects()) as Record<string, unknown>[];
  const by = options.by ?? [];
  const unit = options.unit ?? [];
  const level = options.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new DealkitConfigError(`level must be in (0, 1); got ${level}`);
  if (options.metrics.length === 0) throw new DealkitConfigError("metrics must name at least one column");
  const value = (r: Record<string, unknown>, i: number, col: string): number => {
    const v = r[col];
    if (v === null || v === undefined) return NaN;
    if (typeof v !== "number") throw new DealkitInputError(`must be a number; got ${JSON.stringify(v)}`, { record: `row ${i}`, field: col });
    return v;
  };
  recs.forEach((r, i) => {
    for (const c of [...by, ...unit]) if (!(c in r)) throw new DealkitInputError("missing column", { record: `row ${i}`, field: c });
  });
  // group key -> unit key -> row indices, in first-seen order.
  const groups = new Map<string, Map<string, number[]>>();
  recs.forEach((r, i) => {
    const g = JSON.stringify(by.map((c) => r[c]));
    const u = unit.length ? JSON.stringify(unit.map((c) => r[c])) : String(i); // no unit: each row its own
    if (!groups.has(g)) groups.set(g, new Map());
    const units = groups.get(g)!;
    if (!units.has(u)) units.set(u, []);
    units.get(u)!.push(i);
  });
  const out: Record<string, unknown>[] = [];
  for (const [g, units] of groups) {
    const keys = JSON.parse(g) as unknown[];
    for (const metric of options.metrics) {
      const obs = [...units.values()].map((idx) => {
        const v = idx.map((i) => value(recs[i]!, i, metric)).filter((x) => !Number.isNaN(x));
        return v.length ? v.reduce((s, x) => s + x, 0) / v.length : NaN;
      });
      const m = meanInterval(obs, level);
      const row: Record<string, unknown> = {};
      by.forEach((c, j) => (row[c] = keys[j]));
      out.push({ ...row, metric, n: m.n, mean: m.mean, sd: m.sd, lo: m.lo, hi: m.hi });
    }
  }
  return aq.from(out);
}
