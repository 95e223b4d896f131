import type { TopLevelSpec } from "vega-lite" with { "resolution-mode": "import" };

/** What the builders need from an arquero table. */
interface RowSource {
  objects(): object[];
}

/** Options of {@link radarSpec}. Defaults: fields method / domain / value, 4 rings, size 360 px. */
export interface RadarSpecOptions {
  /** Field naming the series (one polygon each); default `method`. */
  methodField?: string;
  /** Field naming the axis (one spoke each); default `domain`. */
  axisField?: string;
  /** Field holding the value; default `value`. */
  valueField?: string;
  /** Axis order; default order of first appearance. */
  axes?: string[];
  /** Value at the outer ring; default the largest value rounded up to a tidy number. */
  max?: number;
  /** Number of grid rings; default 4. */
  rings?: number;
  title?: string;
  /** Width and height in px; default 360. */
  size?: number;
}

function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/**
 * A radar (spider) chart as a vega-lite spec: one spoke per axis (e.g. domain), one closed polygon per method,
 * like the paper's per-domain comparison of paradigms. vega-lite has no radar mark, so polar positions are
 * computed here (`x = r cos θ`, `y = r sin θ`, first axis at the top, clockwise) and drawn with line, rule,
 * point and text marks on hidden linear scales: the chart stays plain vega-lite, renders to static SVG like
 * every other chart, and its spec can be tested as data. Missing or negative values (-1: no GT) are drawn at 0
 * and flagged in the tooltip.
 *
 * @example
 * radarSpec([{ method: "DEAL", domain: "UAV", value: 0.52 }, { method: "DEAL", domain: "Remote", value: 0.6 }, ...]);
 */
export function radarSpec(data: RowSource | readonly object[], options: RadarSpecOptions = {}): TopLevelSpec {
  const mf = options.methodField ?? "method";
  const af = options.axisField ?? "domain";
  const vf = options.valueField ?? "value";
  const rows = (Array.isArray(data) ? data : (data as RowSource).objects()) as Record<string, unknown>[];
  const axes = options.axes ?? [...new Set(rows.map((r) => String(r[af])))];
  const methods = [...new Set(rows.map((r) => String(r[mf])))];
  const raw = rows.map((r) => Number(r[vf]));
  const max = options.max ?? niceCeil(Math.max(0, ...raw.filter((v) => Number.isFinite(v))));
  const nRings = options.rings ?? 4;
  const size = options.size ?? 360;
  const n = axes.length;
  const angle = (i: number) => Math.PI / 2 - (2 * Math.PI * i) / n;
  const at = (i: number, r: number) => ({ x: r * Math.cos(angle(i)), y: r * Math.sin(angle(i)) });
  const round = (v: number) => Math.round(v * 1e9) / 1e9;

  const grid: object[] = [];
  for (let k = 1; k <= nRings; k++) {
    const r = (max * k) / nRings;
    for (let i = 0; i <= n; i++) {
      const p = at(i % n, r);
      grid.push({ ring: k, order: i, x: round(p.x), y: round(p.y) });
    }
  }
  const spokes = axes.map((a, i) => {
    const p = at(i, max);
    const l = at(i, max * 1.14);
    return { axis: a, x: 0, y: 0, x2: round(p.x), y2: round(p.y), lx: round(l.x), ly: round(l.y) };
  });
  const ringLabels = Array.from({ length: nRings }, (_, k) => ({ label: String(round((max * (k + 1)) / nRings)), x: 0, y: round((max * (k + 1)) / nRings) }));
  const series: object[] = [];
  for (const m of methods) {
    const byAxis = new Map(rows.filter((r) => String(r[mf]) === m).map((r) => [String(r[af]), Number(r[vf])]));
    for (let i = 0; i <= n; i++) {
      const a = axes[i % n]!;
      const v = byAxis.get(a);
      const valid = v !== undefined && Number.isFinite(v) && v >= 0;
      const p = at(i % n, valid ? Math.min(v!, max) : 0);
      series.push({ method: m, axis: a, order: i, value: valid ? v : null, x: round(p.x), y: round(p.y), closing: i === n });
    }
  }
  const lim = max * 1.35;
  const scale = { domain: [-lim, lim], nice: false, zero: false };
  const x = { field: "x", type: "quantitative", scale, axis: null };
  const y = { field: "y", type: "quantitative", scale, axis: null };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: options.title ?? "Per-domain AP",
    width: size,
    height: size,
    config: { view: { stroke: null } },
    layer: [
      { data: { values: grid }, mark: { type: "line", color: "#d0d0d0", strokeWidth: 0.8 },
        encoding: { x, y, detail: { field: "ring", type: "nominal" }, order: { field: "order", type: "quantitative" } } },
      { data: { values: spokes }, mark: { type: "rule", color: "#c0c0c0", strokeWidth: 0.8 },
        encoding: { x, y, x2: { field: "x2" }, y2: { field: "y2" } } },
      { data: { values: spokes }, mark: { type: "text", fontSize: 11, fontWeight: "bold" },
        encoding: { x: { ...x, field: "lx" }, y: { ...y, field: "ly" }, text: { field: "axis", type: "nominal" } } },
      { data: { values: ringLabels }, mark: { type: "text", fontSize: 9, color: "#888", dx: 10, align: "left" },
        encoding: { x, y, text: { field: "label", type: "nominal" } } },
      { data: { values: series }, mark: { type: "line", strokeWidth: 2, opacity: 0.9 },
        encoding: {
          x, y, order: { field: "order", type: "quantitative" },
          // Method names are long ("DEAL-tiny (random training clicks)"): legend labels are never cut.
          color: { field: "method", type: "nominal", title: "method", sort: methods, scale: { domain: methods }, legend: { labelLimit: 0, orient: "bottom", direction: "vertical" } },
        } },
      { data: { values: series }, transform: [{ filter: "!datum.closing" }], mark: { type: "point", filled: true, size: 36 },
        encoding: {
          x, y, color: { field: "method", type: "nominal", sort: methods, scale: { domain: methods } },
          tooltip: [{ field: "method", type: "nominal" }, { field: "axis", type: "nominal" }, { field: "value", type: "quantitative", format: ".3f" }],
        } },
    ],
  } as TopLevelSpec;
}
