import { checkClicks, type Click, type DetectOptions, type Detections, type PromptEmbedding, type PromptableDetector } from "../../src/structures/index.js";
import type { RgbImage } from "../../src/structures/image.js";

/**
 * An honest test double for the PromptableDetector contract (clicks checked with checkClicks, as every
 * detector does): a click's "embedding" is the colour under it,
 * and detection finds every 4-connected region of that colour (max channel difference <= tolerance). Regions
 * larger than `maxFraction` of the image are background, so a click on an empty area finds nothing.
 * Boxes are the regions' pixel extents (xyxy, continuous px); the score is 0.5 + 0.5 * fill ratio.
 */
export class ColourDetector implements PromptableDetector {
  readonly kind = "deal" as const;
  readonly inputSize: number;
  readonly calls = { detect: 0, embed: 0, detectWithEmbeddings: 0, pixels: 0 };
  constructor(private readonly opts: { inputSize?: number; tolerance?: number; maxFraction?: number } = {}) {
    this.inputSize = opts.inputSize ?? 256;
  }

  async detect(image: RgbImage, clicks: readonly Click[], options?: DetectOptions): Promise<Detections> {
    this.calls.detect++;
    checkClicks(clicks, image.width, image.height);
    return this.find(image, this.embed(image, clicks), options);
  }

  async embedClicks(image: RgbImage, clicks: readonly Click[]): Promise<PromptEmbedding[]> {
    this.calls.embed++;
    checkClicks(clicks, image.width, image.height);
    return this.embed(image, clicks);
  }

  async detectWithEmbeddings(image: RgbImage, embeddings: readonly PromptEmbedding[], options?: DetectOptions): Promise<Detections> {
    this.calls.detectWithEmbeddings++;
    return this.find(image, embeddings, options);
  }

  dispose(): void {}

  private embed(image: RgbImage, clicks: readonly Click[]): PromptEmbedding[] {
    return clicks.map((c, i) => {
      const px = Math.min(image.width - 1, Math.floor(c.x));
      const py = Math.min(image.height - 1, Math.floor(c.y));
      const o = (py * image.width + px) * 3;
      return { clickIndex: i, categoryId: c.categoryId ?? -1, vector: Float32Array.from(image.data.subarray(o, o + 3)) };
    });
  }

  private find(image: RgbImage, embeddings: readonly PromptEmbedding[], options: DetectOptions = {}): Detections {
    const tol = this.opts.tolerance ?? 12;
    const maxArea = (this.opts.maxFraction ?? 0.25) * image.width * image.height;
    const { width: w, height: h, data } = image;
    this.calls.pixels += w * h;
    const boxes: number[] = [], scores: number[] = [], cats: number[] = [], clicksOut: number[] = [];
    for (const e of embeddings) {
      const [r, g, b] = [e.vector[0]!, e.vector[1]!, e.vector[2]!];
      const seen = new Uint8Array(w * h);
      const match = (p: number) =>
        Math.abs(data[3 * p]! - r) <= tol && Math.abs(data[3 * p + 1]! - g) <= tol && Math.abs(data[3 * p + 2]! - b) <= tol;
      const found: { box: number[]; score: number }[] = [];
      for (let p0 = 0; p0 < w * h; p0++) {
        if (seen[p0] || !match(p0)) continue;
        let x1 = w, y1 = h, x2 = -1, y2 = -1, count = 0;
        const stack = [p0];
        seen[p0] = 1;
        while (stack.length) {
          const p = stack.pop()!;
          const x = p % w, y = (p - x) / w;
          count++;
          x1 = Math.min(x1, x); y1 = Math.min(y1, y); x2 = Math.max(x2, x); y2 = Math.max(y2, y);
          for (const q of [x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, y > 0 ? p - w : -1, y < h - 1 ? p + w : -1]) {
            if (q >= 0 && !seen[q] && match(q)) { seen[q] = 1; stack.push(q); }
          }
        }
        if (count > maxArea) continue;
        const fill = count / ((x2 - x1 + 1) * (y2 - y1 + 1));
        found.push({ box: [x1, y1, x2 + 1, y2 + 1], score: 0.5 + 0.5 * fill });
      }
      found
        .filter((f) => f.score >= (options.scoreThreshold ?? 0))
        .sort((a, b) => b.score - a.score)
        .slice(0, options.maxDetections ?? 300)
        .forEach((f) => { boxes.push(...f.box); scores.push(f.score); cats.push(e.categoryId); clicksOut.push(e.clickIndex); });
    }
    return {
      length: scores.length,
      boxesXyxy: Float32Array.from(boxes),
      scores: Float32Array.from(scores),
      categoryIds: Int32Array.from(cats),
      clickIndex: Int32Array.from(clicksOut),
    };
  }
}

/** A coloured axis-aligned rectangle of a test scene, xywh px. */
export interface SceneObject { x: number; y: number; w: number; h: number; rgb: [number, number, number] }

/** A flat grey scene with the given rectangles painted in order. */
export function paintScene(width: number, height: number, objects: readonly SceneObject[], bg: [number, number, number] = [90, 100, 90]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) data.set(bg, 3 * p);
  for (const o of objects) {
    for (let y = o.y; y < Math.min(height, o.y + o.h); y++) {
      for (let x = o.x; x < Math.min(width, o.x + o.w); x++) data.set(o.rgb, 3 * (y * width + x));
    }
  }
  return { width, height, data };
}

/** IoU of two xyxy boxes given as 4-arrays (an independent, obvious implementation for assertions). */
export function iou4(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const iw = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!));
  const ih = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
  const inter = iw * ih;
  const area = (q: ArrayLike<number>) => (q[2]! - q[0]!) * (q[3]! - q[1]!);
  return inter / (area(a) + area(b) - inter);
}
