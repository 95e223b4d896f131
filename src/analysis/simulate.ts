import { checkClicks, groupPrompts, type Click } from "../structures/click.js";
import { createDetections, type Detections } from "../structures/detections.js";
import { DETECT_DEFAULTS, type DetectOptions, type PromptableDetector, type PromptEmbedding } from "../structures/detector.js";
import type { GroundTruth } from "../structures/ground-truth.js";
import type { RgbImage } from "../structures/image.js";
import { Random } from "../util/random.js";

/** How far a {@link createOracleDetector} strays from the truth. Defaults in brackets. */
export interface OracleDetectorOptions {
  /** Std of the Gaussian noise on each box side, in px: the same for every size, as for a real detector's stride. [1.5] */
  boxNoisePx?: number;
  /** Chance to find an instance when the click is on its centre. [0.85] */
  recall?: number;
  /** How much recall drops for a click at the edge of its object (linearly in between). [0.4] */
  clickPenalty?: number;
  /** Chance that a found instance also gets a duplicate box. [0.05] */
  duplicateRate?: number;
  /** Mean number of background boxes per prompt. [0.5] */
  backgroundPerPrompt?: number;
  /** Seed of the noise (each call is seeded from it and the clicks, so it is deterministic). [0] */
  seed?: number;
}

/**
 * A stand-in detector for teaching and for exercising the analysis tools: it "finds" ground-truth instances
 * of each clicked category with fixed-pixel box noise, a recall that falls as the click moves from the
 * object's centre to its edge, occasional duplicates and background boxes. It reads the truth from
 * `truth.get(image)` (the image object itself is the key; crowd and ignore regions are never found), never
 * the pixels. Clicks are grouped into prompts as a detector groups them (`groupPrompts`). Not a model: use
 * DEAL for results.
 *
 * @example
 * const truth = new Map([[img, makeGroundTruth(1, [{ bboxXywh: [10, 10, 4, 4], categoryId: 1 }])]]);
 * const det = createOracleDetector(truth, { boxNoisePx: 1 });
 * const out = await det.detect(img, [{ x: 12, y: 12, categoryId: 1 }]);
 */
export function createOracleDetector(truth: ReadonlyMap<RgbImage, GroundTruth>, options: OracleDetectorOptions = {}): PromptableDetector {
  const o = {
    boxNoisePx: options.boxNoisePx ?? 1.5,
    recall: options.recall ?? 0.85,
    clickPenalty: options.clickPenalty ?? 0.4,
    duplicateRate: options.duplicateRate ?? 0.05,
    backgroundPerPrompt: options.backgroundPerPrompt ?? 0.5,
    seed: options.seed ?? 0,
  };
  const detect = async (image: RgbImage, clicks: readonly Click[], dopt: DetectOptions = {}): Promise<Detections> => {
    checkClicks(clicks, image.width, image.height);
    const t = truth.get(image);
    if (!t) throw new Error("createOracleDetector: no ground truth registered for this image");
    const rng = new Random(o.seed).fork(JSON.stringify(clicks));
    const boxes: number[] = [];
    const scores: number[] = [];
    const detCats: number[] = [];
    const idx: number[] = [];
    const push = (b: number[], s: number, c: number, k: number): void => {
      if (s < (dopt.scoreThreshold ?? DETECT_DEFAULTS.scoreThreshold)) return;
      boxes.push(...b);
      scores.push(s);
      detCats.push(c);
      idx.push(k);
    };
    const b = t.gtBoxesXyxy;
    const cats = t.gtCategoryIds;
    const ignored = (g: number): boolean => t.gtIgnore?.[g] === 1;
    for (const { categoryId: cat, members } of groupPrompts(clicks)) {
      // Click quality: the best click of the prompt, 0 at an object's centre, 1 at (or past) its edge.
      let offset = Infinity;
      for (const k of members) {
        for (let g = 0; g < cats.length; g++) {
          if (ignored(g) || (cat >= 0 && cats[g] !== cat)) continue;
          const w = b[4 * g + 2]! - b[4 * g]!, h = b[4 * g + 3]! - b[4 * g + 1]!;
          const dx = Math.abs(clicks[k]!.x - (b[4 * g]! + w / 2)) / (w / 2 || 1);
          const dy = Math.abs(clicks[k]!.y - (b[4 * g + 1]! + h / 2)) / (h / 2 || 1);
          offset = Math.min(offset, Math.max(dx, dy));
        }
      }
      // A click off every object of the category (offset > 1) carries mostly background: recall drops further.
      const p = o.recall * (1 - o.clickPenalty * Math.min(offset, 1)) * (offset > 1 ? 0.3 : 1);
      for (let g = 0; g < cats.length; g++) {
        if (ignored(g) || (cat >= 0 && cats[g] !== cat)) continue;
        if (!rng.bool(p)) continue;
        const jittered = (sd: number): number[] => {
          const n = [0, 1, 2, 3].map((j) => b[4 * g + j]! + rng.normal(0, sd));
          return [Math.min(n[0]!, n[2]!), Math.min(n[1]!, n[3]!), Math.max(n[0]!, n[2]!), Math.max(n[1]!, n[3]!)];
        };
        push(jittered(o.boxNoisePx), 0.5 + 0.5 * rng.next(), cat, members[0]!);
        if (rng.bool(o.duplicateRate)) push(jittered(o.boxNoisePx + 1), 0.3 * rng.next() + 0.2, cat, members[0]!);
      }
      const nBg = Math.floor(o.backgroundPerPrompt * 2 * rng.next() + rng.next());
      for (let i = 0; i < nBg; i++) {
        const s = 4 + rng.next() * 12, x = rng.uniform(0, image.width - s), y = rng.uniform(0, image.height - s);
        push([x, y, x + s, y + s], 0.6 * rng.next(), cat, members[0]!);
      }
    }
    return createDetections(Float32Array.from(boxes), Float32Array.from(scores), Int32Array.from(detCats), Int32Array.from(idx));
  };
  return {
    kind: "deal",
    inputSize: 256,
    detect,
    embedClicks: async (): Promise<PromptEmbedding[]> => [],
    detectWithEmbeddings: async (image) => detect(image, []),
    dispose: () => {},
  };
}
