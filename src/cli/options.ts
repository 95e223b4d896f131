import * as fs from "node:fs";
import * as path from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { removeStaleTemps } from "../util/dir-atomic.js";
import { DealkitConfigError } from "../util/errors.js";

/**
 * The valid values of a numeric CLI option: a closed range [min, max] (open at an end marked exclusive), and
 * integers only when `integer` is set.
 */
export interface NumberRange {
  min: number;
  max: number;
  integer?: boolean;
  /** The range is open at min: (min, max]. */
  minExclusive?: boolean;
  /** The range is open at max: [min, max). */
  maxExclusive?: boolean;
}

/** Plain decimal syntax only: no hex (0x10), binary, octal, blanks, "Infinity" or trailing garbage. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** The range as text: "an integer in [1, 100]", "a number in (0, 1]". */
export function describeRange(r: NumberRange): string {
  return `${r.integer ? "an integer" : "a number"} in ${r.minExclusive ? "(" : "["}${r.min}, ${r.max}${r.maxExclusive ? ")" : "]"}`;
}

/** The value of `raw` when it lies in `r`; undefined otherwise. */
function inRange(raw: string | number, r: NumberRange): number | undefined {
  const v = typeof raw === "number" ? raw : DECIMAL.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(v) || (r.integer && !Number.isInteger(v))) return undefined;
  if (r.minExclusive ? v <= r.min : v < r.min) return undefined;
  if (r.maxExclusive ? v >= r.max : v > r.max) return undefined;
  return v;
}

/** At most `n` characters of a bad value, so an error never echoes a huge or binary string whole. */
export function excerpt(raw: unknown, n = 40): string {
  const s = typeof raw === "string" ? raw : String(raw);
  const clean = s.replace(/[\u0000-\u001f\u007f]/g, "?");
  return clean.length > n ? `${clean.slice(0, n)}...` : clean;
}

/**
 * Checks a numeric option's value (a string from the command line, or a number from a caller): returns the
 * number, or throws a DealkitConfigError naming the option, the value and the valid range.
 *
 * @example
 * checkNumberOption("--steps", "400", { min: 1, max: 1e7, integer: true }); // 400
 * checkNumberOption("--lr", "abc", { min: 0, max: 1, minExclusive: true }); // throws: --lr must be a number in (0, 1]; got "abc"
 */
export function checkNumberOption(option: string, raw: string | number, r: NumberRange): number {
  const v = inRange(raw, r);
  if (v === undefined) throw new DealkitConfigError(`${option} must be ${describeRange(r)}; got "${excerpt(raw)}"`);
  return v;
}

/**
 * A commander argument parser for a number in `r`: commander reports a bad value as
 * `option '--steps <n>' argument 'abc' is invalid. must be an integer in [1, 10000000]` and exits 1 before the
 * command's action runs.
 *
 * @example
 * cmd.option("--port <n>", "port", numberParser({ min: 0, max: 65535, integer: true }), 0);
 */
export function numberParser(r: NumberRange): (raw: string) => number {
  return (raw) => {
    const v = inRange(raw, r);
    if (v === undefined) throw new InvalidArgumentError(`must be ${describeRange(r)}`);
    return v;
  };
}

/**
 * Adds a numeric option with its range to a command; the help text ends with the range (and the default).
 *
 * @example
 * numberOption(cmd, "--steps <n>", "optimisation steps", RANGES.steps, 1500);
 */
export function addNumberOption(cmd: Command, flags: string, description: string, r: NumberRange, defaultValue?: number): Command {
  const help = `${description} (${describeRange(r)})`;
  return defaultValue === undefined ? cmd.option(flags, help, numberParser(r)) : cmd.option(flags, help, numberParser(r), defaultValue);
}

/** The largest seed: seeds are 32-bit unsigned integers. */
const SEED_MAX = 2 ** 32 - 1;

/**
 * The range of every numeric option of the dealkit commands, by meaning; each command takes its options' ranges
 * from here, so the same option has the same range everywhere.
 */
export const RANGES = {
  seed: { min: 0, max: SEED_MAX, integer: true },
  steps: { min: 1, max: 10_000_000, integer: true },
  batch: { min: 1, max: 1024, integer: true },
  lr: { min: 0, max: 1, minExclusive: true },
  cycles: { min: 0, max: 16, integer: true },
  checkpointEvery: { min: 0, max: 10_000_000, integer: true },
  scoreThreshold: { min: 0, max: 1 },
  maxDetections: { min: 1, max: 100_000, integer: true },
  iou: { min: 0, max: 1, minExclusive: true },
  slice: { min: 16, max: 16_384, integer: true },
  overlap: { min: 0, max: 0.9, maxExclusive: true },
  sliceBatch: { min: 1, max: 64, integer: true },
  every: { min: 1, max: 1_000_000_000, integer: true },
  maxImages: { min: 1, max: 10_000_000, integer: true },
  seeds: { min: 1, max: 1000, integer: true },
  imageSize: { min: 32, max: 8192, integer: true },
  timeoutSeconds: { min: 1, max: 7 * 24 * 3600 },
  port: { min: 0, max: 65535, integer: true },
  idleMinutes: { min: 0.1, max: 7 * 24 * 60 },
  maxClicks: { min: 1, max: 1000, integer: true },
  sceneSize: { min: 64, max: 4096, integer: true },
  probability: { min: 0, max: 1 },
} as const satisfies Record<string, NumberRange>;

/**
 * Checks an output file option before any work: it must not be a folder, and its parent must be a folder (or
 * not exist yet). Temp files that crashed writers left beside it are removed.
 *
 * @example
 * checkOutputFile("--out", "results/dt.json");
 */
export function checkOutputFile(option: string, file: string): void {
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new DealkitConfigError(`${option} ${file} is a folder; give a file name`);
  for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
    if (fs.existsSync(dir)) {
      if (!fs.statSync(dir).isDirectory()) throw new DealkitConfigError(`${option} ${file}: ${dir} is a file, not a folder`);
      break;
    }
    if (dir === path.dirname(dir)) break;
  }
  removeStaleTemps(file);
}
