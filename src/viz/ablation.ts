import type { TopLevelSpec } from "vega-lite" with { "resolution-mode": "import" };

/**
 * Pure chart builders for prompt ablations (src/analysis/ablate.ts): the summary table in, vega-lite specs
 * out. Each chart shows one factor, holding the others at the base cell (one centre click per category from
 * the ground truth), with the mean over seeds and its 95% interval, one colour per category split.
 */

/** A factor of the prompt ablation that a chart can put on its x axis. */
export type AblationFactor = "position" | "jitter" | "clicks" | "source";

interface RowSource {
  objects(): object[];
}
type Row = Record<string, unknown>;

/** Whether a summary row lies on the one-factor-at-a-time axis of `factor` (other factors at the base cell). */
export function onAblationAxis(row: Row, factor: AblationFactor): boolean {
  const centre = row.position === "center";
  const one = row.clicks === "1";
  const gt = row.source === "groundTruth";
  switch (factor) {
    case "position":
      return one && gt;
    case "jitter":
      return one && gt && (centre || row.position === "gaussian");
    case "clicks":
      return centre && gt;
    case "source":
      return centre && one;
  }
}

function positionLabel(r: Row): string {
  return r.position === "gaussian" ? `gaussian ${String(r.jitter)}` : String(r.position);
}

function axisRows(summary: RowSource | readonly object[], factor: AblationFactor, metric: string): Row[] {
  const rows = (Array.isArray(summary) ? summary : (summary as RowSource).objects()) as Row[];
  return rows
    .filter((r) => r.metric === metric && onAblationAxis(r, factor))
    .map((r) => {
      const out: Row = { ...r, level: factor === "position" ? positionLabel(r) : factor === "clicks" ? r.clicks : factor === "jitter" ? r.jitter : r.source };
      for (const k of ["mean", "lo", "hi", "sd"]) if (typeof out[k] === "number" && !Number.isFinite(out[k] as number)) out[k] = null;
      return out;
    });
}

const TITLES: Record<AblationFactor, string> = {
  position: "click position",
  jitter: "Gaussian jitter (fraction of box size)",
  clicks: "clicks per category",
  source: "prompt source",
};

/** Options of the ablation charts. Defaults: metric "ap50", title from the factor. */
export interface AblationChartOptions {
  /** The metric (a `metric` value of the summary). Default "ap50". */
  metric?: string;
  title?: string;
}

/**
 * A line chart of a metric against an ordered factor ("clicks" or "jitter"), with a band for the 95%
 * interval over seeds and one line per category split.
 *
 * @example
 * await showVegaLite(ablationLineSpec(result.summary, "clicks", { metric: "ap50" }));
 */
export function ablationLineSpec(summary: RowSource | readonly object[], factor: "clicks" | "jitter", options: AblationChartOptions = {}): TopLevelSpec {
  const metric = options.metric ?? "ap50";
  const x =
    factor === "clicks"
      ? { field: "level", type: "ordinal", sort: ["1", "2", "3", "5", "all"], title: TITLES[factor] }
      : { field: "level", type: "quantitative", title: TITLES[factor] };
  const color = { field: "split", type: "nominal", title: "categories" };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    description: `${metric} against ${TITLES[factor]}`,
    title: options.title ?? `${metric} against ${TITLES[factor]}`,
    data: { values: axisRows(summary, factor, metric) },
    encoding: { x, color },
    layer: [
      { mark: { type: "errorband", opacity: 0.25 }, encoding: { y: { field: "lo", type: "quantitative", title: metric }, y2: { field: "hi" } } },
      { mark: { type: "line", point: true }, encoding: { y: { field: "mean", type: "quantitative", title: metric }, tooltip: [{ field: "level" }, { field: "split" }, { field: "mean", format: ".3f" }, { field: "lo", format: ".3f" }, { field: "hi", format: ".3f" }, { field: "n" }] } },
    ],
  } as TopLevelSpec;
}

/**
 * Bars of a metric per level of a categorical factor ("position" or "source"), grouped by category split,
 * with the 95% interval over seeds as an error bar.
 *
 * @example
 * await showVegaLite(ablationBarSpec(result.summary, "position"));
 */
export function ablationBarSpec(summary: RowSource | readonly object[], factor: "position" | "source", options: AblationChartOptions = {}): TopLevelSpec {
  const metric = options.metric ?? "ap50";
  const enc = {
    x: { field: "level", type: "nominal", title: TITLES[factor], axis: { labelAngle: -30 } },
    xOffset: { field: "split", type: "nominal" },
  };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    description: `${metric} per ${TITLES[factor]}`,
    title: options.title ?? `${metric} per ${TITLES[factor]}`,
    data: { values: axisRows(summary, factor, metric) },
    layer: [
      { mark: "bar", encoding: { ...enc, y: { field: "mean", type: "quantitative", title: metric }, color: { field: "split", type: "nominal", title: "categories" }, tooltip: [{ field: "level" }, { field: "split" }, { field: "mean", format: ".3f" }, { field: "lo", format: ".3f" }, { field: "hi", format: ".3f" }] } },
      { mark: { type: "rule", color: "black" }, encoding: { ...enc, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } } },
    ],
  } as TopLevelSpec;
}
