import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readCoco, loadImageRgb, type Dataset } from "../../src/data/index.js";
import { runValidateCommand } from "../../src/cli/commands/validate.js";
import type { RgbImage } from "../../src/structures/image.js";
import { projectRoot } from "../../src/util/fs.js";

// The committed real-image probe (datasets/real-probe, made by scripts/make-real-probe.py). Nothing here needs
// python: the JSON and PNGs are read with the project's own data layer.
const dir = path.join(projectRoot(), "datasets", "real-probe");
const file = path.join(dir, "annotations.json");

let ds: Dataset;
const pixels = new Map<number, RgbImage>();

beforeAll(async () => {
  ds = await readCoco(file, { root: dir });
  for (const im of ds.images) pixels.set(im.id, await loadImageRgb(ds.imagePath(im.id)));
});

/** Non-ignored rows as [x, y, w, h, categoryId, imageId]. */
function objects(ignored = false): number[][] {
  const a = ds.annotations;
  const out: number[][] = [];
  for (let r = 0; r < a.ids.length; r++) {
    if ((a.ignore[r] === 1) !== ignored) continue;
    out.push([a.bboxXywh[4 * r]!, a.bboxXywh[4 * r + 1]!, a.bboxXywh[4 * r + 2]!, a.bboxXywh[4 * r + 3]!, a.categoryIds[r]!, a.imageIds[r]!]);
  }
  return out;
}

/** Mean of `f(r, g, b)` over the pixels of a box (inside) or of the whole image. */
function meanOf(img: RgbImage, f: (r: number, g: number, b: number) => number, box?: number[]): number {
  const [x0, y0, w, h] = box ?? [0, 0, img.width, img.height];
  let s = 0;
  for (let y = y0!; y < y0! + h!; y++) for (let x = x0!; x < x0! + w!; x++) {
    const o = 3 * (y * img.width + x);
    s += f(img.data[o]!, img.data[o + 1]!, img.data[o + 2]!);
  }
  return s / (w! * h!);
}

describe("real-image probe (datasets/real-probe)", () => {
  it("loads with the COCO reader: 7 images in two domains, 3 described categories, no warnings", () => {
    expect(ds.warnings).toEqual([]);
    expect(ds.images.length).toBe(7);
    expect(ds.images.filter((im) => im.domain === "real-astronomy").length).toBe(4);
    expect(ds.images.filter((im) => im.domain === "real-microscopy").length).toBe(3);
    expect(ds.categories.map((c) => c.name)).toEqual(["compact source", "extended galaxy", "stromal nucleus"]);
    const raw = JSON.parse(fs.readFileSync(file, "utf8"));
    for (const c of raw.categories) expect(c.description.length).toBeGreaterThan(40);
    for (const a of raw.annotations) {
      expect(a.iscrowd).toBe(0);
      expect(a.area).toBe(a.bbox[2] * a.bbox[3]);
    }
  });

  it("image files decode to the sizes the JSON states", () => {
    for (const im of ds.images) {
      const img = pixels.get(im.id)!;
      expect([img.width, img.height]).toEqual([im.width, im.height]);
      expect(Math.max(img.width, img.height)).toBeLessThanOrEqual(384);
    }
  });

  it("every box, object or ignore region, lies inside its image and has a positive size", () => {
    const all = [...objects(false), ...objects(true)];
    expect(all.length).toBe(ds.numAnnotations);
    for (const [x, y, w, h, , imageId] of all) {
      const im = ds.image(imageId!)!;
      expect(x).toBeGreaterThanOrEqual(0);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(w).toBeGreaterThan(0);
      expect(h).toBeGreaterThan(0);
      expect(x! + w!).toBeLessThanOrEqual(im.width);
      expect(y! + h!).toBeLessThanOrEqual(im.height);
    }
  });

  it("most objects are 2-32 px on both sides (99.4% when made; asserted >= 95%), every category is present", () => {
    const objs = objects(false);
    expect(objs.length).toBeGreaterThan(500);
    const within = objs.filter(([, , w, h]) => Math.min(w!, h!) >= 2 && Math.max(w!, h!) <= 32).length;
    expect(within / objs.length).toBeGreaterThanOrEqual(0.95);
    for (const c of ds.categories) expect(objs.filter((o) => o[4] === c.id).length).toBeGreaterThan(50);
    // The categories' definitions: compact sources have a longest side <= 6 px, extended galaxies > 6 px.
    for (const [, , w, h, cat] of objs) {
      if (cat === 1) expect(Math.max(w!, h!)).toBeLessThanOrEqual(6);
      if (cat === 2) expect(Math.max(w!, h!)).toBeGreaterThan(6);
    }
  });

  it("boxes sit on the objects: galaxies are brighter than the sky, nuclei bluer than the tissue", () => {
    const lum = (r: number, g: number, b: number) => (r + g + b) / 3;
    const blue = (r: number, _g: number, b: number) => b - r;
    for (const im of ds.images) {
      const img = pixels.get(im.id)!;
      const mine = objects(false).filter((o) => o[5] === im.id);
      const f = im.domain === "real-astronomy" ? lum : blue;
      const whole = meanOf(img, f);
      const above = mine.filter((o) => meanOf(img, f, o) > whole).length;
      expect(above / mine.length).toBeGreaterThan(0.95);
      // A box shifted by half the image does not: the check is about where the boxes are.
      const shifted = mine.map((o) => [(o[0]! + img.width / 2) % (img.width - o[2]!), o[1]!, o[2]!, o[3]!].map(Math.floor));
      expect(shifted.filter((o) => meanOf(img, f, o) > whole).length / mine.length).toBeLessThan(0.8);
    }
  });

  it("lists the reason of every ignore region in info.ignore_reasons", () => {
    const raw = JSON.parse(fs.readFileSync(file, "utf8"));
    const listed = Object.values(raw.info.ignore_reasons as Record<string, number[]>).flat().sort((a, b) => a - b);
    const ignored = raw.annotations.filter((a: { ignore: number }) => a.ignore === 1).map((a: { id: number }) => a.id);
    expect(listed).toEqual(ignored);
  });

  it("is usable according to `dealkit validate` with its images", async () => {
    const { report } = await runValidateCommand(file, { images: dir });
    expect(report.usable).toBe(true);
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect([report.images, report.categories]).toEqual([7, 3]);
  });
});
