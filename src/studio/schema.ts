/**
 * The studio's request bodies, checked strictly: JSON numbers only (no "0x10", null, true or strings
 * coerced), finite, integers where an index or id is meant, no unknown fields. A bad body is a 400 whose
 * message names the field, the bad value (a bounded excerpt) and what is valid; never a 500.
 */

/** An HTTP refusal with its status and a message for the user. */
export class StudioHttpError extends Error {
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
    this.name = "StudioHttpError";
  }
}

/** A click as the page posts it: image index (default 0), image pixel coordinates, optional category. */
export interface StudioClickBody {
  image: number;
  x: number;
  y: number;
  categoryId?: number;
}

/** The largest category id (detections store ids as int32). */
export const STUDIO_MAX_CATEGORY_ID = 2 ** 31 - 1;
/** The longest category name, characters. */
export const STUDIO_MAX_CATEGORY_NAME = 64;

const CLICK_FIELDS = ["image", "x", "y", "categoryId"] as const;

/** A short, bounded rendering of a bad value for an error message. */
export function excerpt(value: unknown, max = 40): string {
  let text: string;
  try {
    text = value === undefined || (typeof value === "number" && !Number.isFinite(value)) ? String(value) : JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function bad(field: string, want: string, value: unknown): StudioHttpError {
  return new StudioHttpError(400, `field "${field}" must be ${want}, got ${excerpt(value)} (${kindOf(value)})`);
}

/** Parses a body that must be one JSON object with only the given fields. */
export function parseJsonObject(text: string, fields: readonly string[], shape: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new StudioHttpError(400, `body must be JSON: ${shape}; got ${excerpt(text)}`);
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new StudioHttpError(400, `body must be a JSON object ${shape}, got ${excerpt(body)} (${kindOf(body)})`);
  }
  for (const key of Object.keys(body)) {
    if (!fields.includes(key)) throw new StudioHttpError(400, `unknown field "${excerpt(key, 32).replace(/^"|"$/g, "")}" (fields: ${fields.join(", ")})`);
  }
  return body as Record<string, unknown>;
}

/** A finite JSON number, else a 400 naming the field. */
export function finiteNumber(body: Record<string, unknown>, field: string): number {
  if (!(field in body)) throw new StudioHttpError(400, `field "${field}" is missing: it must be a finite number (image pixels)`);
  const v = body[field];
  if (typeof v !== "number" || !Number.isFinite(v)) throw bad(field, "a finite number (image pixels)", v);
  return v;
}

/** An integer in [min, max] when present (undefined when absent), else a 400 naming the field and range. */
export function optionalInteger(body: Record<string, unknown>, field: string, min: number, max: number): number | undefined {
  if (!(field in body)) return undefined;
  const v = body[field];
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) throw bad(field, `an integer in [${min}, ${max}] or absent`, v);
  return v;
}

/**
 * Checks an image index against the number of images: an integer in [0, count - 1].
 *
 * @example
 * checkImageIndex(2, 5); // 2
 */
export function checkImageIndex(index: number, count: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new StudioHttpError(400, `field "image" must be an image index in [0, ${count - 1}], got ${excerpt(index)}`);
  }
  return index;
}

/** The `image` query parameter of a GET (default 0): decimal digits only, in range. */
export function parseImageQuery(raw: string | null, count: number): number {
  if (raw === null) return 0;
  if (!/^(0|[1-9][0-9]{0,8})$/.test(raw)) {
    throw new StudioHttpError(400, `query parameter "image" must be an image index in [0, ${count - 1}], got ${excerpt(raw)}`);
  }
  return checkImageIndex(Number(raw), count);
}

/**
 * The body of POST /api/click: `{"image"?: integer, "x": number, "y": number, "categoryId"?: integer}`,
 * numbers only. Whether (x, y) lies inside the image is checked by {@link checkClickInside} once the
 * image's size is known.
 *
 * @example
 * parseClickBody('{"x": 12.5, "y": 3, "categoryId": 2}', 1); // { image: 0, x: 12.5, y: 3, categoryId: 2 }
 */
export function parseClickBody(text: string, imageCount: number): StudioClickBody {
  const shape = `{"x": number, "y": number, "categoryId"?: integer, "image"?: integer}`;
  const body = parseJsonObject(text, CLICK_FIELDS, shape);
  const image = optionalInteger(body, "image", 0, Math.max(0, imageCount - 1)) ?? 0;
  const x = finiteNumber(body, "x");
  const y = finiteNumber(body, "y");
  const categoryId = optionalInteger(body, "categoryId", 0, STUDIO_MAX_CATEGORY_ID);
  return categoryId === undefined ? { image, x, y } : { image, x, y, categoryId };
}

/** A 400 naming x or y unless the click lies on the image: 0 <= x <= width, 0 <= y <= height. */
export function checkClickInside(click: { x: number; y: number }, width: number, height: number): void {
  if (click.x < 0 || click.x > width) throw new StudioHttpError(400, `field "x" must be in [0, ${width}] (the image is ${width}x${height}), got ${click.x}`);
  if (click.y < 0 || click.y > height) throw new StudioHttpError(400, `field "y" must be in [0, ${height}] (the image is ${width}x${height}), got ${click.y}`);
}

/** The body of POST /api/reset and /api/undo: `{"image"?: integer}`. */
export function parseImageBody(text: string, imageCount: number): { image: number } {
  const body = parseJsonObject(text, ["image"], `{"image"?: integer}`);
  return { image: optionalInteger(body, "image", 0, Math.max(0, imageCount - 1)) ?? 0 };
}

/**
 * The body of POST /api/category: `{"name"?: string}` (1-64 characters, no control characters; absent for
 * an unnamed category). Returns the trimmed name or undefined.
 */
export function parseCategoryBody(text: string): string | undefined {
  const body = parseJsonObject(text, ["name"], `{"name"?: string}`);
  if (!("name" in body)) return undefined;
  const v = body.name;
  const name = typeof v === "string" ? v.trim() : undefined;
  if (name === undefined || name.length === 0 || name.length > STUDIO_MAX_CATEGORY_NAME || /[\u0000-\u001f\u007f]/.test(name)) {
    throw bad("name", `a string of 1-${STUDIO_MAX_CATEGORY_NAME} characters without control characters, or absent`, v);
  }
  return name;
}
