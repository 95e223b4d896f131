import type { TopLevelSpec } from "vega-lite" with { "resolution-mode": "import" };

/** What the builders need from an arquero table. */
interface RowSource {
  objects(): object[];
}

/** Options of {@link prCurvesSpec}. Defaults: title "Precision-recall", legend title "group", 300x220 px. */
export interface PrCurvesSpecOptions {
  title?: string;
  /** Legend title: what the groups are (`size bin`, `domain`, `category`). */
  groupTitle?: string;
  width?: number;
  height?: number;
  /** Order of the groups in the legend and colours; default order of first appearance. */
  groupOrder?: string[];
}

/**
 * Precision-recall curves as a vega-lite spec: one line per group (size bin, domain or category) with
 * recall on x and interpolated precision on y, both on [0, 1]; one panel per IoU threshold when the data
 * holds several. Input: the rows of `evalPrCurves` (`group, iouThr, recall, precision`). Pure: no rendering.
 *
 * @example
 * showVegaLite(prCurvesSpec(evalPrCurves(ev, { by: "area" }), { groupTitle: "size bin" }));
 */
export function prCurvesSpec(curves: RowSource | readonly object[], options: PrCurvesSpecOptions = {}): TopLevelSpec {
  const rows = (Array.isArray(curves) ? curves : (curves as RowSource).objects()) as { group: unknown; iouThr: number; recall: number; precision: number }[];
  const values = rows.map((r) => ({ group: String(r.group), iouThr: r.iouThr, recall: r.recall, precision: r.precision }));
  const order = options.groupOrder ?? [...new Set(values.map((v) => v.group))];
  const thrs = [...new Set(values.map((v) => v.iouThr))];
  const unit = {
    mark: { type: "line", interpolate: "step-after", strokeWidth: 1.8 },
    width: options.width ?? 300,
    height: options.height ?? 220,
    encoding: {
      x: { field: "recall", type: "quantitative", title: "recall", scale: { domain: [0, 1] } },
      y: { field: "precision", type: "quantitative", title: "precision", scale: { domain: [0, 1] } },
      color: { field: "group", type: "nominal", title: options.groupTitle ?? "group", sort: order, scale: { domain: order } },
      tooltip: [
        { field: "group", type: "nominal" },
        { field: "iouThr", type: "quantitative", title: "IoU" },
        { field: "recall", type: "quantitative", format: ".2f" },
        { field: "precision", type: "quantitative", format: ".3f" },
      ],
    },
  };
  const title = options.title ?? (thrs.length === 1 ? `Precision-recall at IoU ${thrs[0]}` : "Precision-recall");
  if (thrs.length <= 1) return { $schema: "https://vega.github.io/schema/vega-lite/v6.json", title, data: { values }, ...unit } as TopLevelSpec;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    data: { values },
    facet: { column: { field: "iouThr", type: "ordinal", title: "IoU threshold" } },
    spec: unit,
  } as TopLevelSpec;
}
