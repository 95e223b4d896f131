import { publish } from "./display.js";
import { escapeHtml, type MimeBundle, type ShowOptions } from "./mime.js";

/** What dealkit needs from an arquero table (ColumnTable); any object with these methods works. */
export interface TableLike {
  columnNames(): string[];
  numRows(): number;
  objects(options?: { limit?: number }): object[];
}

/** Options of {@link tableHtml} and {@link tableText}. */
export interface TableHtmlOptions {
  /** Most rows shown; a footer says how many there are. Default 20. */
  limit?: number;
  /** Significant digits for non-integer numbers. Default 4. */
  digits?: number;
  /** A caption above the table. Default none. */
  caption?: string;
}

/** True for arquero tables and look-alikes ({@link TableLike}). */
export function isTableLike(x: unknown): x is TableLike {
  const t = x as TableLike | null;
  return (
    typeof t === "object" && t !== null &&
    typeof t.columnNames === "function" && typeof t.numRows === "function" && typeof t.objects === "function"
  );
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

/** True for a non-empty array of plain records, which show() draws as a table. */
export function isRecordArray(x: unknown): x is Record<string, unknown>[] {
  return Array.isArray(x) && x.length > 0 && x.every(isRecord);
}

interface Rows {
  columns: string[];
  rows: Record<string, unknown>[];
  total: number;
}

function takeRows(table: TableLike | Record<string, unknown>[], limit: number): Rows {
  if (isTableLike(table)) {
    return { columns: table.columnNames(), rows: table.objects({ limit }) as Record<string, unknown>[], total: table.numRows() };
  }
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const row of table) {
    for (const key of Object.keys(row)) if (!seen.has(key)) (seen.add(key), columns.push(key));
  }
  return { columns, rows: table.slice(0, limit), total: table.length };
}

/** What a table shows for a missing value (null, undefined, NaN): an en dash. */
export const MISSING_CELL = "\u2013";

/**
 * One cell's text: integers as they are, other numbers to `digits` significant digits, dates as ISO,
 * typed arrays and objects as short JSON; null, undefined and NaN (no value, e.g. the score of a missed object)
 * as a dash ({@link MISSING_CELL}), infinities as ∞.
 *
 * @example
 * formatCell(NaN); // "–"
 */
export function formatCell(value: unknown, digits = 4): string {
  if (value === null || value === undefined) return MISSING_CELL;
  if (typeof value === "number") {
    if (Number.isNaN(value)) return MISSING_CELL;
    if (!Number.isFinite(value)) return value > 0 ? "\u221e" : "-\u221e";
    if (Number.isInteger(value)) return String(value);
    return String(Number(value.toPrecision(digits)));
  }
  if (typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (typeof value === "string") return value;
  if (value instanceof Date) return value.toISOString();
  const plain = ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<number>) : value;
  const json = JSON.stringify(plain) ?? String(value);
  return json.length > 80 ? `${json.slice(0, 79)}…` : json;
}

/**
 * An HTML table of an arquero table (or an array of records), at most `limit` rows; number columns
 * right-aligned, text columns left-aligned.
 *
 * @example
 * tableHtml(aq.table({ size: ["tiny", "small"], ap50: [0.412, 0.587] }), { caption: "AP by size" });
 */
export function tableHtml(table: TableLike | Record<string, unknown>[], options: TableHtmlOptions = {}): string {
  const limit = options.limit ?? 20;
  const digits = options.digits ?? 4;
  const { columns, rows, total } = takeRows(table, limit);
  // A column of numbers (missing values aside) is right-aligned, any other column left-aligned, header too:
  // notebook front ends right-align every cell by default, which makes text columns hard to read.
  const numeric = columns.map((c) => {
    const present = rows.map((r) => r[c]).filter((v) => v !== null && v !== undefined);
    return present.length > 0 && present.every((v) => typeof v === "number" || typeof v === "bigint");
  });
  const align = (j: number) => ` style="text-align:${numeric[j] ? "right" : "left"}"`;
  const head = columns.map((c, j) => `<th${align(j)}>${escapeHtml(c)}</th>`).join("");
  const body = rows
    .map((row) => {
      const cells = columns.map((c, j) => `<td${align(j)}>${escapeHtml(formatCell(row[c], digits))}</td>`);
      return `<tr>${cells.join("")}</tr>`;
    })
    .join("");
  // Left-aligned on one line: a caption centred over a narrow table wraps after a few words.
  const caption = options.caption ? `<caption style="text-align:left;white-space:nowrap">${escapeHtml(options.caption)}</caption>` : "";
  const more = total > rows.length ? `<p class="dealkit-table-note">${rows.length} of ${total} rows shown</p>` : "";
  return `<div class="dealkit-table"><table>${caption}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>${more}</div>`;
}

/**
 * A plain-text table with aligned columns (for text/plain, the CLI and logs), at most `limit` rows.
 *
 * @example
 * console.log(tableText(results, { limit: 10 }));
 */
export function tableText(table: TableLike | Record<string, unknown>[], options: TableHtmlOptions = {}): string {
  const { columns, rows, total } = takeRows(table, options.limit ?? 20);
  const cells = rows.map((row) => columns.map((c) => formatCell(row[c], options.digits ?? 4)));
  const widths = columns.map((c, j) => Math.max(c.length, ...cells.map((r) => r[j]!.length)));
  const line = (values: string[]) => values.map((v, j) => v.padEnd(widths[j]!)).join("  ").trimEnd();
  const out = [line(columns), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)];
  if (options.caption) out.unshift(options.caption);
  if (total > rows.length) out.push(`(${rows.length} of ${total} rows shown)`);
  return out.join("\n");
}

/** The bundle for a table: text/html plus the aligned text table. */
export function tableBundle(table: TableLike | Record<string, unknown>[], options: TableHtmlOptions = {}): MimeBundle {
  return { "text/html": tableHtml(table, options), "text/plain": tableText(table, options) };
}

/**
 * Shows an arquero table (or an array of records) as an HTML table, at most `limit` rows (default 20);
 * a no-op outside a kernel.
 *
 * @example
 * showTable(summary, { limit: 50, caption: "per-domain AP" });
 */
export function showTable(table: TableLike | Record<string, unknown>[], options: TableHtmlOptions & ShowOptions = {}): void {
  publish(tableBundle(table, options), options);
}
