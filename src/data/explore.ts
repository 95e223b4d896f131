/**
 * Exploration tables for notebooks: one row per annotation with its size bin, and per-domain and
 * per-category summaries, as arquero tables (viz builders take them; the kernel shows them).
 */
import * as aq from "arquero";
import { Dataset } from "./dataset.js";

/** The AI-TOD size bins, by box area in px^2: very tiny [0, 64), tiny [64, 256), small [256, 1024), medium >= 1024. */
export const EXPLORE_SIZE_BINS = ["veryTiny", "tiny", "small", "medium"] as const;
/** One of {@link EXPLORE_SIZE_BINS}. */
export type ExploreSizeBin = (typeof EXPLORE_SIZE_BINS)[number];

/** A plain COCO instances object as far as exploration needs it (TinySet-style `domain`, `split`, `heldOut`, `ignore`). */
export interface ExploreCoco {
  images: readonly { id: number; width?: number; height?: number; domain?: string; split?: string }[];
  annotations: readonly { image_id: number; category_id: number; bbox: readonly number[]; area?: number; ignore?: number | boolean; iscrowd?: number }[];
  categories: readonly { id: number; name: string; heldOut?: boolean; supercategory?: string }[];
}

/** What the explorers accept: a {@link Dataset} or a parsed COCO object. */
export type ExploreSource = Dataset | ExploreCoco;

/** An arquero table (what `aq.from` returns). */
export type ExploreTable = ReturnType<typeof aq.from>;

/** One annotation row of {@link annotationSizeTable}. */
export interface AnnotationSizeRow {
  annotationId: number;
  imageId: number;
  domain: string;
  split: string;
  categoryId: number;
  category: string;
  heldOut: boolean;
  /** Box width and height, px. */
  w: number;
  h: number;
  /** Box area (w * h), px^2; the bins use it. */
  area: number;
  /** sqrt(area), px: the "size" on the charts' axis. */
  side: number;
  sizeBin: ExploreSizeBin;
  ignore: boolean;
}

const UNKNOWN = "(none)";

/** The AI-TOD bin of a box area in px^2 (half-open bins: an 8 x 8 box is "tiny"). */
export function exploreSizeBin(areaPx2: number): ExploreSizeBin {
  return areaPx2 < 64 ? "veryTiny" : areaPx2 < 256 ? "tiny" : areaPx2 < 1024 ? "small" : "medium";
}

/** Plain rows, one per annotation, from either kind of source. Box area is w * h (not the COCO `area`). */
export function annotationSizeRows(source: ExploreSource): AnnotationSizeRow[] {
  const rows: AnnotationSizeRow[] = [];
  if (source instanceof Dataset) {
    const cats = new Map(source.categories.map((c) => [c.id, c]));
    const a = source.annotations;
    for (let i = 0; i < source.numAnnotations; i++) {
      const img = source.image(a.imageIds[i]!);
      const cat = cats.get(a.categoryIds[i]!);
      rows.push(row(a.ids[i]!, a.imageIds[i]!, img?.domain, img?.split, a.categoryIds[i]!, cat?.name, cat?.heldOut, a.bboxXywh[i * 4 + 2]!, a.bboxXywh[i * 4 + 3]!, a.ignore[i] === 1 || a.iscrowd[i] === 1));
    }
    return rows;
  }
  const images = new Map(source.images.map((im) => [im.id, im]));
  const cats = new Map(source.categories.map((c) => [c.id, c]));
  source.annotations.forEach((an, i) => {
    const img = images.get(an.image_id);
    const cat = cats.get(an.category_id);
    const id = (an as { id?: number }).id ?? i + 1;
    rows.push(row(id, an.image_id, img?.domain, img?.split, an.category_id, cat?.name, cat?.heldOut, an.bbox[2] ?? 0, an.bbox[3] ?? 0, !!an.ignore || an.iscrowd === 1));
  });
  return rows;
}

function row(
  annotationId: number, imageId: number, domain: string | undefined, split: string | undefined, categoryId: number,
  category: string | undefined, heldOut: boolean | undefined, w: number, h: number, ignore: boolean,
): AnnotationSizeRow {
  const area = w * h;
  return {
    annotationId, imageId, domain: domain ?? UNKNOWN, split: split ?? UNKNOWN, categoryId, category: category ?? String(categoryId),
    heldOut: heldOut ?? false, w, h, area, side: Math.sqrt(area), sizeBin: exploreSizeBin(area), ignore,
  };
}

/**
 * One row per annotation (see {@link AnnotationSizeRow}) as an arquero table.
 *
 * @example
 * const t = annotationSizeTable(train);
 * t.groupby("category").rollup({ median: aq.op.median("side") });
 */
export function annotationSizeTable(source: ExploreSource): ExploreTable {
  return aq.from(annotationSizeRows(source));
}

/**
 * Per-domain summary: `domain`, `images`, `instances` (ignore regions excluded), `categories` (distinct,
 * with instances), `perImage` (mean instances per image), one column per AI-TOD bin (`veryTiny`, `tiny`,
 * `small`, `medium`: instance counts), `medianSide` (px) and `ignored`. Domains in order of first image;
 * images without a domain count as "(none)".
 *
 * @example
 * showTable(summarizeDomains(loadTinySetSplit(await ensureTinySetMini(), "train")));
 */
export function summarizeDomains(source: ExploreSource): ExploreTable {
  const imageDomains = source instanceof Dataset ? source.images.map((im) => im.domain ?? UNKNOWN) : source.images.map((im) => im.domain ?? UNKNOWN);
  const order = [...new Set(imageDomains)];
  const images = new Map<string, number>();
  for (const d of imageDomains) images.set(d, (images.get(d) ?? 0) + 1);
  const rows = annotationSizeRows(source);
  return aq.from(
    order.map((domain) => {
      const mine = rows.filter((r) => r.domain === domain);
      const kept = mine.filter((r) => !r.ignore);
      const bins = Object.fromEntries(EXPLORE_SIZE_BINS.map((b) => [b, kept.filter((r) => r.sizeBin === b).length]));
      const n = images.get(domain) ?? 0;
      return {
        domain,
        images: n,
        instances: kept.length,
        categories: new Set(kept.map((r) => r.categoryId)).size,
        perImage: n ? Math.round((kept.length / n) * 10) / 10 : 0,
        ...bins,
        medianSide: Math.round(median(kept.map((r) => r.side)) * 10) / 10,
        ignored: mine.length - kept.length,
      };
    }),
  );
}

/**
 * Per-category summary: `domain`, `category`, `heldOut`, `instances`, `images` (with one or more),
 * the four bin counts and `medianSide`, in category-id order (categories without instances included).
 *
 * @example
 * summarizeCategories(coco).filter((d: { heldOut: boolean }) => d.heldOut);
 */
export function summarizeCategories(source: ExploreSource): ExploreTable {
  const cats = source.categories;
  const rows = annotationSizeRows(source).filter((r) => !r.ignore);
  const domainOf = (c: (typeof cats)[number]): string => (c as { domain?: string }).domain ?? c.supercategory ?? UNKNOWN;
  return aq.from(
    [...cats]
      .sort((a, b) => a.id - b.id)
      .map((c) => {
        const mine = rows.filter((r) => r.categoryId === c.id);
        return {
          domain: domainOf(c),
          category: c.name,
          heldOut: c.heldOut ?? false,
          instances: mine.length,
          images: new Set(mine.map((r) => r.imageId)).size,
          ...Object.fromEntries(EXPLORE_SIZE_BINS.map((b) => [b, mine.filter((r) => r.sizeBin === b).length])),
          medianSide: Math.round(median(mine.map((r) => r.side)) * 10) / 10,
        };
      }),
  );
}

function median(values: number[]): number {
  if (!values.length) return 0;
  const s = values.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
