import { randomUUID } from "node:crypto";
import { publish } from "./display.js";
import { escapeHtml, type ShowOptions } from "./mime.js";

/** A progress display's state at one moment. */
export interface ProgressState {
  label: string;
  /** Steps done. */
  value: number;
  /** Steps in all, when known. */
  total?: number;
  /** Figures shown beside the bar (loss, lr, ...), in insertion order. */
  info: Record<string, number | string>;
  /** Milliseconds since the display was created. */
  elapsedMs: number;
  done: boolean;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions extends ShowOptions {
  /** Text before the bar. Default "progress". */
  label?: string;
  /** Steps in all; without it the display shows a count instead of a bar. */
  total?: number;
  /** At most one redraw per this many ms (done() always draws). Default 200. */
  minIntervalMs?: number;
  /**
   * Text fallback outside a kernel (the CLI passes process.stderr): one line per redraw, rewritten in place
   * on a TTY. Default none: library code does not print.
   */
  stream?: { write(text: string): unknown; isTTY?: boolean };
  /** The clock, in ms. Default Date.now. */
  now?: () => number;
}

/** A progress display updated in place. */
export interface Progress {
  /** Sets the number of steps done and optionally the figures shown beside the bar. */
  update(value: number, info?: Record<string, number | string>): void;
  /** Adds `by` steps (default 1). */
  increment(by?: number, info?: Record<string, number | string>): void;
  /** Draws the final state; later updates are ignored. */
  done(info?: Record<string, number | string>): void;
  /** The current state (a copy). */
  readonly state: ProgressState;
}

function formatInfo(info: Record<string, number | string>): string {
  return Object.entries(info)
    .map(([k, v]) => `${k}=${typeof v === "number" && !Number.isInteger(v) ? Number(v.toPrecision(4)) : v}`)
    .join(" ");
}

function fraction(state: ProgressState): number | undefined {
  if (!state.total || state.total <= 0) return undefined;
  return Math.min(1, Math.max(0, state.value / state.total));
}

/**
 * One line of text for a progress state, e.g. `train 30/100 [######--------------]  30% loss=0.1234 2.1s`.
 *
 * @example
 * progressText({ label: "fit", value: 1, total: 2, info: {}, elapsedMs: 500, done: false });
 */
export function progressText(state: ProgressState, width = 20): string {
  const f = fraction(state);
  const count = state.total !== undefined ? `${state.value}/${state.total}` : `${state.value}`;
  const bar = f === undefined ? "" : ` [${"#".repeat(Math.round(f * width)).padEnd(width, "-")}] ${String(Math.round(f * 100)).padStart(3)}%`;
  const info = Object.keys(state.info).length ? ` ${formatInfo(state.info)}` : "";
  const time = ` ${(state.elapsedMs / 1000).toFixed(1)}s${state.done ? " done" : ""}`;
  return `${state.label} ${count}${bar}${info}${time}`;
}

/**
 * HTML for a progress state: a label, a bar (a `<progress>` element), the count and the figures.
 */
export function progressHtml(state: ProgressState): string {
  const f = fraction(state);
  const bar = f === undefined ? "" : `<progress value="${f.toFixed(4)}" max="1" style="width:16em;vertical-align:middle"></progress> `;
  const count = state.total !== undefined ? `${state.value}/${state.total}` : `${state.value}`;
  const info = Object.keys(state.info).length ? ` &nbsp;${escapeHtml(formatInfo(state.info))}` : "";
  const time = `${(state.elapsedMs / 1000).toFixed(1)} s${state.done ? ", done" : ""}`;
  return `<div class="dealkit-progress" style="font-family:monospace"><b>${escapeHtml(state.label)}</b> ${bar}${count}${info} <span style="color:#888">${time}</span></div>`;
}

/**
 * A progress display that redraws in place: in a kernel one output updated through its display id (tslab's
 * newDisplay mechanism), elsewhere lines on `options.stream` if given, else nothing.
 *
 * @example
 * const bar = createProgress({ label: "train", total: epochs });
 * for (let e = 0; e < epochs; e++) { const loss = await step(); bar.update(e + 1, { loss }); }
 * bar.done();
 */
export function createProgress(options: ProgressOptions = {}): Progress {
  const now = options.now ?? Date.now;
  const start = now();
  const minInterval = options.minIntervalMs ?? 200;
  const displayId = `dealkit-progress-${randomUUID()}`;
  const state: ProgressState = { label: options.label ?? "progress", value: 0, total: options.total, info: {}, elapsedMs: 0, done: false };
  let lastDraw = -Infinity;
  let published = false;
  let lastTextLength = 0;

  const draw = (force: boolean) => {
    const t = now();
    if (!force && t - lastDraw < minInterval) return;
    lastDraw = t;
    state.elapsedMs = t - start;
    const text = progressText(state);
    const delivered = publish({ "text/html": progressHtml(state), "text/plain": text }, options, displayId, published);
    if (delivered) {
      published = true;
    } else if (options.stream) {
      if (options.stream.isTTY) {
        options.stream.write(`\r${text.padEnd(lastTextLength)}${state.done ? "\n" : ""}`);
        lastTextLength = text.length;
      } else {
        options.stream.write(`${text}\n`);
      }
    }
  };
  draw(true);
  return {
    update(value, info) {
      if (state.done) return;
      state.value = value;
      if (info) Object.assign(state.info, info);
      draw(false);
    },
    increment(by = 1, info) {
      this.update(state.value + by, info);
    },
    done(info) {
      if (state.done) return;
      if (info) Object.assign(state.info, info);
      state.done = true;
      draw(true);
    },
    get state() {
      return { ...state, info: { ...state.info } };
    },
  };
}
