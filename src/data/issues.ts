import { DealkitInputError, formatLocation, type InputLocation } from "../util/errors.js";

/** A problem found while reading or validating a data set. Errors make a file unusable; warnings do not. */
export interface ValidationIssue {
  severity: "error" | "warning";
  /** A stable identifier of the kind of problem, e.g. `box-outside-image`, `duplicate-id`. */
  code: string;
  /** The problem, without the location. */
  problem: string;
  file?: string;
  /** `image 12`, `annotation 7`, `category 3`, `line 31`, `images[4]` (when the id itself is missing). */
  record?: string;
  field?: string;
  /** `file: record: field "x": problem`, ready to show. */
  message: string;
}

/** How a box that extends past its image is handled: clipped to the image, kept as is, or dropped. */
export type BoxPolicy = "clip" | "keep" | "reject";
/** The valid {@link BoxPolicy} values. */
export const BOX_POLICIES: readonly BoxPolicy[] = ["clip", "keep", "reject"];

/**
 * Collects issues. In "throw" mode the first error throws a {@link DealkitInputError}; in "collect" mode
 * errors are kept too (for `dealkit validate`). At most `maxPerCode` issues of each code are kept; the rest
 * are counted and summarised by {@link finish}.
 */
export class IssueCollector {
  readonly issues: ValidationIssue[] = [];
  private readonly counts = new Map<string, number>();
  constructor(
    readonly mode: "throw" | "collect" = "throw",
    readonly maxPerCode = 100,
  ) {}

  /** Records an error (throws it in "throw" mode). */
  error(code: string, problem: string, where: InputLocation): void {
    if (this.mode === "throw") throw new DealkitInputError(problem, where);
    this.add("error", code, problem, where);
  }

  /** Records a warning. */
  warn(code: string, problem: string, where: InputLocation): void {
    this.add("warning", code, problem, where);
  }

  /** Errors recorded so far, listed or not. */
  get errorCount(): number {
    let n = 0;
    for (const [k, v] of this.counts) if (k.startsWith("error:")) n += v;
    return n;
  }

  private add(severity: "error" | "warning", code: string, problem: string, where: InputLocation): void {
    const key = `${severity}:${code}`;
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    if (n > this.maxPerCode) return;
    this.issues.push({ severity, code, problem, ...where, message: formatLocation(where) + problem });
  }

  /** The kept issues plus one summary issue per code that overflowed `maxPerCode`. */
  finish(file?: string): ValidationIssue[] {
    const out = this.issues.slice();
    for (const [key, n] of this.counts) {
      if (n <= this.maxPerCode) continue;
      const [severity, code] = key.split(":") as ["error" | "warning", string];
      const problem = `${n - this.maxPerCode} more "${code}" ${severity}s not listed (${n} in all)`;
      out.push({ severity, code, problem, file, message: formatLocation({ file }) + problem });
    }
    return out;
  }
}
