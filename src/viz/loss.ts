/** One training-log row as the loss chart reads it (a TrainLogRow or a parsed JSONL line). */
export interface LossCurveRow {
  step: number;
  loss: number;
  terms?: Record<string, number>;
}

/** Options of {@link lossCurveSpec}. Defaults: all terms, smoothing window 10, log y axis, 640 x 260. */
export interface LossCurveOptions {
  /** Which loss terms to draw besides the total (default: all found in the rows). */
  terms?: readonly string[];
  /** Moving-average window in steps (1 = raw). Default 10. */
  smooth?: number;
  /** Log-scale y axis. Default true. */
  logScale?: boolean;
  width?: number;
  height?: number;
  title?: string;
}

/**
 * A vega-lite line chart of the training loss and its terms against the step (trailing moving average).
 * Pure: rows in, spec out.
 *
 * @example
 * showVegaLite(lossCurveSpec(result.history, { smooth: 20 }));
 */
export function lossCurveSpec(rows: readonly LossCurveRow[], options: LossCurveOptions = {}): Record<string, unknown> {
  const smooth = Math.max(1, Math.floor(options.smooth ?? 10));
  const terms = options.terms ?? [...new Set(rows.flatMap((r) => Object.keys(r.terms ?? {})))];
  const series: [string, (r: LossCurveRow) => number | undefined][] = [["total", (r) => r.loss], ...terms.map((t) => [t, (r: LossCurveRow) => r.terms?.[t]] as [string, (r: LossCurveRow) => number | undefined])];
  const values: { step: number; term: string; loss: number }[] = [];
  for (const [name, get] of series) {
    const window: number[] = [];
    for (const r of rows) {
      const v = get(r);
      if (v === undefined || !Number.isFinite(v)) continue;
      window.push(v);
      if (window.length > smooth) window.shift();
      const mean = window.reduce((a, b) => a + b, 0) / window.length;
      values.push({ step: r.step, term: name, loss: Math.max(mean, 1e-6) });
    }
  }
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: options.title ?? `training loss (moving average over ${smooth} steps)`,
    width: options.width ?? 640,
    height: options.height ?? 260,
    data: { values },
    mark: { type: "line", interpolate: "monotone" },
    encoding: {
      x: { field: "step", type: "quantitative", title: "step" },
      y: { field: "loss", type: "quantitative", title: "loss", scale: { type: options.logScale === false ? "linear" : "log" } },
      color: { field: "term", type: "nominal", title: "term", sort: ["total", ...terms] },
      strokeWidth: { condition: { test: "datum.term === 'total'", value: 2.5 }, value: 1.2 },
    },
  };
}
