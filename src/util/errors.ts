/**
 * Errors for bad input. Every message names where the problem is: the file, the record (image id,
 * annotation id, line number) and the field, so a user can go straight to it.
 */
export interface InputLocation {
  /** The file that holds the bad input, if it came from a file. */
  file?: string;
  /** The record: `image 12`, `annotation 7`, `line 31`, `detection #4`, ... */
  record?: string;
  /** The field inside the record: `bbox`, `category_id`, ... */
  field?: string;
}

/** A problem with what the user gave dealkit (a file, a click, a config), as opposed to a bug. */
export class DealkitInputError extends Error {
  readonly file?: string;
  readonly record?: string;
  readonly field?: string;
  /** The problem alone, without the location prefix. */
  readonly problem: string;

  constructor(problem: string, where: InputLocation = {}) {
    super(formatLocation(where) + problem);
    this.name = "DealkitInputError";
    this.problem = problem;
    this.file = where.file;
    this.record = where.record;
    this.field = where.field;
  }
}

/** `file: record: field: ` prefix for a message; empty parts are left out. */
export function formatLocation(where: InputLocation): string {
  const parts: string[] = [];
  if (where.file) parts.push(where.file);
  if (where.record) parts.push(where.record);
  if (where.field) parts.push(`field "${where.field}"`);
  return parts.length ? parts.join(": ") + ": " : "";
}

/** A configuration error: the message lists the valid options. */
export class DealkitConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DealkitConfigError";
  }
}

/** Throws a {@link DealkitConfigError} unless `value` is one of `options`. */
export function checkOneOf<T extends string>(what: string, value: string, options: readonly T[]): T {
  if (!(options as readonly string[]).includes(value)) {
    throw new DealkitConfigError(`${what} must be one of ${options.map((o) => `"${o}"`).join(", ")}; got "${value}"`);
  }
  return value as T;
}
