import * as fs from "node:fs";
import * as path from "node:path";
import sharp from "sharp";
import type { RgbImage } from "../structures/image.js";
import { DealkitConfigError, DealkitInputError } from "../util/errors.js";
import { writeFileAtomic } from "../util/fs.js";

/** Converts sharp's raw output (1-4 channels) to packed RGB. */
function toRgb(data: Buffer, width: number, height: number, channels: number): RgbImage {
  const n = width * height;
  if (channels === 3) return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, n * 3).slice() };
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    if (channels <= 2) {
      const v = data[i * channels]!;
      out[i * 3] = v; out[i * 3 + 1] = v; out[i * 3 + 2] = v;
    } else {
      out[i * 3] = data[i * channels]!; out[i * 3 + 1] = data[i * channels + 1]!; out[i * 3 + 2] = data[i * channels + 2]!;
    }
  }
  return { width, height, data: out };
}

/**
 * Decodes an encoded image (PNG, JPEG, and whatever else sharp reads) to 8-bit RGB. Alpha is dropped
 * (not composited), grey is expanded to RGB, 16-bit is reduced to 8-bit, and EXIF orientation is NOT
 * applied, so pixels match the stored orientation that annotation files refer to. `name` is used in errors.
 *
 * @example
 * const img = await decodeImage(fs.readFileSync("a.png"), "a.png");
 */
export async function decodeImage(bytes: Uint8Array, name = "image"): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(bytes, { failOn: "error" }).toColourspace("srgb").raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
    return toRgb(data, info.width, info.height, info.channels);
  } catch (err) {
    throw new DealkitInputError(`cannot decode image: ${(err as Error).message}`, { file: name });
  }
}

/**
 * Reads and decodes an image file to RGB (see {@link decodeImage}); a missing or corrupt file throws
 * DealkitInputError naming it.
 *
 * @example
 * const img = await loadImageRgb("datasets/x/images/0001.png");
 */
export async function loadImageRgb(file: string): Promise<RgbImage> {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new DealkitInputError(`cannot read image: ${(err as Error).message}`, { file });
  }
  return decodeImage(bytes, file);
}

/** Options of {@link encodeImage}. Defaults: PNG compression level 6, JPEG quality 90. */
export interface EncodeOptions {
  /** PNG zlib level 0-9. Default 6. */
  compressionLevel?: number;
  /** JPEG quality 1-100. Default 90. */
  quality?: number;
}

function checkImage(img: RgbImage): void {
  if (!(img.width > 0 && img.height > 0) || img.data.length !== img.width * img.height * 3) {
    throw new DealkitConfigError(`RgbImage: data has ${img.data.length} bytes for ${img.width}x${img.height}x3`);
  }
}

/**
 * Encodes an RGB image as PNG (lossless, deterministic bytes for given pixels) or JPEG.
 *
 * @example
 * const png = await encodeImage(img, "png");
 */
export async function encodeImage(img: RgbImage, format: "png" | "jpeg", options: EncodeOptions = {}): Promise<Buffer> {
  checkImage(img);
  const s = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });
  return format === "png"
    ? s.png({ compressionLevel: options.compressionLevel ?? 6 }).toBuffer()
    : s.jpeg({ quality: options.quality ?? 90 }).toBuffer();
}

/**
 * Writes an RGB image as a PNG file (atomically; folders are created).
 *
 * @example
 * await saveImagePng(".cache/out/a.png", img);
 */
export async function saveImagePng(file: string, img: RgbImage, options: EncodeOptions = {}): Promise<void> {
  writeFileAtomic(file, await encodeImage(img, "png", options));
}

/** Writes an RGB image as a JPEG file (atomically). Default quality 90. */
export async function saveImageJpeg(file: string, img: RgbImage, options: EncodeOptions = {}): Promise<void> {
  writeFileAtomic(file, await encodeImage(img, "jpeg", options));
}

/**
 * The width and height of an image file, read from its header (no decoding).
 *
 * @example
 * const { width, height } = await imageSize("a.jpg");
 */
export async function imageSize(file: string): Promise<{ width: number; height: number }> {
  try {
    const m = await sharp(file).metadata();
    if (!m.width || !m.height) throw new Error("no size in header");
    return { width: m.width, height: m.height };
  } catch (err) {
    throw new DealkitInputError(`cannot read image size: ${(err as Error).message}`, { file });
  }
}

/** Image file extensions the folder readers look for. */
export const IMAGE_EXTENSIONS: readonly string[] = [".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"];

/** Image files under `dir` (recursive), as sorted relative paths with "/" separators. */
export function listImageFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (IMAGE_EXTENSIONS.includes(path.extname(e.name).toLowerCase())) out.push(r);
    }
  };
  walk("");
  return out.sort();
}
