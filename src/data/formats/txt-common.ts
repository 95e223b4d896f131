import * as fs from "node:fs";
import * as path from "node:path";
import { DealkitInputError } from "../../util/errors.js";
import { decodeText } from "../../util/text.js";
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
    const given = Object.keys(opts.imageSizes).sort().map((fileName) => ({ fileName, stem: stemOf(fileName), ...opts.imageSizes![fileName]! }));
    checkUniqueStems(given, labelsDir);
    return given;
  }
  if (!opts.imagesDir) {
    throw new DealkitInputError("image sizes are needed: give the images folder (imagesDir / --images) or imageSizes", { file: labelsDir });
  }
  if (!fs.existsSync(opts.imagesDir)) throw new DealkitInputError("images folder not found", { file: opts.imagesDir });
  const names = listImageFiles(opts.imagesDir);
  const out: TxtImageEntry[] = [];
  for (const fileName of names) out.push({ fileName, stem: stemOf(fileName), width: 0, height: 0 });
  checkUniqueStems(out, opts.imagesDir);
  for (const e of out) Object.assign(e, await imageSize(path.join(opts.imagesDir, e.fileName)));
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

/** The lines of a text file (CRLF tolerated; see {@link decodeTextFile} for encodings), or [] when it does not exist. */
export function readLines(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  return decodeTextFile(fs.readFileSync(file), file).split(/\r?\n/);
}

/**
 * The text of a label file's bytes ({@link decodeText}: UTF-8 with or without a BOM; UTF-16 refused).
 *
 * @example
 * decodeTextFile(fs.readFileSync("labels/a.txt"), "labels/a.txt");
 */
export function decodeTextFile(buf: Uint8Array, file: string): string {
  return decodeText(buf, file);
}

/**
 * A number in plain decimal syntax ("12", "-0.5", "1e-3"); NaN for anything else ("0x3", "0b1", "", "Infinity",
 * "1,5"), so label readers accept only what every YOLO / VisDrone / DOTA tool writes.
 *
 * @example
 * strictNumber("0.25"); // 0.25
 * strictNumber("0x3"); // NaN
 */
export function strictNumber(s: string): number {
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s) ? Number(s) : Number.NaN;
}

/** Refuses images that share a label file: a.png and a.jpg both map to a.txt. */
function checkUniqueStems(entries: readonly TxtImageEntry[], where: string): void {
  const seen = new Map<string, string>();
  for (const e of entries) {
    const other = seen.get(e.stem);
    if (other !== undefined) {
      throw new DealkitInputError(`images ${JSON.stringify(other)} and ${JSON.stringify(e.fileName)} share the label file ${e.stem}.txt; rename one so each image has its own`, { file: where });
    }
    seen.set(e.stem, e.fileName);
  }
}
