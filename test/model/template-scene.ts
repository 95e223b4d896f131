import type { RgbImage } from "../../src/structures/image.js";
import { Random } from "../../src/util/random.js";

/** A box drawn into a test scene (xyxy, pixel edges). */
export type DrawnBox = [number, number, number, number];

/**
 * A hand-built scene for the template matcher: grey noise (128 +- `noise`, seeded), then shapes drawn with
 * known boxes. Every shape is a filled rectangle of `colour` with a 2x2 white spot in its top-left corner (a
 * pattern, so the correlation has structure to lock onto; a click on the shape's centre lands on the colour).
 */
export class Scene {
  readonly image: RgbImage;
  constructor(width: number, height: number, seed = 1, noise = 12) {
    const rng = new Random(seed);
    const data = new Uint8Array(width * height * 3);
    for (let i = 0; i < data.length; i++) data[i] = Math.round(128 + rng.uniform(-noise, noise));
    this.image = { width, height, data };
  }

  fill(x1: number, y1: number, x2: number, y2: number, colour: readonly number[]): void {
    for (let y = y1; y < y2; y++) for (let x = x1; x < x2; x++) this.image.data.set(colour, (y * this.image.width + x) * 3);
  }

  /** A w x h rectangle of `colour` at (x, y) with a white 2x2 spot 1 px in from its top-left corner; returns its box. */
  shape(x: number, y: number, w: number, h: number, colour: readonly number[]): DrawnBox {
    this.fill(x, y, x + w, y + h, colour);
    this.fill(x + 1, y + 1, x + 3, y + 3, [255, 255, 255]);
    return [x, y, x + w, y + h];
  }
}

export const RED = [200, 40, 40];
export const BLUE = [40, 60, 210];

export function iouXyxy(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const iw = Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!);
  const ih = Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  return inter / ((a[2]! - a[0]!) * (a[3]! - a[1]!) + (b[2]! - b[0]!) * (b[3]! - b[1]!) - inter);
}

/**
 * The standard test scene, 128 x 96: eight red 8 x 6 shapes (the targets), six blue shapes of the same size and
 * pattern (distractors by colour) and four red 2 x 12 bars (distractors by shape), on a 4 x 4 grid of cells
 * with jittered positions, so no two overlap.
 */
export function standardScene(): { scene: Scene; targets: DrawnBox[]; distractors: DrawnBox[] } {
  const scene = new Scene(128, 96);
  const targets: DrawnBox[] = [];
  const distractors: DrawnBox[] = [];
  const rng = new Random(7);
  const cells: [number, number][] = [];
  for (let r = 0; r < 4; r++) for (let c = 0; c < 6; c++) cells.push([8 + c * 20, 6 + r * 23]);
  rng.shuffled(cells).slice(0, 18).forEach(([x, y], i) => {
    const jx = rng.int(5), jy = rng.int(5);
    if (i < 8) targets.push(scene.shape(x + jx, y + jy, 8, 6, RED));
    else if (i < 14) distractors.push(scene.shape(x + jx, y + jy, 8, 6, BLUE));
    else {
      scene.fill(x + jx, y + jy, x + jx + 2, y + jy + 12, RED);
      distractors.push([x + jx, y + jy, x + jx + 2, y + jy + 12]);
    }
  });
  return { scene, targets, distractors };
}
