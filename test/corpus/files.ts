/**
 * Builders of the bad (and a few good) input files of the corpus, written by hand: COCO objects, YOLO /
 * VisDrone / DOTA label folders, images, checkpoints, TinySet-mini manifests.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { saveImagePng } from "../../src/data/images.js";
import { writeMicroCheckpoint } from "../recipes/fixtures.js";

/** A valid COCO object: two 64 px images (a.png, b.png), two categories, three boxes. */
export function goodCoco(): any {
  return {
    images: [
      { id: 1, width: 64, height: 64, file_name: "a.png" },
      { id: 2, width: 64, height: 64, file_name: "b.png" },
    ],
    categories: [{ id: 1, name: "car" }, { id: 2, name: "person" }],
    annotations: [
      { id: 1, image_id: 1, category_id: 1, bbox: [10, 10, 8, 8], area: 64, iscrowd: 0 },
      { id: 2, image_id: 1, category_id: 2, bbox: [30, 30, 6, 6], area: 36, iscrowd: 0 },
      { id: 3, image_id: 2, category_id: 1, bbox: [20, 20, 10, 10], area: 100, iscrowd: 0 },
    ],
  };
}

/** Detections for {@link goodCoco}. */
export function goodDt(): any[] {
  return [
    { image_id: 1, category_id: 1, bbox: [10, 10, 8, 8], score: 0.9 },
    { image_id: 2, category_id: 1, bbox: [21, 20, 10, 10], score: 0.8 },
  ];
}

export function write(d: string, rel: string, content: string | Uint8Array): string {
  const f = path.join(d, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, content);
  return f;
}

export const json = (d: string, rel: string, v: unknown): string => write(d, rel, JSON.stringify(v));
export const gz = (d: string, rel: string, v: unknown): string => write(d, rel, zlib.gzipSync(JSON.stringify(v)));
/** UTF-16LE with a BOM, as Windows editors save "Unicode" text. */
export const utf16 = (d: string, rel: string, text: string): string => write(d, rel, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]));
export const bom = (d: string, rel: string, text: string): string => write(d, rel, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));

/** A grey 64 px PNG. */
export async function png(d: string, rel: string, size = 64): Promise<string> {
  const f = path.join(d, rel);
  await saveImagePng(f, { width: size, height: size, data: new Uint8Array(size * size * 3).fill(90) });
  return f;
}

/** images/a.png, images/b.png and gt.json ({@link goodCoco}). */
export async function cocoSet(d: string, coco: any = goodCoco()): Promise<void> {
  await png(d, "images/a.png");
  await png(d, "images/b.png");
  json(d, "gt.json", coco);
}

/** A YOLO set: images/a.png, labels/a.txt with `line`, classes.txt with `classes`. */
export async function yoloSet(d: string, line: string, classes = "car\nperson\n"): Promise<void> {
  await png(d, "images/a.png");
  write(d, "labels/a.txt", line + "\n");
  write(d, "labels/classes.txt", classes);
}

/** A micro DEAL checkpoint at `<d>/ckpt-deal`, its manifest then changed by `edit` (and saved without its hashes when `dropHash`). */
export function checkpoint(d: string, edit?: (m: any, dir: string) => unknown, dropHash = false): string {
  const dir = writeMicroCheckpoint(d);
  const file = path.join(dir, "manifest.json");
  let m = JSON.parse(fs.readFileSync(file, "utf8"));
  if (dropHash) delete m.weights.sha256;
  if (edit) {
    const r = edit(m, dir);
    if (r !== undefined) m = r; // an edit may return a replacement (null included)
  }
  fs.writeFileSync(file, JSON.stringify(m));
  return dir;
}

/** Writes a float32 at element `i` of the checkpoint's weights file. */
export function poke(dir: string, m: any, i: number, value: number): void {
  const f = path.join(dir, m.weights.file);
  const buf = fs.readFileSync(f);
  buf.writeFloatLE(value, i * 4);
  fs.writeFileSync(f, buf);
}

/** A TinySet-mini folder whose manifest is `manifest`. */
export function tinyset(d: string, manifest: unknown): string {
  json(d, "ts/manifest.json", manifest);
  return path.join(d, "ts");
}

/** A TinySet-mini manifest with every split pointing at `annotations`. */
export function tinysetManifest(annotations: string): any {
  const splits: Record<string, unknown> = {};
  for (const s of ["train", "val", "test", "heldout-categories", "heldout-dataset"]) splits[s] = { annotations, imagesDir: `images/${s}`, images: 1, instances: 1 };
  return { name: "tinyset-mini", generatorVersion: 1, seed: 0, scale: "default", imageSize: 64, domains: [], splits, categories: [] };
}
