import * as fs from "node:fs";
import type { Dataset } from "../data/dataset.js";
import { checkClicks, type Click } from "../structures/click.js";
import { DealkitInputError } from "../util/errors.js";

/**
 * Reads a clicks file: a JSON object from image file name (as the data set names it: relative to the image
 * folder, "/" separators) to that image's clicks, `{ "x": px, "y": px, "categoryId"?: integer }` each, in
 * image pixels (x to the right, y down). Clicks sharing a categoryId prompt one category together; a click
 * without one is a prompt of its own. Returns the clicks per image id. Errors name the file, the image and
 * the click (an unknown image, a click that is not an object, a coordinate that is not a finite number or
 * lies off the image, a non-integer categoryId).
 *
 * @example
 * // clicks.json: { "harbour.jpg": [{ "x": 120.5, "y": 64, "categoryId": 1 }], "field/a.png": [{ "x": 40, "y": 52 }] }
 * const clicks = readClicksFile("clicks.json", dataset);
 */
export function readClicksFile(file: string, ds: Dataset): Map<number, Click[]> {
  let obj: unknown;
  try {
    obj = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new DealkitInputError(`cannot read clicks (${(err as Error).message})`, { file });
  }
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
    throw new DealkitInputError('must hold an object from image file name to a list of clicks, e.g. { "a.jpg": [{ "x": 10, "y": 20, "categoryId": 1 }] }', { file });
  }
  const byName = new Map(ds.images.map((im) => [im.fileName, im]));
  const out = new Map<number, Click[]>();
  for (const [name, list] of Object.entries(obj as Record<string, unknown>)) {
    const im = byName.get(name);
    if (!im) throw new DealkitInputError(`no image "${name}" in the data (names are file paths relative to the image folder)`, { file, record: `"${name}"` });
    if (!Array.isArray(list)) throw new DealkitInputError("must be a list of clicks", { file, record: `"${name}"` });
    const clicks = list.map((c: unknown, i): Click => {
      const where = { file, record: `"${name}" click #${i}` };
      if (typeof c !== "object" || c === null) throw new DealkitInputError('must be an object { "x": ..., "y": ..., "categoryId"?: ... }', where);
      const { x, y, categoryId } = c as Record<string, unknown>;
      for (const [field, v] of [["x", x], ["y", y]] as const) {
        if (typeof v !== "number" || !Number.isFinite(v)) throw new DealkitInputError(`must be a finite number of pixels, got ${JSON.stringify(v)}`, { ...where, field });
      }
      if (categoryId !== undefined && !Number.isInteger(categoryId)) throw new DealkitInputError(`must be an integer, got ${JSON.stringify(categoryId)}`, { ...where, field: "categoryId" });
      return categoryId === undefined ? { x: x as number, y: y as number } : { x: x as number, y: y as number, categoryId: categoryId as number };
    });
    try {
      checkClicks(clicks, im.width, im.height);
    } catch (err) {
      if (err instanceof DealkitInputError) throw new DealkitInputError(err.problem, { file, record: `"${name}" ${err.record ?? ""}`.trim(), field: err.field });
      throw err;
    }
    out.set(im.id, clicks);
  }
  return out;
}
