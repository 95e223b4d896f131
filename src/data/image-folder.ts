import * as fs from "node:fs";
import * as path from "node:path";
import { DealkitInputError } from "../util/errors.js";
import { Dataset } from "./dataset.js";
import { imageSize, listImageFiles, IMAGE_EXTENSIONS } from "./images.js";

/**
 * The images of a folder (recursive, sorted by path) as a data set without annotations: image ids 1, 2, ...
 * in that order, sizes read from the file headers, `root` the folder. For running a model on your own photos
 * (clicks given per image). An empty or missing folder throws a DealkitInputError naming it.
 *
 * @example
 * const ds = await datasetFromImageFolder("photos/");
 * ds.images.map((im) => im.fileName); // ["a.jpg", "b/c.png", ...]
 */
export async function datasetFromImageFolder(dir: string): Promise<Dataset> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new DealkitInputError("image folder not found", { file: dir });
  const files = listImageFiles(dir);
  if (files.length === 0) throw new DealkitInputError(`no image files (${IMAGE_EXTENSIONS.join(", ")}) in this folder`, { file: dir });
  const images = [];
  for (const [i, fileName] of files.entries()) images.push({ id: i + 1, fileName, ...(await imageSize(path.join(dir, fileName))) });
  return Dataset.fromCoco(
    { images: images.map((im) => ({ id: im.id, file_name: im.fileName, width: im.width, height: im.height })), categories: [], annotations: [] },
    { file: dir, root: path.resolve(dir) },
  );
}
