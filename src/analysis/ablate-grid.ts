import type { ClickSamplerName } from "../prompts/index.js";
import { checkOneOf, DealkitConfigError } from "../util/errors.js";

/** Where on an object the simulated click lands: the name of a click sampler of src/prompts/. */
export type AblationClickPosition = ClickSamplerName;
/** Where the click comes from: the ground truth, or the model's own top detection of a first round. */
export type AblationPromptSource = "groundTruth" | "prediction";
/** Which categories are prompted and evaluated: those seen in training, or the held-out ones. */
export type AblationSplit = "seen" | "heldOut";

/** The valid values of each ablation factor. */
export const ABLATION_CLICK_POSITIONS: readonly AblationClickPosition[] = ["center", "uniform", "gaussian", "edge"];
export const ABLATION_PROMPT_SOURCES: readonly AblationPromptSource[] = ["groundTruth", "prediction"];
export const ABLATION_SPLITS: readonly AblationSplit[] = ["seen", "heldOut"];

/**
 * One configuration of the prompt ablation. `jitter` is the Gaussian click noise as a fraction of the box
 * size (0 unless `position` is "gaussian"); `clicksPerCategory` is a count or "all" (one per instance).
 */
export interface AblationCell {
  position: AblationClickPosition;
  jitter: number;
  clicksPerCategory: number | "all";
  source: AblationPromptSource;
  split: AblationSplit;
}

/** The named grids of {@link ablationGrid}. */
export type AblationGridName = "small" | "full" | "factorial";
export const ABLATION_GRIDS: readonly AblationGridName[] = ["small", "full", "factorial"];

/** Gaussian jitter scales of the full grid (std as a fraction of box width / height). */
export const ABLATION_JITTER_SCALES: readonly number[] = [0.1, 0.25, 0.5];
/** Clicks-per-category levels of the full grid. */
export const ABLATION_CLICK_COUNTS: readonly (number | "all")[] = [1, 2, 3, 5, "all"];

/** The reference cell every one-factor-at-a-time variation starts from: one centre click per category from the ground truth. */
export const ABLATION_BASE_CELL: Readonly<Omit<AblationCell, "split">> = Object.freeze({ position: "center", jitter: 0, clicksPerCategory: 1, source: "groundTruth" });

/**
 * A canonical text id of a cell (stable across runs; used in cache keys and tables).
 *
 * @example
 * cellId({ position: "gaussian", jitter: 0.25, clicksPerCategory: 1, source: "groundTruth", split: "seen" });
 * // "gaussian:0.25|k=1|groundTruth|seen"
 */
export function cellId(c: AblationCell): string {
  const pos = c.position === "gaussian" ? `gaussian:${c.jitter}` : c.position;
  return `${pos}|k=${c.clicksPerCategory}|${c.source}|${c.split}`;
}

/** Validates a cell, throwing a {@link DealkitConfigError} that lists the valid options. */
export function checkCell(c: AblationCell): AblationCell {
  checkOneOf("click position", c.position, ABLATION_CLICK_POSITIONS);
  checkOneOf("prompt source", c.source, ABLATION_PROMPT_SOURCES);
  checkOneOf("category split", c.split, ABLATION_SPLITS);
  if (c.clicksPerCategory !== "all" && !(Number.isInteger(c.clicksPerCategory) && c.clicksPerCategory >= 1)) {
    throw new DealkitConfigError(`clicksPerCategory must be a positive integer or "all"; got ${String(c.clicksPerCategory)}`);
  }
  if (!(c.jitter >= 0) || (c.position !== "gaussian" && c.jitter !== 0)) {
    throw new DealkitConfigError(`jitter must be >= 0, and 0 unless position is "gaussian"; got ${c.jitter} for "${c.position}"`);
  }
  return c;
}

function dedupe(cells: AblationCell[]): AblationCell[] {
  const seen = new Set<string>();
  return cells.filter((c) => {
    const id = cellId(checkCell(c));
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/**
 * A named grid of ablation cells, for both category splits.
 * - "small" (notebooks, CI): one factor at a time around {@link ABLATION_BASE_CELL}: positions centre / uniform /
 *   gaussian 0.25 / edge, clicks 1 / 3 / all, source ground truth / prediction (12 cells).
 * - "full": one factor at a time over every level: positions with jitter 0.1 / 0.25 / 0.5, clicks
 *   1 / 2 / 3 / 5 / all, both sources (22 cells).
 * - "factorial": every combination of the full levels (120 cells; hours on a CPU).
 *
 * @example
 * ablationGrid("small").length; // 12
 */
export function ablationGrid(name: AblationGridName = "small"): AblationCell[] {
  checkOneOf("ablation grid", name, ABLATION_GRIDS);
  const positions: [AblationClickPosition, number][] =
    name === "small" ? [["center", 0], ["uniform", 0], ["gaussian", 0.25], ["edge", 0]] : [["center", 0], ["uniform", 0], ...ABLATION_JITTER_SCALES.map((j): [AblationClickPosition, number] => ["gaussian", j]), ["edge", 0]];
  const counts: (number | "all")[] = name === "small" ? [1, 3, "all"] : [...ABLATION_CLICK_COUNTS];
  const cells: AblationCell[] = [];
  for (const split of ABLATION_SPLITS) {
    if (name === "factorial") {
      for (const [position, jitter] of positions) for (const k of counts) for (const source of ABLATION_PROMPT_SOURCES) cells.push({ position, jitter, clicksPerCategory: k, source, split });
      continue;
    }
    for (const [position, jitter] of positions) cells.push({ ...ABLATION_BASE_CELL, position, jitter, split });
    for (const k of counts) cells.push({ ...ABLATION_BASE_CELL, clicksPerCategory: k, split });
    for (const source of ABLATION_PROMPT_SOURCES) cells.push({ ...ABLATION_BASE_CELL, source, split });
  }
  return dedupe(cells);
}
