import * as aq from "arquero";

/**
 * The pure half of the paper reproduction: metric rows in, the paper-style table, the relative AP.75 change and
 * the one-screen text out. No I/O, no model: tested on hand numbers.
 */

/** The P2SOD numbers of one evaluation (fractions in [0, 1]; null where the split has no ground truth of a size). */
export interface PaperMetrics {
  ap25: number | null;
  ap50: number | null;
  ap75: number | null;
  /** AP@[.50:.95] per AI-TOD size bin: very tiny, tiny, small, medium. */
  apVt: number | null;
  apT: number | null;
  apS: number | null;
  apM: number | null;
}

/** The metric columns of the paper-style table, in order, with their printed headers. */
export const PAPER_METRIC_COLUMNS: readonly (readonly [keyof PaperMetrics, string])[] = [
  ["ap25", "AP.25"],
  ["ap50", "AP.5"],
  ["ap75", "AP.75"],
  ["apVt", "APvt"],
  ["apT", "APt"],
  ["apS", "APs"],
  ["apM", "APm"],
];

/**
 * Which comparison of the paper a row belongs to. "baseline vs DEAL, merged" is baseline vs DEAL with each
 * image's detections merged across prompts / classes by a class-agnostic NMS (not in the paper).
 */
export type PaperComparison = "baseline vs DEAL" | "baseline vs DEAL, merged" | "random vs PG-CPP" | "seen vs unseen";

/** One row of the paper-style table. */
export interface PaperRow extends PaperMetrics {
  comparison: PaperComparison;
  /** The method, e.g. "DEAL-tiny (PG-CPP)". */
  method: string;
  /** The evaluation setting, e.g. "test, seen categories". */
  setting: string;
  /** TinySet-mini split evaluated. */
  split: string;
  images: number;
}

/** Metrics from a record of short names (as p2sodMetrics returns them; NaN and missing become null). */
export function paperMetricsFrom(m: Readonly<Record<string, number | null | undefined>>): PaperMetrics {
  const out = {} as Record<keyof PaperMetrics, number | null>;
  for (const [k] of PAPER_METRIC_COLUMNS) {
    const v = m[k];
    out[k] = typeof v === "number" && Number.isFinite(v) ? v : null;
  }
  return out;
}

/**
 * The relative change of `value` over `reference`, in percent: 100 * (value - reference) / reference.
 * Null when either is missing or the reference is not positive (no meaningful ratio).
 *
 * @example
 * relativeChangePct(0.131, 0.1); // 31 (the paper's "+31.4% AP.75" is this with its numbers)
 */
export function relativeChangePct(value: number | null | undefined, reference: number | null | undefined): number | null {
  if (typeof value !== "number" || typeof reference !== "number" || !Number.isFinite(value) || !Number.isFinite(reference) || reference <= 0) return null;
  return (100 * (value - reference)) / reference;
}

/** The headline comparison: DEAL's AP.75 over the baseline's, absolute points and relative change. */
export interface PaperHeadline {
  dealAp75: number | null;
  baselineAp75: number | null;
  /** AP.75 difference in AP points (x100). */
  deltaPoints: number | null;
  /** Relative change in percent ({@link relativeChangePct}). */
  relativePct: number | null;
}

/**
 * The headline of the reproduction from the table's test rows: DEAL (PG-CPP) vs the baseline on AP.75, from the
 * rows of `comparison` (default "baseline vs DEAL"; "baseline vs DEAL, merged" for the class-agnostic merge).
 *
 * @example
 * paperHeadline(rows).relativePct; // e.g. 25.3
 */
export function paperHeadline(rows: readonly PaperRow[], comparison: PaperComparison = "baseline vs DEAL"): PaperHeadline {
  const find = (m: RegExp) => rows.find((r) => r.comparison === comparison && m.test(r.method));
  const deal = find(/PG-CPP/)?.ap75 ?? null;
  const base = find(/baseline/i)?.ap75 ?? null;
  return {
    dealAp75: deal,
    baselineAp75: base,
    deltaPoints: deal !== null && base !== null ? 100 * (deal - base) : null,
    relativePct: relativeChangePct(deal, base),
  };
}

/** A metric as AP points with one decimal ("-" for null). */
export function formatAp(v: number | null | undefined): string {
  return typeof v === "number" && Number.isFinite(v) ? (100 * v).toFixed(1) : "-";
}

/** A signed percentage ("+12.3%", "-" for null). */
export function formatPct(v: number | null | undefined): string {
  return typeof v === "number" && Number.isFinite(v) ? `${v >= 0 ? "+" : ""}${v.toFixed(1)}%` : "-";
}

/**
 * The paper-style table as an arquero table (AP points, one decimal as numbers; null where undefined), for
 * `showTable`.
 *
 * @example
 * showTable(paperTable(result.table), { caption: "TinySet-mini test" });
 */
export function paperTable(rows: readonly PaperRow[]): aq.ColumnTable {
  return aq.from(
    rows.map((r) => {
      const o: Record<string, string | number | null> = { comparison: r.comparison, method: r.method, setting: r.setting, images: r.images };
      for (const [k, h] of PAPER_METRIC_COLUMNS) o[h] = r[k] === null ? null : Math.round(1000 * r[k]!) / 10;
      return o;
    }),
  );
}

/**
 * The paper-style table and headline as fixed-width text (one screen), for the CLI. With rows of
 * "baseline vs DEAL, merged", a second AP.75 line gives the relative change of that pair.
 *
 * @example
 * process.stdout.write(paperTableText(result.table) + "\n");
 */
export function paperTableText(rows: readonly PaperRow[]): string {
  const head = ["comparison", "method", "setting", ...PAPER_METRIC_COLUMNS.map(([, h]) => h)];
  const body = rows.map((r) => [r.comparison, r.method, r.setting, ...PAPER_METRIC_COLUMNS.map(([k]) => formatAp(r[k]))]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd();
  const out = [line(head), widths.map((w) => "-".repeat(w)).join("  ")];
  let last = "";
  for (const [i, b] of body.entries()) {
    if (i > 0 && rows[i]!.comparison !== last) out.push("");
    last = rows[i]!.comparison;
    out.push(line(b));
  }
  const h = paperHeadline(rows);
  out.push("", `AP.75: DEAL ${formatAp(h.dealAp75)} vs baseline ${formatAp(h.baselineAp75)}: ${formatPct(h.relativePct)} relative (paper: +31.4%)`);
  if (rows.some((r) => r.comparison === "baseline vs DEAL, merged")) {
    const m = paperHeadline(rows, "baseline vs DEAL, merged");
    out.push(`AP.75 with the class-agnostic merge: DEAL ${formatAp(m.dealAp75)} vs baseline ${formatAp(m.baselineAp75)}: ${formatPct(m.relativePct)} relative`);
  }
  return out.join("\n");
}
