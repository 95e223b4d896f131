import type { Dataset } from "./dataset.js";

/**
 * The ids of the first `perDomain` images of each domain (in the data set's order), or every image when
 * `perDomain` is undefined: a small, balanced and deterministic subset for quick runs.
 *
 * @example
 * const ids = imagesPerDomain(testSet, 4); // 24 ids for TinySet-mini's six domains
 */
export function imagesPerDomain(ds: Pick<Dataset, "images">, perDomain?: number): number[] {
  if (perDomain === undefined) return ds.images.map((im) => im.id);
  const count = new Map<string, number>();
  const out: number[] = [];
  for (const im of ds.images) {
    const d = im.domain ?? "";
    const n = count.get(d) ?? 0;
    if (n >= perDomain) continue;
    count.set(d, n + 1);
    out.push(im.id);
  }
  return out;
}
