import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { InvalidArgumentError } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { numberIn, runStudioCommand, studioSource, type StudioCommandOptions } from "../../src/cli/commands/studio.js";
import { saveImagePng } from "../../src/data/images.js";
import { paintScene } from "../infer/colour-detector.js";
import { request } from "./http-client.js";

const CKPT = path.resolve(__dirname, "..", "..", "datasets", "models", "deal-tiny");
const PRETRAINED = fs.existsSync(path.join(CKPT, "manifest.json"));
const base = { domain: "uav", seed: 0, size: 64 };

describe("dealkit studio options", () => {
  it("numbers are checked: a bad value names the valid range (commander shows it with the option)", () => {
    const port = numberIn(0, 65535, true);
    expect(port("8080")).toBe(8080);
    for (const bad of ["abc", "", "80.5", "-1", "65536", "0x50", "1e3x", "Infinity", "NaN"]) {
      expect(() => port(bad), bad).toThrow(InvalidArgumentError);
      expect(() => port(bad), bad).toThrow("must be an integer in [0, 65535]");
    }
    const minutes = numberIn(0.1, 10080);
    expect(minutes("0.5")).toBe(0.5);
    expect(() => minutes("abc")).toThrow("must be a number in [0.1, 10080]");
    expect(() => minutes("0")).toThrow(InvalidArgumentError);
  });

  it("takes one image source, and says which combinations are valid", async () => {
    await expect(studioSource({ ...base, image: "a.png", images: "d" })).rejects.toThrow(/give one image source: --image FILE, --images DIR, --gt FILE --images DIR, or --data DIR\|default \(got --image --images\)/);
    await expect(studioSource({ ...base, gt: "g.json" })).rejects.toThrow(/--gt needs --images/);
    await expect(studioSource({ ...base, data: "default", image: "a.png" })).rejects.toThrow(/give one image source/);
    await expect(studioSource({ ...base, split: "val" })).rejects.toThrow("--split needs --data");
    await expect(studioSource({ ...base, domain: "mars" })).rejects.toThrow(/--domain must be one of "remote-sensing"/);
  });

  describe("with files", () => {
    let dir: string;
    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-studio-cli-"));
      fs.mkdirSync(path.join(dir, "imgs", "sub"), { recursive: true });
      await saveImagePng(path.join(dir, "imgs", "b.png"), paintScene(40, 30, []));
      await saveImagePng(path.join(dir, "imgs", "sub", "a.png"), paintScene(20, 10, []));
      fs.writeFileSync(path.join(dir, "imgs", "notes.txt"), "not an image");
      fs.mkdirSync(path.join(dir, "empty"));
      const coco = {
        images: [{ id: 5, file_name: "sub/a.png", width: 20, height: 10 }, { id: 3, file_name: "b.png", width: 40, height: 30 }],
        categories: [{ id: 2, name: "boat" }, { id: 8, name: "buoy" }],
        annotations: [{ id: 1, image_id: 5, category_id: 2, bbox: [1, 1, 3, 3], area: 9, iscrowd: 0 }],
      };
      fs.writeFileSync(path.join(dir, "gt.json"), JSON.stringify(coco));
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("--images DIR: every image file (recursive, sorted), unnamed or --categories categories", async () => {
      const s = await studioSource({ ...base, images: path.join(dir, "imgs") });
      expect(s.images.map((i) => i.name)).toEqual(["b.png", "sub/a.png"]);
      expect(s.categories).toEqual([{ id: 1, name: "category 1" }]);
      expect((await s.images[1]!.load()).width).toBe(20);
      const named = await studioSource({ ...base, images: path.join(dir, "imgs"), categories: "boat, buoy" });
      expect(named.categories).toEqual([{ id: 1, name: "boat" }, { id: 2, name: "buoy" }]);
      await expect(studioSource({ ...base, images: path.join(dir, "empty") })).rejects.toThrow(/empty: no image files here/);
      await expect(studioSource({ ...base, images: path.join(dir, "missing") })).rejects.toThrow(/missing: cannot list the image folder: ENOENT/);
    });

    it("--gt FILE --images DIR: the file's images in its order, with their ids, and its category names", async () => {
      const s = await studioSource({ ...base, gt: path.join(dir, "gt.json"), images: path.join(dir, "imgs") });
      expect(s.images.map((i) => [i.name, i.imageId])).toEqual([["sub/a.png", 5], ["b.png", 3]]);
      expect(s.categories).toEqual([{ id: 2, name: "boat" }, { id: 8, name: "buoy" }]);
      expect((await s.images[1]!.load()).height).toBe(30);
      await expect(studioSource({ ...base, gt: path.join(dir, "gt.json"), images: path.join(dir, "imgs"), categories: "x" })).rejects.toThrow(/--categories is for plain images/);
    });

    it("--image FILE is decoded at once (a bad file is an error before the server starts)", async () => {
      const s = await studioSource({ ...base, image: path.join(dir, "imgs", "b.png") });
      expect(s.images.map((i) => i.name)).toEqual(["b.png"]);
      await expect(studioSource({ ...base, image: path.join(dir, "imgs", "notes.txt") })).rejects.toThrow(/notes\.txt/);
    });

    it("no source: a generated scene of the domain, with the domain's category names", async () => {
      const s = await studioSource(base);
      expect(s.images).toHaveLength(1);
      expect(s.categories.map((c) => c.name)).toEqual(["pedestrian", "car", "van", "bus"]); // TinySet-mini's uav domain
      expect((await s.images[0]!.load()).width).toBe(64);
    });

    it.skipIf(!PRETRAINED)("runs the studio on a folder with the shipped model: model, backend and images on the page", async () => {
      const o: StudioCommandOptions = { ...base, model: CKPT, images: path.join(dir, "imgs"), port: 0, idleMinutes: 1, scoreThreshold: 0.3, maxClicks: 8 };
      const { studio, dispose } = await runStudioCommand(o);
      try {
        const page = await request(Number(new URL(studio.origin).port), { path: `/?token=${studio.token}` });
        expect(page.body).toContain("deal-tiny (deal, input");
        expect(page.body).toMatch(/backend <b class="dk-backend">(wasm|cpu|node|gpu)<\/b>/);
        expect(page.body).toContain('"images":["b.png","sub/a.png"]');
      } finally {
        await studio.close();
        dispose();
      }
    });
  });
});
