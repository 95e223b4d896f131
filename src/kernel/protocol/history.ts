/**
 * The session's input history (what history_request answers): every executed cell stored with
 * `store_history`, its execution count and the text/plain of its result. In memory: one kernel process is one
 * session, numbered 1 (session 0 and negative sessions count back from the current one, as in IPython).
 */

/** One history entry. */
export interface HistoryEntry {
  line: number;
  input: string;
  output: string | null;
}

/** A history_request's content (messaging protocol 5.3). */
export interface HistoryRequest {
  output?: boolean;
  raw?: boolean;
  hist_access_type?: "range" | "tail" | "search" | string;
  session?: number;
  start?: number;
  stop?: number | null;
  n?: number | null;
  pattern?: string;
  unique?: boolean;
}

/** The session number of this kernel's history. */
export const SESSION = 1;

/**
 * A glob (`*`, `?`, `[abc]`, `[!abc]`) as a RegExp over the whole input, case-sensitive, `*` crossing lines:
 * the GLOB of IPython's history search.
 *
 * @example
 * globToRegExp("1?1").test("1+1"); // true
 */
export function globToRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") re += "[\\s\\S]*";
    else if (c === "?") re += "[\\s\\S]";
    else if (c === "[" && pattern.indexOf("]", i + 2) > 0) {
      const end = pattern.indexOf("]", i + 2);
      let body = pattern.slice(i + 1, end);
      if (body.startsWith("!") || body.startsWith("^")) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, "\\\\")}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/**
 * The history of one kernel session.
 *
 * @example
 * history.add(1, "1 + 1", "2");
 * history.query({ hist_access_type: "search", pattern: "1 + *" }); // [[1, 1, "1 + 1"]]
 */
export class History {
  private readonly entries: HistoryEntry[] = [];

  /** Stores cell `line` (its execution count). */
  add(line: number, input: string, output: string | null): void {
    this.entries.push({ line, input, output });
  }

  /**
   * The `history` list of a history_reply: `[session, line, input]`, or `[session, line, [input, output]]`
   * with `output`.
   *
   * @example
   * history.query({ hist_access_type: "tail", n: 3, output: false, raw: true });
   */
  query(req: HistoryRequest): [number, number, string | [string, string | null]][] {
    let found: HistoryEntry[] = [];
    const n = typeof req.n === "number" && req.n > 0 ? req.n : null;
    if (req.hist_access_type === "tail") {
      found = this.entries.slice(-(n ?? 10));
    } else if (req.hist_access_type === "range") {
      const session = req.session ?? 0;
      if (session === 0 || session === SESSION) {
        const start = req.start ?? 0;
        const stop = req.stop ?? null;
        found = this.entries.filter((e) => e.line >= start && (stop === null || stop <= 0 || e.line < stop));
      }
    } else if (req.hist_access_type === "search") {
      const re = globToRegExp(req.pattern ?? "*");
      found = this.entries.filter((e) => re.test(e.input));
      if (req.unique) {
        const seen = new Set<string>();
        found = found.reverse().filter((e) => !seen.has(e.input) && (seen.add(e.input), true)).reverse();
      }
      if (n !== null) found = found.slice(-n);
    }
    return found.map((e) => [SESSION, e.line, req.output ? [e.input, e.output] : e.input]);
  }
}
