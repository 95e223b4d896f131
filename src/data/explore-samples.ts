/**
 * Notebook glue between a {@link Dataset} and the viz sample grid: picks images (per domain, seeded) and
 * loads their pixels and boxes; and compares two data sets box by box (format round trips).
 */
import * as path from "node:path";
import * as aq from "arquero";
import { gtBoxXywh } from "../structures/ground-truth.js";
import type { RgbImage } from "../structures/image.js";
import { Random } from "../util/random.js";
import { Dataset } from "./dataset.js";
import { loadImageRgb } from "./images.js";

/** One image with its boxes, as the sample grid (`sampleGridSvg`) takes it. */
export interface ExploreSample {
  imageId: number;
  domain: string;
  title: string;
  image: RgbImage;
  boxes: { bboxXywh: [number, number, number, number]; categoryId: number; ignore: boolean }[];
}

/** Options of {@link loadSamples}. */
export interface LoadSamplesOptions {
  /** Only images of this domain (default: all). */
  domain?: string;
  /** Number of images (default 3). */
  count?: number;
  /** Seed of the pick (default 0); the same seed picks the same images. */
  seed?: number;
  /** Prefer images with at least this many boxes (default 1), when there are enough of them. */
  minBoxes?: number;
}

/**
 * Picks `count` images (seeded) and loads their pixels and boxes. Needs `ds.root` to find the files.
 *
 * @example
 * showSvg(sampleGridSvg(await loadSamples(train, { domain: "uav", count: 3 })));
 */
export async function loadSamples(ds: Dataset, options: LoadSamplesOptions = {}): Promise<ExploreSample[]> {
  const pool = options.domain === undefined ? ds.images.map((_, i) => i) : [...ds.imagesOfDomain(options.domain)];
  const minBoxes = options.minBoxes ?? 1;
  const rich = pool.filter((i) => ds.annotationsOfImage(ds.images[i]!.id).length >= minBoxes);
  const count = options.count ?? 3;
  const from = rich.length >= count ? rich : pool;
  const picked = new Random(options.seed ?? 0).shuffled(from).slice(0, count).sort((a, b) => a - b);
  const out: ExploreSample[] = [];
  for (const i of picked) {
    const im = ds.images[i]!;
    const gt = ds.groundTruth(im.id);
    out.push({
      imageId: im.id,
      domain: im.domain ?? "",
      title: `${path.posix.basename(im.fileName)} (${gt.gtCategoryIds.length} boxes)`,
      image: await loadImageRgb(ds.imagePath(im.id)),
      boxes: Array.from(gt.gtCategoryIds, (categoryId, g) => ({ bboxXywh: gtBoxXywh(gt, g), categoryId, ignore: gt.gtIgnore?.[g] === 1 })),
    });
  }
  return out;
}

/**
 * Compares two data sets image by image (matched by file base name): box counts (ignore regions apart), the
 * largest coordinate difference after sorting boxes by position, and whether category names agree box for box. One row
 * per image of `a`, as an arquero table; use it to show a format round trip.
 *
 * @example
 * showTable(compareDatasets(original, await readYolo(dir + "/labels", { imagesDir: dir + "/images" })));
 */
export function compareDatasets(a: Dataset, b: Dataset): ReturnType<typeof aq.from> {
  const byName = new Map(b.images.map((im) => [path.posix.basename(im.fileName), im]));
  const boxesOf = (ds: Dataset, id: number) => {
    const names = new Map(ds.categories.map((c) => [c.id, c.name]));
    return [...ds.annotationsOfImage(id)]
      .map((r) => ({ xywh: [0, 1, 2, 3].map((k) => ds.annotations.bboxXywh[r * 4 + k]!), name: names.get(ds.annotations.categoryIds[r]!) ?? "?", ignore: ds.annotations.ignore[r] === 1 }))
      .sort((p, q) => p.xywh[0]! - q.xywh[0]! || p.xywh[1]! - q.xywh[1]! || p.xywh[2]! - q.xywh[2]!);
  };
  return aq.from(
    a.images.map((im) => {
      const name = path.posix.basename(im.fileName);
      const other = byName.get(name);
      const allA = boxesOf(a, im.id), allB = other ? boxesOf(b, other.id) : [];
      // Ignore regions are counted apart: some formats (YOLO) cannot hold them.
      const pa = allA.filter((p) => !p.ignore), pb = allB.filter((p) => !p.ignore);
      let maxDiff = 0, sameNames = pa.length === pb.length;
      if (pa.length === pb.length) {
        pa.forEach((p, k) => {
          for (let j = 0; j < 4; j++) maxDiff = Math.max(maxDiff, Math.abs(p.xywh[j]! - pb[k]!.xywh[j]!));
          if (p.name !== pb[k]!.name) sameNames = false;
        });
      }
      return {
        file: name,
        boxes: pa.length,
        boxesAfter: pb.length,
        ignoreRegions: allA.length - pa.length,
        ignoreAfter: allB.length - pb.length,
        maxCoordDiffPx: pa.length === pb.length ? maxDiff : NaN,
        sameCategories: sameNames,
      };
    }),
  );
}
