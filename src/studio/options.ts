import { DealkitConfigError } from "../util/errors.js";
import type { StudioCategory } from "./images.js";
import { STUDIO_MAX_CATEGORY_ID } from "./schema.js";

/** The numeric options of startStudio, checked, with their defaults filled in. */
export interface CheckedStudioOptions {
  port: number;
  idleTimeoutMs: number;
  maxBodyBytes: number;
  maxClicks: number;
  maxQueued: number;
  displayMaxSide: number;
}

function inRange(name: string, value: number | undefined, fallback: number, min: number, max: number, integer: boolean): number {
  const v = value ?? fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min || v > max) {
    throw new DealkitConfigError(`${name} must be ${integer ? "an integer" : "a number"} in [${min}, ${max}], got ${String(v).slice(0, 40)}`);
  }
  return v;
}

/** Checks the studio's numeric options and categories (a DealkitConfigError names the option and its range). */
export function checkStudioOptions(
  o: { port?: number; idleTimeoutMs?: number; maxBodyBytes?: number; maxClicks?: number; maxQueued?: number; displayMaxSide?: number; categories?: readonly StudioCategory[] },
  imageCount: number,
): CheckedStudioOptions {
  if (imageCount < 1) throw new DealkitConfigError("the studio needs at least one image");
  const seen = new Set<number>();
  for (const c of o.categories ?? []) {
    if (!Number.isInteger(c.id) || c.id < 0 || c.id > STUDIO_MAX_CATEGORY_ID) throw new DealkitConfigError(`categories: id must be an integer in [0, ${STUDIO_MAX_CATEGORY_ID}], got ${String(c.id).slice(0, 40)}`);
    if (seen.has(c.id)) throw new DealkitConfigError(`categories: id ${c.id} appears twice`);
    if (typeof c.name !== "string" || c.name.length === 0 || c.name.length > 200) throw new DealkitConfigError(`categories: category ${c.id} needs a name of 1-200 characters`);
    seen.add(c.id);
  }
  if (o.categories && o.categories.length === 0) throw new DealkitConfigError("categories: give at least one (or leave it out for an unnamed one)");
  return {
    port: inRange("port", o.port, 0, 0, 65535, true),
    idleTimeoutMs: inRange("idleTimeoutMs", o.idleTimeoutMs, 15 * 60_000, 1, 2 ** 31 - 1, false),
    maxBodyBytes: inRange("maxBodyBytes", o.maxBodyBytes, 4096, 256, 1 << 20, true),
    maxClicks: inRange("maxClicks", o.maxClicks, 32, 1, 1000, true),
    maxQueued: inRange("maxQueued", o.maxQueued, 4, 1, 1000, true),
    displayMaxSide: inRange("displayMaxSide", o.displayMaxSide, 900, 200, 4000, true),
  };
}
