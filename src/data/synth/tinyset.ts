import * as fs from "node:fs";
import * as path from "node:path";
import type { RgbImage } from "../../structures/image.js";
import { checkOneOf, DealkitInputError } from "../../util/errors.js";
import { removeStaleTemps, writeDirAtomic } from "../../util/dir-atomic.js";
import { cacheDir, readJsonFileChecked, resolveInside, writeFileAtomic } from "../../util/fs.js";
import { Random } from "../../util/random.js";
import { Dataset } from "../dataset.js";
import sharp from "sharp";
import { type SynthCategory, synthCategories } from "./catalog.js";
import { type GenerateImageOptions, type SceneDensity, generateImage } from "./scene.js";
import { type DomainName, SYNTH_DOMAINS } from "./types.js";

/**
 * The generator's version. Bump it whenever output bytes change for a given seed: cached copies are keyed
 * by it, so a bump regenerates them.
 */
export const TINYSET_MINI_VERSION = 2;

/** The splits, in file order. Held-out categories appear only in "heldout-categories". */
export const TINYSET_SPLITS = ["train", "val", "test", "heldout-categories", "heldout-dataset"] as const;
/** One of {@link TINYSET_SPLITS}. */
export type TinySetSplit = (typeof TINYSET_SPLITS)[number];

/** A named size: image side and images per domain per split. */
export interface TinySetScale {
  imageSize: number;
  perDomain: Record<TinySetSplit, number>;
}

/**
 * Named sizes. "default" (6 x 134 = 804 images of 256 px) trains a tiny DEAL on 2 CPU cores in minutes;
 * "tiny" is for tests; "small" for quick notebook runs; "large" for longer experiments.
 */
export const TINYSET_SCALES: Readonly<Record<"tiny" | "small" | "default" | "large", TinySetScale>> = {
  tiny: { imageSize: 128, perDomain: { train: 2, val: 1, test: 1, "heldout-categories": 1, "heldout-dataset": 1 } },
  small: { imageSize: 256, perDomain: { train: 24, val: 5, test: 8, "heldout-categories": 4, "heldout-dataset": 4 } },
  default: { imageSize: 256, perDomain: { train: 80, val: 15, test: 25, "heldout-categories": 7, "heldout-dataset": 7 } },
  large: { imageSize: 512, perDomain: { train: 160, val: 30, test: 50, "heldout-categories": 14, "heldout-dataset": 14 } },
};
/** A key of {@link TINYSET_SCALES}. */
export type TinySetScaleName = keyof typeof TINYSET_SCALES;

/** The data set name written into images of the held-out (shifted statistics) data set. */
export const TINYSET_SHIFT_DATASET = "tinyset-mini-shift";

/** Options of {@link generateTinySetMini}. */
export interface TinySetMiniOptions {
  /** Folder to write into (created; existing files of the same names are overwritten). */
  outDir: string;
  /** Seed (default 0). */
  seed?: number;
  /** Named size (default "default"). */
  scale?: TinySetScaleName;
  /** Overrides the scale's image side, px. */
  imageSize?: number;
  /** Called after each image with (done, total), e.g. for a progress bar. */
  onProgress?: (done: number, total: number) => void;
}

/** What `manifest.json` holds. */
export interface TinySetMiniManifest {
  name: "tinyset-mini";
  generatorVersion: number;
  seed: number;
  scale: TinySetScaleName;
  imageSize: number;
  domains: DomainName[];
  splits: Record<TinySetSplit, { annotations: string; imagesDir: string; images: number; instances: number }>;
  categories: SynthCategory[];
}

/** One split as a COCO instances object (TinySet-style extensions: `domain`, `split`, `heldOut`, `ignore`). */
export interface TinySetCoco {
  info: Record<string, unknown>;
  licenses: unknown[];
  images: { id: number; file_name: string; width: number; height: number; domain: DomainName; split: TinySetSplit; dataset: string; density: SceneDensity }[];
  annotations: {
    id: number;
    image_id: number;
    category_id: number;
    bbox: [number, number, number, number];
    area: number;
    iscrowd: 0 | 1;
    ignore: 0 | 1;
    occlusion: number;
    truncation: number;
  }[];
  categories: SynthCategory[];
}

const SPLIT_OPTIONS: Record<TinySetSplit, Pick<GenerateImageOptions, "categories" | "shifted">> = {
  train: { categories: "seen" },
  val: { categories: "seen" },
  test: { categories: "seen" },
  "heldout-categories": { categories: "heldout" },
  "heldout-dataset": { categories: "seen", shifted: true },
};

/**
 * Generates TinySet-mini into `outDir`: `images/<split>/<domain>-NNNN.png`, `annotations/<split>.json`
 * (COCO; `file_name` relative to `outDir`) and `manifest.json` (written last). Same seed and scale give
 * byte-identical files. Image and annotation ids are unique across splits. The folder is written to a temporary
 * sibling and renamed into place whole (a crash leaves the previous folder); an existing `outDir` must be empty
 * or a TinySet-mini folder.
 *
 * @example
 * const manifest = await generateTinySetMini({ outDir: "out/tinyset", seed: 0, scale: "small" });
 */
export async function generateTinySetMini(options: TinySetMiniOptions): Promise<TinySetMiniManifest> {
  return writeDirAtomic(options.outDir, (tmp) => generateInto(tmp, options), { what: "TinySet-mini folder", isPrevious: isTinySetFolder });
}

/** Does `dir` hold a TinySet-mini manifest (so a new generation may replace it)? */
function isTinySetFolder(dir: string): boolean {
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")) as { name?: unknown }).name === "tinyset-mini";
  } catch {
    return false;
  }
}

async function generateInto(outDir: string, options: TinySetMiniOptions): Promise<TinySetMiniManifest> {
  const seed = options.seed ?? 0;
  const scaleName = checkOneOf("scale", options.scale ?? "default", Object.keys(TINYSET_SCALES) as TinySetScaleName[]);
  const scale = TINYSET_SCALES[scaleName];
  const size = options.imageSize ?? scale.imageSize;
  const root = new Random(seed);
  const total = TINYSET_SPLITS.reduce((s, sp) => s + scale.perDomain[sp] * SYNTH_DOMAINS.length, 0);
  let done = 0, imageId = 0, annId = 0;
  const splits = {} as TinySetMiniManifest["splits"];
  for (const split of TINYSET_SPLITS) {
    const coco: TinySetCoco = {
      info: { description: `TinySet-mini ${split} split (procedural, dealkit)`, version: String(TINYSET_MINI_VERSION), seed, scale: scaleName },
      licenses: [],
      images: [],
      annotations: [],
      categories: synthCategories(),
    };
    const imagesDir = `images/${split}`;
    fs.mkdirSync(path.join(outDir, imagesDir), { recursive: true });
    const pending: Promise<void>[] = [];
    for (const domain of SYNTH_DOMAINS) {
      for (let i = 0; i < scale.perDomain[split]; i++) {
        const rng = root.fork(`${split}/${domain}/${i}`);
        const g = generateImage(domain, rng, { width: size, height: size, ...SPLIT_OPTIONS[split] });
        const fileName = `${imagesDir}/${domain}-${String(i).padStart(4, "0")}.png`;
        const id = ++imageId;
        coco.images.push({
          id,
          file_name: fileName,
          width: size,
          height: size,
          domain,
          split,
          dataset: split === "heldout-dataset" ? TINYSET_SHIFT_DATASET : "tinyset-mini",
          density: g.density,
        });
        for (const a of g.annotations) {
          coco.annotations.push({
            id: ++annId,
            image_id: id,
            category_id: a.categoryId,
            bbox: a.bboxXywh,
            area: a.area,
            iscrowd: 0,
            ignore: a.ignore ? 1 : 0,
            occlusion: a.occlusion,
            truncation: a.truncation,
          });
        }
        const file = path.join(outDir, fileName);
        pending.push(encodePng(g.image).then((png) => fs.writeFileSync(file, png)));
        if (pending.length >= 8) await Promise.all(pending.splice(0));
        options.onProgress?.(++done, total);
      }
    }
    await Promise.all(pending);
    const annFile = `annotations/${split}.json`;
    writeFileAtomic(path.join(outDir, annFile), JSON.stringify(coco));
    splits[split] = { annotations: annFile, imagesDir, images: coco.images.length, instances: coco.annotations.length };
  }
  const manifest: TinySetMiniManifest = {
    name: "tinyset-mini",
    generatorVersion: TINYSET_MINI_VERSION,
    seed,
    scale: scaleName,
    imageSize: size,
    domains: [...SYNTH_DOMAINS],
    splits,
    categories: synthCategories(),
  };
  writeFileAtomic(path.join(outDir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  return manifest;
}

/** A generated TinySet-mini folder. */
export interface TinySetMiniLocation {
  /** The data set root: COCO `file_name`s are relative to it. */
  root: string;
  manifest: TinySetMiniManifest;
  /** Absolute path of each split's COCO file. */
  annotationFiles: Record<TinySetSplit, string>;
  /** True when this call generated it (false: found in the cache). */
  generated: boolean;
}

/** Options of {@link ensureTinySetMini}. */
export interface EnsureTinySetMiniOptions {
  /** Seed (default 0). */
  seed?: number;
  /** Named size (default "default"). */
  scale?: TinySetScaleName;
  /** Cache folder (default `cacheDir("tinyset-mini")`, i.e. `.cache/tinyset-mini` or $DEALKIT_CACHE). */
  cacheRoot?: string;
  /** Progress callback, only called when generating. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * The cached TinySet-mini folder `<cache>/tinyset-mini/v<version>-s<seed>[-<scale>]`, generated only when
 * missing. Generation goes to a temporary folder renamed into place, so concurrent callers and crashes
 * never see a partial data set.
 *
 * @example
 * const ts = await ensureTinySetMini({ seed: 0 });
 * const train = Dataset.fromCoco(JSON.parse(fs.readFileSync(ts.annotationFiles.train, "utf8")), { root: ts.root });
 */
export async function ensureTinySetMini(options: EnsureTinySetMiniOptions = {}): Promise<TinySetMiniLocation> {
  const seed = options.seed ?? 0;
  const scale = checkOneOf("scale", options.scale ?? "default", Object.keys(TINYSET_SCALES) as TinySetScaleName[]);
  const base = options.cacheRoot ?? cacheDir("tinyset-mini");
  const dir = path.join(base, `v${TINYSET_MINI_VERSION}-s${seed}${scale === "default" ? "" : `-${scale}`}`);
  let generated = false;
  removeStaleTemps(dir); // folders of crashed generations (their writers are gone)
  if (!fs.existsSync(path.join(dir, "manifest.json"))) {
    const tmp = `${dir}.tmp-${process.pid}-${Date.now().toString(36)}`;
    try {
      await generateTinySetMini({ outDir: tmp, seed, scale, onProgress: options.onProgress });
      try {
        fs.renameSync(tmp, dir);
        generated = true;
      } catch (err) {
        // Another process finished first: keep theirs (identical bytes).
        if (!fs.existsSync(path.join(dir, "manifest.json"))) throw err;
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  return locate(dir, generated);
}

/**
 * Opens an existing TinySet-mini folder (written by {@link generateTinySetMini} or the CLI).
 *
 * @example
 * const ts = openTinySetMini("out/tinyset");
 */
export function openTinySetMini(dir: string): TinySetMiniLocation {
  return locate(path.resolve(dir), false);
}

function locate(dir: string, generated: boolean): TinySetMiniLocation {
  const file = path.join(dir, "manifest.json");
  if (!fs.existsSync(file)) throw new DealkitInputError("not a TinySet-mini folder (manifest.json is missing; dealkit generate --out writes one)", { file: dir });
  const manifest = readJsonFileChecked(file) as TinySetMiniManifest;
  if (manifest === null || typeof manifest !== "object" || manifest.name !== "tinyset-mini") {
    throw new DealkitInputError('not a TinySet-mini manifest (expected an object with name "tinyset-mini")', { file, field: "name" });
  }
  if (manifest.splits === null || typeof manifest.splits !== "object") throw new DealkitInputError("must be an object", { file, field: "splits" });
  const annotationFiles = {} as Record<TinySetSplit, string>;
  for (const s of TINYSET_SPLITS) {
    const sp = manifest.splits[s] as { annotations?: unknown; imagesDir?: unknown } | undefined;
    if (sp === null || typeof sp !== "object") throw new DealkitInputError("is missing", { file, field: `splits.${s}` });
    annotationFiles[s] = resolveInside(dir, sp.annotations, { file, field: `splits.${s}.annotations` });
    resolveInside(dir, sp.imagesDir, { file, field: `splits.${s}.imagesDir` });
  }
  return { root: dir, manifest, annotationFiles, generated };
}

/**
 * Reads one split's COCO object from a TinySet-mini folder.
 *
 * @example
 * const coco = readTinySetSplit(await ensureTinySetMini(), "val");
 */
export function readTinySetSplit(loc: TinySetMiniLocation, split: TinySetSplit): TinySetCoco {
  checkOneOf("split", split, TINYSET_SPLITS);
  return JSON.parse(fs.readFileSync(loc.annotationFiles[split], "utf8")) as TinySetCoco;
}

/**
 * One split as a {@link Dataset} (root set, so `imagePath(id)` resolves the PNGs).
 *
 * @example
 * const train = loadTinySetSplit(await ensureTinySetMini(), "train");
 * train.domains(); // ["agriculture", "autonomous-driving", ...]
 */
export function loadTinySetSplit(loc: TinySetMiniLocation, split: TinySetSplit): Dataset {
  return Dataset.fromCoco(readTinySetSplit(loc, split), { file: loc.annotationFiles[split], root: loc.root });
}

/** PNG with fixed options (deterministic bytes for given pixels); adaptive filtering saves ~20% here. */
function encodePng(img: RgbImage): Promise<Buffer> {
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .png({ compressionLevel: 6, adaptiveFiltering: true, palette: false })
    .toBuffer();
}
