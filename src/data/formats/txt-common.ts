import * as fs from "node:fs";
import * as path from "node:path";
import { DealkitInputError } from "../../util/errors.js";
import { imageSize, listImageFiles } from "../images.js";

/** Image sizes given by the caller instead of reading them from image files: file name -> size. */
export type ImageSizes = Record<string, { width: number; height: number }>;

/** Where the txt readers find images and their sizes. One of `imagesDir` or `imageSizes` is needed. */
export interface TxtImageOptions {
  /** The image folder (searched recursively); sizes are read from the file headers. */
  imagesDir?: string;
  /** Sizes by file name (relative to the images folder); used instead of reading files. */
  imageSizes?: ImageSizes;
}

/** One image of a txt-format data set: its file name, its label-file stem and its size. */
export interface TxtImageEntry {
  fileName: string;
  stem: string;
  width: number;
  height: number;
}

/** The file name without its extension ("sub/a.jpg" -> "sub/a"). */
export function stemOf(fileName: string): string {
  const ext = path.posix.extname(fileName);
  return ext ? fileName.slice(0, -ext.length) : fileName;
}

/** The images of a txt-format data set, sorted by file name, with sizes. */
export async function txtImageEntries(opts: TxtImageOptions, labelsDir: string): Promise<TxtImageEntry[]> {
  if (opts.imageSizes) {
    return Object.keys(opts.imageSizes).sort().map((fileName) => ({ fileName, stem: stemOf(fileName), ...opts.imageSizes![fileName]! }));
  }
  if (!opts.imagesDir) {
    throw new DealkitInputError("image sizes are needed: give the images folder (imagesDir / --images) or imageSizes", { file: labelsDir });
  }
  if (!fs.existsSync(opts.imagesDir)) throw new DealkitInputError("images folder not found", { file: opts.imagesDir });
  const names = listImageFiles(opts.imagesDir);
  const out: TxtImageEntry[] = [];
  for (const fileName of names) out.push({ fileName, stem: stemOf(fileName), ...(await imageSize(path.join(opts.imagesDir, fileName))) });
  return out;
}

/** Label files (`.txt`) under `dir`, recursive, as relative stems ("sub/a" for sub/a.txt). */
export function listLabelStems(dir: string, skip: readonly string[] = []): string[] {
  if (!fs.existsSync(dir)) throw new DealkitInputError("labels folder not found", { file: dir });
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.name.toLowerCase().endsWith(".txt") && !skip.includes(r)) out.push(r.slice(0, -4));
    }
  };
  walk("");
  return out.sort();
}

/** The lines of a text file (CRLF tolerated), or [] when it does not exist. */
export function readLines(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, "utf8").split(/\r?\n/);
}
