import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import sharp from "sharp";
import { cropImage, decodeImage, encodeImage, imageSize, loadImageRgb, resizeImage, saveImageJpeg, saveImagePng } from "../../src/data/index.js";
import { tf } from "../../src/backend/tf.js";
import { Random } from "../../src/util/random.js";
import { tmpDir } from "./fixtures.js";

const dir = tmpDir("img");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function noise(w: number, h: number, seed = 1) {
  const rng = new Random(seed);
  return { width: w, height: h, data: Uint8Array.from({ length: w * h * 3 }, () => rng.int(256)) };
}

describe("image files", () => {
  it("round-trips PNG exactly and JPEG approximately", async () => {
    const img = noise(13, 7);
    const f = path.join(dir, "a.png");
    await saveImagePng(f, img);
    expect(await loadImageRgb(f)).toEqual(img);
    expect(await imageSize(f)).toEqual({ width: 13, height: 7 });
    const smooth = { width: 16, height: 16, data: Uint8Array.from({ length: 16 * 16 * 3 }, (_, i) => (i % 48) * 5) };
    const j = path.join(dir, "a.jpg");
    await saveImageJpeg(j, smooth, { quality: 95 });
    const back = await loadImageRgb(j);
    expect(back.width).toBe(16);
    const err = back.data.reduce((s, v, i) => s + Math.abs(v - smooth.data[i]!), 0) / back.data.length;
    expect(err).toBeLessThan(8);
  });

  it("expands grey and drops alpha", async () => {
    const grey = await sharp(Buffer.from([0, 128, 255, 7]), { raw: { width: 2, height: 2, channels: 1 } }).png().toBuffer();
    expect(Array.from((await decodeImage(grey)).data)).toEqual([0, 0, 0, 128, 128, 128, 255, 255, 255, 7, 7, 7]);
    const rgba = await sharp(Buffer.from([1, 2, 3, 0, 4, 5, 6, 255]), { raw: { width: 2, height: 1, channels: 4 } }).png().toBuffer();
    expect(Array.from((await decodeImage(rgba)).data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("names the file of a corrupt or missing image", async () => {
    const f = path.join(dir, "bad.png");
    const png = await encodeImage(noise(8, 8), "png");
    fs.writeFileSync(f, png.subarray(0, png.length - 30));
    await expect(loadImageRgb(f)).rejects.toThrow(/bad\.png: cannot decode image/);
    fs.writeFileSync(f, "not an image");
    await expect(loadImageRgb(f)).rejects.toThrow(/bad\.png: cannot decode image/);
    await expect(loadImageRgb(path.join(dir, "missing.png"))).rejects.toThrow(/missing\.png: cannot read image/);
  });
});

describe("crop and resize", () => {
  it("crops a window", () => {
    const img = noise(5, 4);
    const c = cropImage(img, { x: 1, y: 2, width: 3, height: 2 });
    expect(Array.from(c.data.subarray(0, 3))).toEqual(Array.from(img.data.subarray((2 * 5 + 1) * 3, (2 * 5 + 1) * 3 + 3)));
    expect(Array.from(c.data.subarray(9, 12))).toEqual(Array.from(img.data.subarray((3 * 5 + 1) * 3, (3 * 5 + 1) * 3 + 3)));
    expect(() => cropImage(img, { x: 3, y: 0, width: 3, height: 1 })).toThrow(/not inside/);
  });

  it("resizes like tf.image.resizeBilinear with half-pixel centres", () => {
    const img = noise(11, 9, 3);
    for (const [w, h] of [[5, 4], [23, 17], [11, 9], [7, 20]] as const) {
      const ours = resizeImage(img, w, h);
      const ref = tf.tidy(() => tf.image.resizeBilinear(tf.tensor3d(img.data, [9, 11, 3], "float32"), [h, w], false, true).dataSync());
      let maxDiff = 0;
      for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ours.data[i]! - ref[i]!));
      expect(maxDiff).toBeLessThanOrEqual(0.5 + 1e-3);
    }
  });
});
