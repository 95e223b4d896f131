import type { RgbImage } from "../../structures/image.js";
import { DealkitConfigError, DealkitInputError } from "../../util/errors.js";
import { checkClicks, groupPrompts, type Click } from "../../structures/click.js";
import type { Detections } from "../../structures/detections.js";
import { DETECT_DEFAULTS, type DetectOptions, type PromptableDetector, type PromptEmbedding } from "../../structures/detector.js";
import { type Candidate, candidatesToDetections, selectCandidates } from "../postprocess.js";
import { estimateObjectExtent, type ObjectExtent } from "./extent.js";
import { cutExemplar, type Exemplar, matchExemplar, scaleExemplar } from "./ncc.js";
import { matchPlanes, shrinkImage, type MatchPlanes } from "./planes.js";

/** Options of {@link createTemplateMatcher}. Defaults: scales [0.8, 1, 1.25], margin 0.25, level 0.4, inputSize 1024. */
export interface TemplateMatcherOptions {
  /** Scales of the exemplar that are matched. Default [0.8, 1, 1.25]. */
  scales?: readonly number[];
  /** Context around the object in the exemplar, as a fraction of its longer side (at least 1 px). Default 0.25. */
  margin?: number;
  /** Region-growing level on the background-to-object colour axis (0-1). Default 0.4. */
  level?: number;
  /** The slice size sliced inference uses with this model (the matcher itself runs at any size). Default 1024. */
  inputSize?: number;
}

const EMBEDDING_VERSION = 1;
const HEADER = 7;
/** Padding of the matched image: objects touching the border can still be matched. */
const PAD_PX = 32;

/**
 * A training-free reference detector: exemplar template matching around the click. It is what a user could
 * run instead of DEAL (`--model template`), and what DEAL has to beat.
 *
 * For each prompt (clicks grouped by `categoryId`, as DEAL groups them):
 * 1. extent: the clicked object's box is estimated from the pixels around the click
 *    ({@link estimateObjectExtent}: the box-filter centre-surround response with the best signal-to-noise ratio
 *    over sizes 2-48 px gives the scale, a region grown from the click along the background-to-object colour
 *    axis gives the box);
 * 2. exemplar: that box plus a margin of `margin` x its longer side (at least 1 px) is cut out (RGB);
 * 3. matching: zero-mean normalised cross-correlation (per-channel means, RGB) of the exemplar with the whole
 *    image at each of `scales` ({@link matchExemplar}: integral images for the local means and variances, a
 *    direct sum over the patch for the correlation; a coarse search on the image shrunk so the object is 4-7 px,
 *    then hill climbing to the best full-resolution position and a parabola fit for the sub-pixel one);
 *    a prompt of several clicks matches each click's exemplar;
 * 4. output: boxes of the exemplar's (scaled) object size at the peaks, score = the correlation; the clicked
 *    objects themselves are always included (score 1); peaks whose centre falls within half the object of a
 *    better one (another scale or exemplar of the same object) are dropped; then the usual score threshold,
 *    greedy NMS and cap per prompt ({@link DetectOptions}).
 * Deterministic (no randomness), plain TypeScript over typed arrays, no tensors (dispose() is a no-op).
 *
 * An embedding (`embedClicks`) is the exemplar itself, so sliced inference can match a click's exemplar on
 * every slice; `detectWithEmbeddings` cannot add the clicked object (it does not know where the click was).
 * `kind` is "deal" in the shared contract's sense: a click-prompted detector.
 *
 * @example
 * const model = createTemplateMatcher();
 * const dets = await model.detect(image, [{ x: 40.5, y: 22.5, categoryId: 1 }], { scoreThreshold: 0.5 });
 */
export class TemplateMatcher implements PromptableDetector {
  readonly kind = "deal" as const;
  /** The model name, as the CLI's model loader spells it. */
  readonly name = "template";
  readonly inputSize: number;
  readonly scales: readonly number[];
  readonly margin: number;
  readonly level: number;

  constructor(options: TemplateMatcherOptions = {}) {
    this.scales = [...(options.scales ?? [0.8, 1, 1.25])];
    this.margin = options.margin ?? 0.25;
    this.level = options.level ?? 0.4;
    this.inputSize = options.inputSize ?? 1024;
    if (this.scales.length === 0 || !this.scales.every((s) => Number.isFinite(s) && s >= 0.25 && s <= 4)) {
      throw new DealkitConfigError(`template matcher: scales must be a non-empty list of numbers in [0.25, 4]; got ${JSON.stringify(options.scales)}`);
    }
    if (!(this.margin >= 0 && this.margin <= 2)) throw new DealkitConfigError(`template matcher: margin must be in [0, 2]; got ${options.margin}`);
    if (!(this.level > 0 && this.level < 1)) throw new DealkitConfigError(`template matcher: level must be in (0, 1); got ${options.level}`);
    if (!(Number.isInteger(this.inputSize) && this.inputSize >= 16)) throw new DealkitConfigError(`template matcher: inputSize must be an integer >= 16; got ${options.inputSize}`);
  }

  /** The estimated extent of the object under each click (what the exemplars are cut from). */
  extents(image: RgbImage, clicks: readonly Click[]): ObjectExtent[] {
    checkClicks(clicks, image.width, image.height);
    const planes = matchPlanes(image, PAD_PX);
    return clicks.map((c) => estimateObjectExtent(planes, c.x, c.y, { level: this.level }));
  }

  async detect(image: RgbImage, clicks: readonly Click[], options: DetectOptions = {}): Promise<Detections> {
    checkClicks(clicks, image.width, image.height);
    const planes = matchPlanes(image, PAD_PX);
    const extents = clicks.map((c) => estimateObjectExtent(planes, c.x, c.y, { level: this.level }));
    const exemplars = extents.map((e) => this.exemplarOf(planes, e));
    const own = extents.map((e) => ({ x1: e.x1, y1: e.y1, x2: e.x2, y2: e.y2 }));
    return this.run(image, planes, groupPrompts(clicks), exemplars, own, options);
  }

  async embedClicks(image: RgbImage, clicks: readonly Click[]): Promise<PromptEmbedding[]> {
    checkClicks(clicks, image.width, image.height);
    const planes = matchPlanes(image, PAD_PX);
    return clicks.map((c, i) => {
      const ex = this.exemplarOf(planes, estimateObjectExtent(planes, c.x, c.y, { level: this.level }));
      const vector = new Float32Array(HEADER + ex.pixels.length);
      vector.set([EMBEDDING_VERSION, ex.tw, ex.th, ex.ox, ex.oy, ex.w, ex.h]);
      vector.set(ex.pixels, HEADER);
      return { clickIndex: i, categoryId: c.categoryId ?? -1, vector };
    });
  }

  async detectWithEmbeddings(image: RgbImage, embeddings: readonly PromptEmbedding[], options: DetectOptions = {}): Promise<Detections> {
    const exemplars = embeddings.map((e, i) => decodeEmbedding(e, i));
    return this.run(image, matchPlanes(image, PAD_PX), groupPrompts(embeddings), exemplars, [], options, embeddings.map((e) => e.clickIndex));
  }

  dispose(): void {
    // Nothing to free: no tensors.
  }

  private exemplarOf(planes: MatchPlanes, e: ObjectExtent): Exemplar {
    const margin = Math.max(1, Math.round(this.margin * Math.max(e.x2 - e.x1, e.y2 - e.y1)));
    return cutExemplar(planes, e, margin);
  }

  private run(
    image: RgbImage,
    planes: MatchPlanes,
    groups: ReturnType<typeof groupPrompts>,
    exemplars: readonly Exemplar[],
    own: readonly { x1: number; y1: number; x2: number; y2: number }[],
    options: DetectOptions,
    clickIndexOf: readonly number[] = exemplars.map((_, i) => i),
  ): Detections {
    const minScore = Math.max(options.scoreThreshold ?? DETECT_DEFAULTS.scoreThreshold, 1e-3);
    const maxPeaks = options.maxDetections ?? DETECT_DEFAULTS.maxDetections;
    const kept: Candidate[] = [];
    const { width, height } = planes;
    // The image pyramid of the coarse search, built on demand: factor -> planes.
    const levels = new Map<number, MatchPlanes>([[1, planes]]);
    const level = (f: number): MatchPlanes => {
      let l = levels.get(f);
      if (!l) levels.set(f, (l = matchPlanes(shrinkImage(image, f), Math.ceil(PAD_PX / f))));
      return l;
    };
    for (const g of groups) {
      const clickIndex = clickIndexOf[g.members[0]!]!;
      const cands: Candidate[] = [];
      const push = (b: { x1: number; y1: number; x2: number; y2: number }, score: number) => {
        const c = { x1: Math.max(0, b.x1), y1: Math.max(0, b.y1), x2: Math.min(width, b.x2), y2: Math.min(height, b.y2), score, categoryId: g.categoryId, clickIndex };
        if (c.x2 > c.x1 && c.y2 > c.y1) cands.push(c);
      };
      for (const m of g.members) if (own[m]) push(own[m]!, 1);
      for (const m of g.members) {
        for (const s of this.scales) for (const hit of matchExemplar(level, scaleExemplar(exemplars[m]!, s), { minScore, maxPeaks })) push(hit, hit.score);
      }
      kept.push(...selectCandidates(samePlacePeaks(cands), options));
    }
    return candidatesToDetections(kept);
  }
}

/**
 * Peak suppression in (position, scale): candidates by descending score (ties: input order); one is dropped
 * when its centre lies within half the shorter side of an already kept one's box, so the 0.8x and 1.25x
 * matches of an object found at 1x (or a second exemplar's match of it) do not survive as near-duplicates
 * that an IoU-based NMS at 0.7 would keep (IoU of a box and its 0.8x version: 0.64).
 */
function samePlacePeaks(cands: readonly Candidate[]): Candidate[] {
  const order = cands.map((_, i) => i).sort((a, b) => cands[b]!.score - cands[a]!.score || a - b);
  const kept: Candidate[] = [];
  for (const i of order) {
    const c = cands[i]!;
    const cx = (c.x1 + c.x2) / 2, cy = (c.y1 + c.y2) / 2;
    const near = kept.some((k) => {
      const r = Math.min(k.x2 - k.x1, k.y2 - k.y1) / 2;
      return Math.abs(cx - (k.x1 + k.x2) / 2) < r && Math.abs(cy - (k.y1 + k.y2) / 2) < r;
    });
    if (!near) kept.push(c);
  }
  return kept;
}

function decodeEmbedding(e: PromptEmbedding, i: number): Exemplar {
  const v = e.vector;
  const bad = (what: string) => new DealkitInputError(`not a template-matcher embedding: ${what}`, { record: `embedding ${i}`, field: "vector" });
  if (!v || v.length < HEADER || v[0] !== EMBEDDING_VERSION) throw bad(`expected version ${EMBEDDING_VERSION} in its first value`);
  const [tw, th, ox, oy, w, h] = [v[1]!, v[2]!, v[3]!, v[4]!, v[5]!, v[6]!];
  if (!(Number.isInteger(tw) && Number.isInteger(th) && tw > 0 && th > 0) || v.length !== HEADER + tw * th * 3) throw bad(`length ${v.length} does not fit a ${tw}x${th} patch`);
  return { tw, th, ox, oy, w, h, pixels: v.slice(HEADER) };
}

/**
 * The template-matching reference detector (see {@link TemplateMatcher}).
 *
 * @example
 * const model = createTemplateMatcher({ scales: [1] });
 * await model.detect(image, [{ x: 12, y: 30 }]);
 */
export function createTemplateMatcher(options: TemplateMatcherOptions = {}): TemplateMatcher {
  return new TemplateMatcher(options);
}
