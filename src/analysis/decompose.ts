import * as aq from "arquero";
import { runTide, TIDE_ERROR_TYPES, type TideErrorRecord, type TideOptions, type TideRun } from "./tide.js";
import { AITOD_SIZE_BINS, aitodSizeBin, type AnalysisImage } from "./types.js";

/** The label used for "every domain" / "every size" rows of a breakdown. */
export const BREAKDOWN_ALL = "all";

/** What a breakdown splits by. */
export type BreakdownAxis = "domain" | "sizeBin";

/** Options of {@link errorBreakdown}: TIDE's options plus the split. Defaults: by ["domain"], includeAll true. */
export interface BreakdownOptions extends Omit<TideOptions, "areaRangePx2"> {
  /** Split by domain, AI-TOD size bin, or both (one group per domain x bin). Default ["domain"]. */
  by?: readonly BreakdownAxis[];
  /** Add the "all" rows (every domain and/or every size) beside the groups. Default true. */
  includeAll?: boolean;
}

/** The result of {@link decomposeErrors}. AP values are in [0, 1]. */
export interface ErrorDecomposition {
  /** AP at the foreground IoU. */
  ap: number;
  /** One row per error type: errorType, count, dAP (plus the special falsePositive / falseNegative rows). */
  summary: aq.ColumnTable;
  /** One row per error (see {@link errorRecordsTable}). */
  errors: aq.ColumnTable;
  /** The raw run, for custom reports. */
  run: TideRun;
}

/** The columns of an error-records table, one row per error. */
export function errorRecordsTable(errors: readonly TideErrorRecord[]): aq.ColumnTable {
  return aq.table({
    errorType: errors.map((e) => e.type),
    imageId: errors.map((e) => e.imageId),
    domain: errors.map((e) => e.domain),
    sizeBin: errors.map((e) => aitodSizeBin(e.areaPx2)),
    detIndex: errors.map((e) => e.detIndex),
    gtIndex: errors.map((e) => e.gtIndex),
    score: errors.map((e) => e.score),
    categoryId: errors.map((e) => e.categoryId),
    gtCategoryId: errors.map((e) => e.gtCategoryId),
    iou: errors.map((e) => e.iou),
    areaPx2: errors.map((e) => e.areaPx2),
    detBoxXyxy: errors.map((e) => e.detBoxXyxy),
    gtBoxXyxy: errors.map((e) => e.gtBoxXyxy),
  });
}

function summaryOf(run: TideRun): aq.ColumnTable {
  return aq.table({
    errorType: [...TIDE_ERROR_TYPES, "falsePositive", "falseNegative"],
    count: [...TIDE_ERROR_TYPES.map((t) => run.counts[t]), NaN, NaN],
    dAP: [...TIDE_ERROR_TYPES.map((t) => run.dAP[t]), run.specialDAP.falsePositive, run.specialDAP.falseNegative],
  });
}

/**
 * The TIDE error decomposition of a model's detections as arquero tables: the AP, each error type's count and
 * dAP, and one row per error. Defaults: foreground IoU 0.5, background IoU 0.1, class-aware, 100 detections
 * per image and category.
 *
 * @example
 * const { ap, summary } = decomposeErrors(images, { classAgnostic: true });
 * summary.print();
 */
export function decomposeErrors(images: readonly AnalysisImage[], options: TideOptions = {}): ErrorDecomposition {
  const run = runTide(images, options);
  return { ap: run.ap, summary: summaryOf(run), errors: errorRecordsTable(run.errors), run };
}

interface Group {
  domain: string;
  sizeBin: string;
  images: readonly AnalysisImage[];
  areaRangePx2?: readonly [number, number];
}

function groupsOf(images: readonly AnalysisImage[], by: readonly BreakdownAxis[], includeAll: boolean): Group[] {
  const domains: (string | null)[] = [];
  if (by.includes("domain")) {
    const seen = [...new Set(images.map((i) => i.domain ?? BREAKDOWN_ALL))].sort();
    domains.push(...seen);
    if (includeAll && !(seen.length === 1 && seen[0] === BREAKDOWN_ALL)) domains.push(null);
  } else domains.push(null);
  const bins: ({ bin: string; range: readonly [number, number] } | null)[] = [];
  if (by.includes("sizeBin")) {
    bins.push(...AITOD_SIZE_BINS.map((b) => ({ bin: b.bin as string, range: [b.minAreaPx2, b.maxAreaPx2] as const })));
    if (includeAll) bins.push(null);
  } else bins.push(null);
  const out: Group[] = [];
  for (const d of domains) {
    const imgs = d === null ? images : images.filter((i) => (i.domain ?? BREAKDOWN_ALL) === d);
    for (const b of bins) out.push({ domain: d ?? BREAKDOWN_ALL, sizeBin: b ? b.bin : BREAKDOWN_ALL, images: imgs, areaRangePx2: b?.range });
  }
  return out;
}

/**
 * TIDE per domain and/or per AI-TOD size bin, as one long arquero table with columns domain, sizeBin, ap,
 * numGt, numDetections, errorType, count, dAP (one row per group and error type; "all" marks an unsplit axis).
 * A size bin is evaluated the COCO way: ground truth outside the bin becomes an ignore region and unmatched
 * detections outside it are ignored. AP is NaN for a group without ground truth.
 *
 * @example
 * const t = errorBreakdown(images, { by: ["domain", "sizeBin"], classAgnostic: true });
 * t.filter((d) => d.errorType === "missed").print();
 */
export function errorBreakdown(images: readonly AnalysisImage[], options: BreakdownOptions = {}): aq.ColumnTable {
  const { by = ["domain"], includeAll = true, ...tide } = options;
  const rows: Record<string, unknown>[] = [];
  for (const g of groupsOf(images, by, includeAll)) {
    const run = runTide(g.images, { ...tide, areaRangePx2: g.areaRangePx2 });
    for (const t of TIDE_ERROR_TYPES) {
      rows.push({ domain: g.domain, sizeBin: g.sizeBin, ap: run.ap, numGt: run.numGt, numDetections: run.numDetections, errorType: t, count: run.counts[t], dAP: run.dAP[t] });
    }
  }
  return aq.from(rows);
}

/**
 * AP per domain x AI-TOD size bin (with "all" margins), for the heatmap: columns domain, sizeBin, ap, numGt.
 *
 * @example
 * const t = apByDomainAndSize(images, { classAgnostic: true });
 */
export function apByDomainAndSize(images: readonly AnalysisImage[], options: Omit<BreakdownOptions, "by"> = {}): aq.ColumnTable {
  return errorBreakdown(images, { ...options, by: ["domain", "sizeBin"] })
    .filter((d: { errorType: string }) => d.errorType === "missed")
    .select("domain", "sizeBin", "ap", "numGt");
}

/** Options of {@link worstErrors}. Defaults: perType 6, types all but "missed" ranked by score. */
export interface WorstErrorsOptions {
  /** Rows kept per error type. Default 6. */
  perType?: number;
  /** The error types to keep. Default: all six. */
  types?: readonly string[];
}

/**
 * The worst errors per type, for a gallery: false positives ranked by score (most confident first), missed
 * objects by area (smallest first, the ones a small-object detector should learn). Returns the rows of
 * {@link errorRecordsTable} with a `rank` column (1 = worst).
 *
 * @example
 * const worst = worstErrors(decomposeErrors(images).errors, { perType: 4 });
 */
export function worstErrors(errors: aq.ColumnTable, options: WorstErrorsOptions = {}): aq.ColumnTable {
  const perType = options.perType ?? 6;
  const types = options.types ?? TIDE_ERROR_TYPES;
  const rows = errors.objects() as (Record<string, unknown> & { errorType: string; score: number; areaPx2: number })[];
  const out: Record<string, unknown>[] = [];
  for (const t of types) {
    const list = rows.filter((r) => r.errorType === t);
    list.sort((a, b) => (t === "missed" ? a.areaPx2 - b.areaPx2 : b.score - a.score));
    list.slice(0, perType).forEach((r, i) => out.push({ ...r, rank: i + 1 }));
  }
  return out.length ? aq.from(out) : errors.slice(0, 0).derive({ rank: () => 0 });
}
