import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { saveImagePng } from "../../src/data/images.js";
import { createDetector } from "../../src/model/factory.js";
import { saveCheckpoint } from "../../src/train/checkpoint.js";

/** A fresh temp folder (the caller removes it). */
export function tmpFolder(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `dealkit-recipes-${name}-`));
}

/** A grey square image with bright squares at the given xywh boxes. */
export function squaresImage(size: number, boxes: readonly (readonly number[])[]): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(size * size * 3).fill(80);
  for (const [x, y, w, h] of boxes) {
    for (let yy = y!; yy < y! + h!; yy++) for (let xx = x!; xx < x! + w!; xx++) data.set([230, 230, 230], (yy * size + xx) * 3);
  }
  return { width: size, height: size, data };
}

/**
 * A small COCO data set written by hand: `images/a.png` and `images/sub/b.png` (64 px), three boxes of two
 * categories, one image marked split "val". Returns the file and the image folder.
 */
export async function writeSmallCoco(dir: string): Promise<{ gt: string; images: string; coco: any }> {
  const images = path.join(dir, "images");
  await saveImagePng(path.join(images, "a.png"), squaresImage(64, [[10, 10, 8, 8], [40, 30, 6, 6]]));
  await saveImagePng(path.join(images, "sub", "b.png"), squaresImage(64, [[20, 20, 10, 10]]));
  const coco = {
    images: [
      { id: 7, width: 64, height: 64, file_name: "a.png", split: "train" },
      { id: 9, width: 64, height: 64, file_name: "sub/b.png", split: "val" },
    ],
    categories: [{ id: 1, name: "square" }, { id: 2, name: "small-square" }],
    annotations: [
      { id: 1, image_id: 7, category_id: 1, bbox: [10, 10, 8, 8], area: 64, iscrowd: 0 },
      { id: 2, image_id: 7, category_id: 2, bbox: [40, 30, 6, 6], area: 36, iscrowd: 0 },
      { id: 3, image_id: 9, category_id: 1, bbox: [20, 20, 10, 10], area: 100, iscrowd: 0 },
    ],
  };
  const gt = path.join(dir, "instances.json");
  fs.writeFileSync(gt, JSON.stringify(coco));
  return { gt, images, coco };
}

/** An untrained micro DEAL (or baseline) checkpoint folder. */
export function writeMicroCheckpoint(dir: string, kind: "deal" | "baseline" = "deal"): string {
  const ckpt = path.join(dir, `ckpt-${kind}`);
  const model = createDetector({ kind, preset: "micro", numClasses: 2, categoryIds: kind === "baseline" ? [1, 2] : [] }, 3);
  saveCheckpoint(ckpt, { model, step: 0 });
  model.dispose();
  return ckpt;
}
