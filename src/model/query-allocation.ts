import { FINE_STRIDE, type ModelConfig } from "./config.js";

/**
 * Decoder queries of a batch, padded to Q per image (all prompts of an image share one row, so the decoder's
 * self-attention sees every prompt's candidates). Boxes are (cx, cy) px of the padded input and log(w / 8),
 * log(h / 8).
 */
export interface QuerySet {
  batch: number;
  perImage: number;
  /** [B, Q, 4] initial boxes from the dense heads at each query's cell. */
  boxes: Float32Array;
  /** [B, Q] initial score logits (the heatmap at the peak). */
  logits: Float32Array;
  /** [B, Q] 1 for a real query, 0 for padding. */
  mask: Float32Array;
  /** [B, Q] the prompt (DEAL) each query belongs to; -1 for padding. */
  prompt: Int32Array;
  /** [B, Q] class index of the query's cell (baseline: argmax class), else 0. */
  classIndex: Int32Array;
  /** [B][P] the count estimate of each prompt's map (the sum of its peaks' probabilities). */
  counts: number[][];
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** The query budget of a map whose count estimate is `count`: clamp(ceil(countScale * count) + countMargin, min, max). */
export function queriesForCount(count: number, cfg: Pick<ModelConfig, "countScale" | "countMargin" | "minQueries" | "maxQueries">): number {
  if (!Number.isFinite(count)) return cfg.maxQueries;
  return Math.min(cfg.maxQueries, Math.max(cfg.minQueries, Math.ceil(cfg.countScale * count) + cfg.countMargin));
}

/** The rule {@link queriesForCount} applies at inference: the config's inferenceCountScale and inferenceCountMargin. */
export function inferenceQueryBudget(cfg: Pick<ModelConfig, "inferenceCountScale" | "inferenceCountMargin" | "minQueries" | "maxQueries">): Pick<ModelConfig, "countScale" | "countMargin" | "minQueries" | "maxQueries"> {
  return { countScale: cfg.inferenceCountScale, countMargin: cfg.inferenceCountMargin, minQueries: cfg.minQueries, maxQueries: cfg.maxQueries };
}

/**
 * The 3x3 local maxima of one h x w logit map with probability >= 0.01, strongest first (ties: lower index first).
 */
export function heatPeaks(heat: Float32Array, offset: number, h: number, w: number): { cells: number[]; logits: number[] } {
  const found: [number, number][] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = heat[offset + y * w + x]!;
      if (v < -4.59512) continue; // logit(0.01)
      let peak = true;
      for (let dy = -1; dy <= 1 && peak; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          if (dx === 0 && dy === 0) continue;
          const yy = y + dy, xx = x + dx;
          if (yy < 0 || xx < 0 || yy >= h || xx >= w) continue;
          if (heat[offset + yy * w + xx]! > v) { peak = false; break; }
        }
      }
      if (peak) found.push([y * w + x, v]);
    }
  }
  found.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  return { cells: found.map((f) => f[0]), logits: found.map((f) => f[1]) };
}

/**
 * Density-Guided Query Allocation. Per prompt map (heat logits [B, P, h, w]): its peaks, the count estimate =
 * the sum of the peaks' probabilities (the integral of the peak density), and K = {@link queriesForCount} of it;
 * the K strongest peaks become queries that start from the dense box at their cell (offset and size [B, h, w, 2]).
 * Training passes the config (countScale, countMargin), inference {@link inferenceQueryBudget} of it: the same rule
 * with a larger budget. `valid(b, j)` skips padded prompts; `classOf` (baseline) gives
 * each cell's class.
 */
export function allocateQueries(
  heat: Float32Array, dims: { batch: number; prompts: number; h: number; w: number }, size: Float32Array, offset: Float32Array,
  cfg: Pick<ModelConfig, "countScale" | "countMargin" | "minQueries" | "maxQueries">, valid: (b: number, j: number) => boolean = () => true,
  classOf?: Int32Array,
): QuerySet {
  const { batch: B, prompts: P, h, w } = dims;
  const n = h * w;
  const picked: { b: number; j: number; cells: number[]; logits: number[] }[] = [];
  const counts: number[][] = [];
  for (let b = 0; b < B; b++) {
    counts.push([]);
    for (let j = 0; j < P; j++) {
      if (!valid(b, j)) {
        counts[b]!.push(0);
        continue;
      }
      const peaks = heatPeaks(heat, (b * P + j) * n, h, w);
      const count = peaks.logits.reduce((s, v) => s + sigmoid(v), 0);
      counts[b]!.push(count);
      const k = Math.min(queriesForCount(count, cfg), peaks.cells.length);
      picked.push({ b, j, cells: peaks.cells.slice(0, k), logits: peaks.logits.slice(0, k) });
    }
  }
  const per = new Array<number>(B).fill(0);
  for (const p of picked) per[p.b]! += p.cells.length;
  const Q = Math.max(1, ...per);
  const boxes = new Float32Array(B * Q * 4), logits = new Float32Array(B * Q), mask = new Float32Array(B * Q);
  const prompt = new Int32Array(B * Q).fill(-1), classIndex = new Int32Array(B * Q);
  const fill = new Array<number>(B).fill(0);
  for (const p of picked) {
    p.cells.forEach((cell, i) => {
      const q = p.b * Q + fill[p.b]!++;
      const k = p.b * n + cell;
      const cx = cell % w, cy = Math.floor(cell / w);
      boxes[q * 4] = (cx + 0.5 + offset[k * 2]!) * FINE_STRIDE;
      boxes[q * 4 + 1] = (cy + 0.5 + offset[k * 2 + 1]!) * FINE_STRIDE;
      boxes[q * 4 + 2] = size[k * 2]!;
      boxes[q * 4 + 3] = size[k * 2 + 1]!;
      logits[q] = p.logits[i]!;
      mask[q] = 1;
      prompt[q] = p.j;
      classIndex[q] = classOf ? classOf[k]! : 0;
    });
  }
  return { batch: B, perImage: Q, boxes, logits, mask, prompt, classIndex, counts };
}

/**
 * The baseline's map for query allocation: per cell the strongest class's logit and its index, from logits
 * [cells, classes] (cell-major). A cell belongs to one class, as DEAL's candidates belong to one prompt.
 */
export function strongestClassHeat(obj: Float32Array, cells: number, classes: number): { heat: Float32Array; classOf: Int32Array } {
  const heat = new Float32Array(cells);
  const classOf = new Int32Array(cells);
  for (let i = 0; i < cells; i++) {
    let best = -Infinity, bi = 0;
    for (let c = 0; c < classes; c++) {
      const v = obj[i * classes + c]!;
      if (v > best) {
        best = v;
        bi = c;
      }
    }
    heat[i] = best;
    classOf[i] = bi;
  }
  return { heat, classOf };
}

