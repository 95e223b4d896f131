import { DealkitConfigError } from "../util/errors.js";
import { Random } from "../util/random.js";
import type { CocoAnnotationJson, CocoDetectionJson, CocoGtJson, CocoImageJson } from "./load.js";

/** Settings of {@link evalSynthCase}. */
export interface EvalSynthOptions {
  /** Number of images; default 100. */
  images?: number;
  /** Mean GT boxes per image; default 50. */
  gtPerImage?: number;
  /** Detections per GT box (true positives, duplicates and false positives together); default 3. */
  dtPerGt?: number;
  /** Number of categories (ids 1..n); default 5. */
  categories?: number;
  /** Median box side in px; default 11. */
  medianSidePx?: number;
  /** Image side in px; default 1024. */
  imageSidePx?: number;
  /** Domains assigned to images in turn (the `domain` field); default none. */
  domains?: string[];
  /** Detector quality in (0, 1]: recall and localisation; default 0.7. */
  quality?: number;
  /** Per-domain quality multipliers, by domain name (makes per-domain results differ); default none. */
  domainQuality?: Record<string, number>;
  /** Fraction of crowd GT regions; default 0.005. */
  crowdFraction?: number;
  /** Seed of the GT; default 0. The detections use `seed + 1 + detSeed`. */
  seed?: number;
  /** Seed offset of the detections, to make several "methods" over the same GT; default 0. */
  detSeed?: number;
}

/**
 * A seeded synthetic detection case in COCO JSON, for benchmarks and notebooks: small boxes (log-normal
 * sides around `medianSidePx`), a few crowd regions, and detections mixing jittered true positives,
 * near-duplicates and false positives, with scores that favour the better boxes.
 *
 * @example
 * const { gt, dt } = evalSynthCase({ images: 2000, gtPerImage: 50, dtPerGt: 3, seed: 7 });
 */
export function evalSynthCase(options: EvalSynthOptions = {}): { gt: CocoGtJson; dt: CocoDetectionJson[] } {
  const nImg = options.images ?? 100;
  const gtPer = options.gtPerImage ?? 50;
  const dtPerGt = options.dtPerGt ?? 3;
  const nCat = options.categories ?? 5;
  const median = options.medianSidePx ?? 11;
  const side = options.imageSidePx ?? 1024;
  const quality = options.quality ?? 0.7;
  const crowdFrac = options.crowdFraction ?? 0.005;
  const seed = options.seed ?? 0;
  if (!(quality > 0 && quality <= 1)) throw new DealkitConfigError(`quality must be in (0, 1]; got ${quality}`);
  if (nImg < 1 || nCat < 1 || gtPer < 0 || dtPerGt < 0) throw new DealkitConfigError("images and categories must be >= 1, counts >= 0");
  const rg = new Random(seed);
  const rd = new Random(seed + 1 + (options.detSeed ?? 0));
  const images: CocoImageJson[] = [];
  const annotations: CocoAnnotationJson[] = [];
  const dt: CocoDetectionJson[] = [];
  const o = { gtPer, dtPerGt, nCat, median, side, quality, crowdFrac };
  for (let i = 0; i < nImg; i++) synthImage(options, o, i, rg, rd, images, annotations, dt, () => annotations.length + 1);
  const categories = Array.from({ length: nCat }, (_, i) => ({ id: i + 1, name: `class_${i + 1}`, supercategory: "object" }));
  return { gt: { info: { description: `dealkit synthetic eval case, seed ${seed}` }, images, annotations, categories }, dt: rd.shuffled(dt) };
}

interface SynthSettings { gtPer: number; dtPerGt: number; nCat: number; median: number; side: number; quality: number; crowdFrac: number }

/** Image `i` of a synthetic case (its GT from `rg`, its detections from `rd`), appended to the arrays. */
function synthImage(
  options: EvalSynthOptions, o: SynthSettings, i: number, rg: Random, rd: Random,
  images: CocoImageJson[], annotations: CocoAnnotationJson[], dt: CocoDetectionJson[], annId: () => number,
): void {
  const { gtPer, dtPerGt, nCat, median, side, quality, crowdFrac } = o;
  const round2 = (v: number) => Math.round(v * 100) / 100;
  const logMed = Math.log(median);
  const id = i + 1;
  const domain = options.domains?.length ? options.domains[i % options.domains.length] : undefined;
  images.push({ id, width: side, height: side, file_name: `synth_${id}.png`, ...(domain ? { domain } : {}) });
  const q = Math.min(1, quality * (domain && options.domainQuality?.[domain] !== undefined ? options.domainQuality[domain]! : 1));
  const n = Math.max(0, Math.round(gtPer * rg.uniform(0.5, 1.5)));
  const firstDet = dt.length;
  for (let j = 0; j < n; j++) {
    const crowd = rg.next() < crowdFrac;
    const s = crowd ? rg.uniform(60, 160) : Math.max(1, Math.exp(rg.normal(logMed, 0.55)));
    const w = round2(s * rg.uniform(0.75, 1.33));
    const h = round2(s * rg.uniform(0.75, 1.33));
    const x = round2(rg.uniform(0, side - w));
    const y = round2(rg.uniform(0, side - h));
    const cat = 1 + rg.int(nCat);
    annotations.push({ id: annId(), image_id: id, category_id: cat, bbox: [x, y, w, h], area: round2(w * h), iscrowd: crowd ? 1 : 0 });
    if (crowd) continue;
    // A detection near the object, a sometimes duplicate, with scores that prefer good boxes.
    const k = 1 + (rd.next() < 0.35 ? 1 : 0);
    for (let c = 0; c < k; c++) {
      if (rd.next() > q + 0.15) continue;
      const jit = (1 - q) * 0.45 + rd.uniform(0, 0.15);
      const dw = Math.max(1, w * (1 + rd.normal(0, jit)));
      const dh = Math.max(1, h * (1 + rd.normal(0, jit)));
      const dx = x + w / 2 + rd.normal(0, jit * w) - dw / 2;
      const dy = y + h / 2 + rd.normal(0, jit * h) - dh / 2;
      const wrongCat = rd.next() < 0.05;
      dt.push({
        image_id: id, category_id: wrongCat ? 1 + rd.int(nCat) : cat, bbox: [round2(dx), round2(dy), round2(dw), round2(dh)],
        score: round2(Math.min(1, Math.max(0.01, q * 0.6 + rd.uniform(0, 0.4) - jit - c * 0.2)) * 1000) / 1000,
      });
    }
  }
  // False positives fill up to dtPerGt per GT.
  const nFp = Math.max(0, Math.round(n * dtPerGt) - (dt.length - firstDet));
  for (let j = 0; j < nFp; j++) {
    const s = Math.max(1, Math.exp(rd.normal(logMed, 0.6)));
    const w = round2(s * rd.uniform(0.75, 1.33));
    const h = round2(s * rd.uniform(0.75, 1.33));
    dt.push({
      image_id: id, category_id: 1 + rd.int(nCat), bbox: [round2(rd.uniform(0, side - w)), round2(rd.uniform(0, side - h)), w, h],
      score: Math.round(rd.uniform(0.01, 0.6) * 1000) / 1000,
    });
  }
}

/**
 * Images `[start, end)` of a synthetic case of `options.images` images like {@link evalSynthCase}'s, but with
 * every image drawn from its own seeded streams (`seed` forked by the image index; annotation ids
 * `index * 10000 + j + 1`), so any range is generated alone, identically: a case of millions of boxes is made
 * shard by shard, never held whole. Detections are in image order (not shuffled). Not the same numbers as
 * evalSynthCase with the same seed.
 *
 * @example
 * const part = evalSynthRange({ images: 268_000, gtPerImage: 33.6, seed: 9 }, 0, 4096);
 */
export function evalSynthRange(options: EvalSynthOptions, start: number, end: number): { gt: CocoGtJson; dt: CocoDetectionJson[] } {
  const nImg = options.images ?? 100;
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= nImg)) throw new DealkitConfigError(`image range [${start}, ${end}) is outside the ${nImg} images`);
  const o = settingsOf(options);
  const seed = options.seed ?? 0;
  const rg0 = new Random(seed);
  const rd0 = new Random(seed + 1 + (options.detSeed ?? 0));
  const images: CocoImageJson[] = [];
  const annotations: CocoAnnotationJson[] = [];
  const dt: CocoDetectionJson[] = [];
  for (let i = start; i < end; i++) {
    let j = 0;
    synthImage(options, o, i, rg0.fork(i), rd0.fork(i), images, annotations, dt, () => i * 10000 + ++j);
  }
  const categories = Array.from({ length: o.nCat }, (_, i) => ({ id: i + 1, name: `class_${i + 1}`, supercategory: "object" }));
  return { gt: { info: { description: `dealkit synthetic eval case, seed ${seed}, images [${start}, ${end}) of ${nImg}` }, images, annotations, categories }, dt };
}

function settingsOf(options: EvalSynthOptions): SynthSettings {
  const o = {
    gtPer: options.gtPerImage ?? 50, dtPerGt: options.dtPerGt ?? 3, nCat: options.categories ?? 5, median: options.medianSidePx ?? 11,
    side: options.imageSidePx ?? 1024, quality: options.quality ?? 0.7, crowdFrac: options.crowdFraction ?? 0.005,
  };
  if (!(o.quality > 0 && o.quality <= 1)) throw new DealkitConfigError(`quality must be in (0, 1]; got ${o.quality}`);
  if ((options.images ?? 100) < 1 || o.nCat < 1 || o.gtPer < 0 || o.dtPerGt < 0) throw new DealkitConfigError("images and categories must be >= 1, counts >= 0");
  return o;
}
