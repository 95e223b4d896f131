/** Shared test data for the data-layer tests. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** A fresh temporary folder for one test file. */
export function tmpDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `dealkit-${label}-`));
}

/** A small COCO object with TinySet-style fields (domain, split, heldOut, ignore, an attribute). */
export function smallCoco(): Record<string, unknown> {
  return {
    info: { description: "tiny" },
    images: [
      { id: 1, width: 100, height: 80, file_name: "a.png", domain: "uav", split: "train", license: 3 },
      { id: 2, width: 50, height: 50, file_name: "sub/b.png", domain: "microscopy" },
      { id: 3, width: 64, height: 64, file_name: "c.png" },
    ],
    categories: [
      { id: 1, name: "car", supercategory: "vehicle" },
      { id: 2, name: "person", heldOut: true },
    ],
    annotations: [
      { id: 10, image_id: 1, category_id: 1, bbox: [1, 2, 3, 4], area: 12, iscrowd: 0 },
      { id: 11, image_id: 2, category_id: 2, bbox: [5.5, 6, 7, 8], area: 50, iscrowd: 1, ignore: 1 },
      { id: 12, image_id: 1, category_id: 2, bbox: [0, 0, 2, 2], area: 4, iscrowd: 0, occlusion: 2 },
    ],
  };
}

