/**
 * Small real-format examples made from TinySet-mini, for notebooks and tests of the format readers:
 * a VisDrone-DET folder (from the UAV domain, whose categories map onto VisDrone's) and a YOLO folder.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../../util/fs.js";
import { Dataset } from "../dataset.js";
import { writeYolo } from "../formats/yolo.js";
import type { ValidationIssue } from "../issues.js";
import { readTinySetSplit, type TinySetCoco, type TinySetMiniLocation, type TinySetSplit } from "./tinyset.js";
import type { DomainName } from "./types.js";

/** VisDrone-DET category ids of the TinySet-mini categories that have one; others export as 11 "others". */
export const VISDRONE_ID_OF_SYNTH: Readonly<Record<string, number>> = { pedestrian: 1, car: 4, van: 5, bus: 9, "small-vehicle": 4, "large-vehicle": 6, person: 1 };

/** Options of the format example writers. */
export interface FormatExampleOptions {
  /** Output folder (created). */
  outDir: string;
  /** Domain to take images from (default "uav"). */
  domain?: DomainName;
  /** Split to take images from (default "val"). */
  split?: TinySetSplit;
  /** Number of images (default 6). */
  count?: number;
}

/** What a format example writer produced. */
export interface FormatExample {
  /** The folder of the copied PNGs (flat: `<domain>-NNNN.png`). */
  imagesDir: string;
  /** The VisDrone annotations folder, or the YOLO labels folder. */
  labelsDir: string;
  /** YOLO only: the class list file. */
  classesFile?: string;
  /** The selected images and their annotations as COCO, with `file_name` relative to `imagesDir`. */
  coco: TinySetCoco;
  /** Warnings of the writer (YOLO leaves out ignore regions). */
  warnings: ValidationIssue[];
}

/**
 * VisDrone-DET lines for one image's annotations: `x,y,w,h,score,category,truncation,occlusion`, with
 * ignore regions as category 0 and score 0, truncation 0/1 and occlusion 0 (none), 1 (<= 50%), 2 (> 50%).
 *
 * @example
 * visDroneLines(coco.annotations.filter((a) => a.image_id === 3), coco.categories);
 */
export function visDroneLines(annotations: TinySetCoco["annotations"], categories: TinySetCoco["categories"]): string[] {
  const nameOf = new Map(categories.map((c) => [c.id, c.name]));
  return annotations.map((a) => {
    const [x, y, w, h] = a.bbox;
    const cat = a.ignore ? 0 : VISDRONE_ID_OF_SYNTH[nameOf.get(a.category_id) ?? ""] ?? 11;
    const trunc = a.truncation > 0.01 ? 1 : 0;
    const occ = a.occlusion <= 0.01 ? 0 : a.occlusion <= 0.5 ? 1 : 2;
    return `${x},${y},${w},${h},${a.ignore ? 0 : 1},${cat},${trunc},${occ}`;
  });
}

function selectImages(loc: TinySetMiniLocation, options: FormatExampleOptions): TinySetCoco {
  const domain = options.domain ?? "uav";
  const src = readTinySetSplit(loc, options.split ?? "val");
  const images = src.images.filter((im) => im.domain === domain).slice(0, options.count ?? 6);
  const keep = new Set(images.map((im) => im.id));
  fs.mkdirSync(path.join(options.outDir, "images"), { recursive: true });
  const flat = images.map((im) => {
    const name = path.posix.basename(im.file_name);
    fs.copyFileSync(path.join(loc.root, im.file_name), path.join(options.outDir, "images", name));
    return { ...im, file_name: name };
  });
  const annotations = src.annotations.filter((a) => keep.has(a.image_id));
  const usedCats = new Set(src.categories.filter((c) => c.domain === domain).map((c) => c.id));
  return { ...src, images: flat, annotations, categories: src.categories.filter((c) => usedCats.has(c.id)) };
}

/**
 * Writes `<outDir>/images/*.png` and `<outDir>/annotations/*.txt` in VisDrone-DET format from a split's
 * images of one domain (UAV by default).
 *
 * @example
 * const ex = writeVisDroneExample(await ensureTinySetMini(), { outDir: ".cache/examples/visdrone" });
 * const ds = await readVisDrone(ex.labelsDir, { imagesDir: ex.imagesDir });
 */
export function writeVisDroneExample(loc: TinySetMiniLocation, options: FormatExampleOptions): FormatExample {
  const coco = selectImages(loc, options);
  const labelsDir = path.join(options.outDir, "annotations");
  for (const im of coco.images) {
    const lines = visDroneLines(coco.annotations.filter((a) => a.image_id === im.id), coco.categories);
    writeFileAtomic(path.join(labelsDir, im.file_name.replace(/\.png$/, ".txt")), lines.map((l) => l + "\n").join(""));
  }
  return { imagesDir: path.join(options.outDir, "images"), labelsDir, coco, warnings: [] };
}

/**
 * Writes `<outDir>/images/*.png`, `<outDir>/yolo/labels/*.txt` and `<outDir>/yolo/classes.txt` in YOLO format (the
 * domain's categories as classes 0..n-1, in id order) with the data layer's YOLO writer. Ignore regions
 * cannot be written in YOLO; the warnings say how many were left out.
 *
 * @example
 * const ex = writeYoloExample(await ensureTinySetMini(), { outDir: ".cache/examples/yolo", domain: "microscopy" });
 * const ds = await readYolo(ex.labelsDir, { imagesDir: ex.imagesDir, classesFile: ex.classesFile });
 */
export function writeYoloExample(loc: TinySetMiniLocation, options: FormatExampleOptions): FormatExample {
  const coco = selectImages(loc, options);
  const ds = Dataset.fromCoco(coco, { root: path.join(options.outDir, "images") });
  // The YOLO folder (labels/ + classes.txt) is written whole and atomically, so it sits beside images/.
  const yoloDir = path.join(options.outDir, "yolo");
  const warnings = writeYolo(ds, yoloDir);
  return {
    imagesDir: path.join(options.outDir, "images"),
    labelsDir: path.join(yoloDir, "labels"),
    classesFile: path.join(yoloDir, "classes.txt"),
    coco,
    warnings,
  };
}
