import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGenerateCommand } from "../../src/cli/commands/generate.js";
import { decodeImage } from "../../src/data/images.js";
import {
  SYNTH_DOMAINS,
  TINYSET_SCALES,
  TINYSET_SPLITS,
  ensureTinySetMini,
  generateTinySetMini,
  loadTinySetSplit,
  openTinySetMini,
  readTinySetSplit,
  type TinySetMiniManifest,
} from "../../src/data/synth/index.js";

/** sha256 over every file's relative path and bytes, in sorted order. */
function hashTree(dir: string): string {
  const h = createHash("sha256");
  const walk = (d: string): string[] =>
    fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
  for (const f of walk(dir).sort()) h.update(path.relative(dir, f)).update(fs.readFileSync(f));
  return h.digest("hex");
}

let tmp: string;
let manifest: TinySetMiniManifest;
const tiny = TINYSET_SCALES.tiny;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-tinyset-"));
  manifest = await generateTinySetMini({ outDir: path.join(tmp, "a"), seed: 3, scale: "tiny" });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("generateTinySetMini", () => {
  it("writes byte-identical files for the same seed, different ones for another seed", async () => {
    await generateTinySetMini({ outDir: path.join(tmp, "b"), seed: 3, scale: "tiny" });
    await generateTinySetMini({ outDir: path.join(tmp, "c"), seed: 4, scale: "tiny" });
    expect(hashTree(path.join(tmp, "a"))).toBe(hashTree(path.join(tmp, "b")));
    expect(hashTree(path.join(tmp, "a"))).not.toBe(hashTree(path.join(tmp, "c")));
  });

  it("writes every split: PNGs of the right size and a COCO file per split, counted in the manifest", async () => {
    const loc = openTinySetMini(path.join(tmp, "a"));
    expect(loc.manifest).toEqual(manifest);
    expect(manifest.generatorVersion).toBeGreaterThanOrEqual(1);
    expect(manifest.seed).toBe(3);
    for (const split of TINYSET_SPLITS) {
      const coco = readTinySetSplit(loc, split);
      expect(coco.images).toHaveLength(tiny.perDomain[split] * SYNTH_DOMAINS.length);
      expect(manifest.splits[split]).toMatchObject({ images: coco.images.length, instances: coco.annotations.length });
      expect(new Set(coco.images.map((im) => im.domain))).toEqual(new Set(SYNTH_DOMAINS));
      for (const im of coco.images) {
        expect(im.split).toBe(split);
        expect(im.file_name.startsWith(`images/${split}/${im.domain}-`)).toBe(true);
      }
      const first = coco.images[0]!;
      const img = await decodeImage(fs.readFileSync(path.join(loc.root, first.file_name)));
      expect([img.width, img.height]).toEqual([tiny.imageSize, tiny.imageSize]);
    }
  });

  it("keeps held-out categories out of train, val and test, and puts them in heldout-categories", () => {
    const loc = openTinySetMini(path.join(tmp, "a"));
    const heldOut = new Set(manifest.categories.filter((c) => c.heldOut).map((c) => c.id));
    expect(heldOut.size).toBe(SYNTH_DOMAINS.length);
    for (const split of ["train", "val", "test", "heldout-dataset"] as const) {
      const coco = readTinySetSplit(loc, split);
      expect(coco.annotations.filter((a) => heldOut.has(a.category_id))).toEqual([]);
    }
    const hc = readTinySetSplit(loc, "heldout-categories");
    const byImage = new Map<number, number>();
    for (const a of hc.annotations) if (heldOut.has(a.category_id)) byImage.set(a.image_id, (byImage.get(a.image_id) ?? 0) + 1);
    expect(byImage.size).toBe(hc.images.length);
  });

  it("marks the held-out data set and categories in the COCO files", () => {
    const loc = openTinySetMini(path.join(tmp, "a"));
    const hd = readTinySetSplit(loc, "heldout-dataset");
    expect(new Set(hd.images.map((im) => im.dataset))).toEqual(new Set(["tinyset-mini-shift"]));
    const train = readTinySetSplit(loc, "train");
    expect(new Set(train.images.map((im) => im.dataset))).toEqual(new Set(["tinyset-mini"]));
    expect(train.categories.every((c) => typeof c.heldOut === "boolean" && SYNTH_DOMAINS.includes(c.domain))).toBe(true);
  });

  it("uses ids unique across splits", () => {
    const loc = openTinySetMini(path.join(tmp, "a"));
    const imageIds: number[] = [], annIds: number[] = [];
    for (const split of TINYSET_SPLITS) {
      const coco = readTinySetSplit(loc, split);
      imageIds.push(...coco.images.map((i) => i.id));
      annIds.push(...coco.annotations.map((a) => a.id));
    }
    expect(new Set(imageIds).size).toBe(imageIds.length);
    expect(new Set(annIds).size).toBe(annIds.length);
  });

  it("loads into a Dataset without warnings, queryable per domain", () => {
    const ds = loadTinySetSplit(openTinySetMini(path.join(tmp, "a")), "train");
    expect(ds.warnings).toEqual([]);
    expect(ds.domains()).toEqual([...SYNTH_DOMAINS].sort());
    expect(ds.imagesOfDomain("uav").length).toBe(tiny.perDomain.train);
    expect(fs.existsSync(ds.imagePath(ds.images[0]!.id))).toBe(true);
  });
});

describe("ensureTinySetMini", () => {
  it("generates once into <cache>/v<version>-s<seed>-<scale>, then reuses it; leaves no temp folders", async () => {
    const cacheRoot = path.join(tmp, "cache");
    const first = await ensureTinySetMini({ seed: 3, scale: "tiny", cacheRoot });
    expect(first.generated).toBe(true);
    expect(path.basename(first.root)).toBe(`v${manifest.generatorVersion}-s3-tiny`);
    const mtime = fs.statSync(path.join(first.root, "manifest.json")).mtimeMs;
    const again = await ensureTinySetMini({ seed: 3, scale: "tiny", cacheRoot });
    expect(again.generated).toBe(false);
    expect(fs.statSync(path.join(again.root, "manifest.json")).mtimeMs).toBe(mtime);
    expect(fs.readdirSync(cacheRoot)).toEqual([path.basename(first.root)]);
    expect(hashTree(first.root)).toBe(hashTree(path.join(tmp, "a")));
  });

  it("survives concurrent callers", async () => {
    const cacheRoot = path.join(tmp, "cache2");
    const [a, b] = await Promise.all([
      ensureTinySetMini({ seed: 1, scale: "tiny", cacheRoot }),
      ensureTinySetMini({ seed: 1, scale: "tiny", cacheRoot }),
    ]);
    expect(a.root).toBe(b.root);
    expect(fs.readdirSync(cacheRoot)).toEqual([path.basename(a.root)]);
    expect(fs.existsSync(a.annotationFiles.train)).toBe(true);
  });

  it("rejects an unknown scale, listing the valid ones", async () => {
    await expect(ensureTinySetMini({ scale: "huge" as never, cacheRoot: path.join(tmp, "x") })).rejects.toThrow(/tiny.*small.*default/);
  });
});

describe("dealkit generate", () => {
  it("writes the data set and prints the split counts", async () => {
    const out = path.join(tmp, "cli");
    const { manifest: m, text } = await runGenerateCommand({ out, seed: "3", scale: "tiny" });
    expect(text).toMatch(/heldout-categories\s+6 images/);
    expect(text).toMatch(/total\s+36 images/);
    expect(hashTree(out)).toBe(hashTree(path.join(tmp, "a")));
    expect(m.seed).toBe(3);
  });

  it("rejects a non-integer seed", async () => {
    await expect(runGenerateCommand({ out: path.join(tmp, "bad"), seed: "x" })).rejects.toThrow(/--seed/);
  });
});
