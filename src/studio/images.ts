import * as path from "node:path";
import type { Dataset } from "../data/dataset.js";
import { listImageFiles, loadImageRgb } from "../data/images.js";
import type { RgbImage } from "../structures/image.js";
import { DealkitInputError } from "../util/errors.js";

/**
 * One image the studio can show: a name for the page and the export, the COCO image id its exported
 * detections carry (default: its index + 1), and how to decode it (called when the page opens the image;
 * the studio keeps the last few decoded).
 */
export interface StudioImageSource {
  name: string;
  imageId?: number;
  load(): Promise<RgbImage> | RgbImage;
}

/** A category the page offers: detections of a click carry its id; the page shows its name. */
export interface StudioCategory {
  id: number;
  name: string;
}

/**
 * An in-memory image as a studio image source.
 *
 * @example
 * await startStudio(model, [studioImageOf(scene.image, "scene 0"), studioImageOf(other, "scene 1")]);
 */
export function studioImageOf(image: RgbImage, name = "image", imageId?: number): StudioImageSource {
  return { name, ...(imageId === undefined ? {} : { imageId }), load: () => image };
}

/**
 * Every image file under `dir` (recursive, sorted; see IMAGE_EXTENSIONS), decoded when opened. Throws a
 * DealkitInputError naming the folder when it holds none.
 *
 * @example
 * await startStudio(model, studioImagesFromFolder("photos/"));
 */
export function studioImagesFromFolder(dir: string): StudioImageSource[] {
  let files: string[];
  try {
    files = listImageFiles(dir);
  } catch (err) {
    throw new DealkitInputError(`cannot list the image folder: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file: dir });
  }
  if (files.length === 0) throw new DealkitInputError("no image files here (looked for .png, .jpg, .jpeg, .bmp, .tif, .tiff, .webp)", { file: dir });
  return files.map((f) => ({ name: f, load: () => loadImageRgb(path.join(dir, f)) }));
}

/**
 * The images of a data set, in its order, with their COCO ids (so an exported results file evaluates
 * against it). Image paths come from `dataset.imagePath` (the readers refuse file names that leave the
 * data set's folder).
 *
 * @example
 * const ds = await readCoco("val.json", { root: "images/" });
 * await startStudio(model, studioImagesFromDataset(ds), { categories: studioCategoriesOf(ds) });
 */
export function studioImagesFromDataset(dataset: Dataset): StudioImageSource[] {
  if (dataset.images.length === 0) throw new DealkitInputError("the data set has no images");
  return dataset.images.map((img) => ({ name: img.fileName, imageId: img.id, load: () => loadImageRgb(dataset.imagePath(img.id)) }));
}

/** A data set's categories for the page's category menu (ids and names as in the file). */
export function studioCategoriesOf(dataset: Dataset): StudioCategory[] {
  return dataset.categories.map((c) => ({ id: c.id, name: c.name }));
}

/**
 * Unnamed categories 1..n ("category 1", ...), for plain images; or the given names with ids 1..n.
 *
 * @example
 * unnamedCategories(2); // [{ id: 1, name: "category 1" }, { id: 2, name: "category 2" }]
 */
export function unnamedCategories(n: number | readonly string[] = 1): StudioCategory[] {
  const names = typeof n === "number" ? Array.from({ length: n }, (_, i) => `category ${i + 1}`) : n;
  return names.map((name, i) => ({ id: i + 1, name }));
}
