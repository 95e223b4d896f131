import { inspect } from "node:util";
import * as vm from "node:vm";
import { setKernelHook } from "../hook.js";
import { helpTarget, isComplete } from "./complete.js";
import { setTslabDisplayWriter } from "./engine.js";
import type { CellExecutor } from "./execute.js";
import { History, type HistoryRequest } from "./history.js";
import { kernelInfo } from "./info.js";
import type { Request, Transport } from "./transport.js";

/**
 * The request handlers of the dealkit kernel (Jupyter messaging protocol 5.3): execute (with execute_input,
 * execute_result, error, and aborting the requests queued before a failed cell when the client asks
 * stop_on_error, as ipykernel does), complete, inspect (and `expr?` help in the pager), is_complete, history,
 * kernel_info, comm_info, interrupt and shutdown.
 */

/**
 * Text for a value: what node's REPL shows.
 *
 * @example
 * plainText("ab"); // "'ab'"
 * plainText([10, 20]); // "[ 10, 20 ]"
 */
export function plainText(value: unknown): string {
  return typeof value === "string" ? inspect(value) : inspect(value, { breakLength: 100 });
}

/** UTF-16 offset of code point `cp` of `code` (Jupyter counts cursor positions in code points). */
function utf16Offset(code: string, cp: number): number {
  let offset = 0;
  let n = 0;
  for (const ch of code) {
    if (n++ >= cp) break;
    offset += ch.length;
  }
  return offset;
}

const codePoints = (code: string, offset: number) => [...code.slice(0, offset)].length;

/** Evaluates a user expression (JavaScript, over the cells' variables) for an execute_reply. */
function userExpression(expr: string): Record<string, unknown> {
  try {
    const scope = (globalThis as { __tslab__?: { exports: object } }).__tslab__?.exports ?? {};
    const fn = vm.runInThisContext(`(function (scope) { with (scope) { return (${expr}\n); } })`) as (s: object) => unknown;
    return { status: "ok", data: { "text/plain": plainText(fn(scope)) }, metadata: {} };
  } catch (err) {
    const e = err as Error;
    return { status: "error", ename: e?.name ?? "Error", evalue: e?.message ?? String(err), traceback: [] };
  }
}

/**
 * One kernel session: the request handlers over a transport and a cell executor.
 *
 * @example
 * const kernel = new DealkitKernel(transport, cells, { onShutdown, write, log });
 * transport.serve(kernel.shell, kernel.control);
 */
export class DealkitKernel {
  private executionCount = 0;
  private silentRuns = 0;
  private readonly history = new History();
  /** Execute requests that arrived up to this number are aborted (they were queued before a failed cell). */
  private abortThrough = 0;
  /** The execute request outputs go to (also after it finished, as in ipykernel), and whether it is silent. */
  private output: { req: Request; silent: boolean } | null = null;

  /**
   * @param transport the kernel's sockets.
   * @param cells the TypeScript session.
   * @param options `onShutdown` after a shutdown_request was answered; `write` for output before any cell ran;
   *   `log` for the kernel's own messages (Jupyter's terminal, never a cell).
   */
  constructor(
    private readonly transport: Transport,
    private readonly cells: CellExecutor,
    private readonly options: {
      onShutdown: () => void;
      write: (name: "stdout" | "stderr", text: string) => void;
      log: (text: string) => void;
    },
  ) {
    setKernelHook({
      display: (bundle, displayId, update) =>
        this.emit(update ? "update_display_data" : "display_data", {
          data: bundle,
          metadata: {},
          transient: displayId ? { display_id: displayId } : {},
        }),
      clearOutput: (wait) => this.emit("clear_output", { wait }),
    });
    setTslabDisplayWriter((data, update) => this.emit(update ? "update_display_data" : "display_data", data));
  }

  /** Publishes an output of the current execute request (nothing for a silent one). */
  private emit(msgType: string, content: object): void {
    if (this.output && !this.output.silent) this.transport.publish(msgType, content as Record<string, unknown>, this.output.req);
  }

  /** Text written to stdout or stderr: a stream output of the current execute request. */
  stream(name: "stdout" | "stderr", text: string): void {
    if (!text) return;
    if (this.output) this.emit("stream", { name, text });
    else this.options.write(name, text);
  }

  /** Handles a shell request. */
  readonly shell = async (req: Request): Promise<void> => {
    const c = req.content as Record<string, unknown>;
    switch (req.header.msg_type) {
      case "execute_request":
        return this.execute(req);
      case "complete_request": {
        const code = String(c.code ?? "");
        const r = this.cells.complete(code, utf16Offset(code, Number(c.cursor_pos ?? code.length)));
        const [start, end] = [codePoints(code, r.start), codePoints(code, r.end)];
        const content = { status: "ok", matches: r.matches, cursor_start: start, cursor_end: end, metadata: {} };
        return this.transport.reply(req, "complete_reply", content);
      }
      case "inspect_request": {
        const code = String(c.code ?? "");
        const text = this.cells.inspect(code, utf16Offset(code, Number(c.cursor_pos ?? code.length)));
        const data = text ? { "text/plain": text } : {};
        return this.transport.reply(req, "inspect_reply", { status: "ok", found: text !== null, data, metadata: {} });
      }
      case "is_complete_request":
        return this.transport.reply(req, "is_complete_reply", { ...isComplete(String(c.code ?? "")) });
      case "history_request": {
        const history = this.history.query(c as HistoryRequest);
        return this.transport.reply(req, "history_reply", { status: "ok", history });
      }
      case "comm_open":
        return this.transport.publish("comm_close", { comm_id: c.comm_id, data: {} }, req);
      default:
        return this.common(req);
    }
  };

  /** Handles a control request. */
  readonly control = async (req: Request): Promise<void> => {
    if (req.header.msg_type === "interrupt_request") {
      this.cells.interrupt();
      return this.transport.reply(req, "interrupt_reply", { status: "ok" });
    }
    return this.common(req);
  };

  private common(req: Request): void {
    switch (req.header.msg_type) {
      case "kernel_info_request":
        return this.transport.reply(req, "kernel_info_reply", kernelInfo());
      case "comm_info_request":
        return this.transport.reply(req, "comm_info_reply", { status: "ok", comms: {} });
      case "shutdown_request": {
        const restart = Boolean((req.content as { restart?: boolean }).restart);
        this.transport.reply(req, "shutdown_reply", { status: "ok", restart });
        setImmediate(this.options.onShutdown);
        return;
      }
      case "comm_msg":
      case "comm_close":
        return;
      default:
        this.options.log(`unsupported request ${req.header.msg_type}`);
    }
  }

  private async execute(req: Request): Promise<void> {
    const c = req.content as {
      code?: string;
      silent?: boolean;
      store_history?: boolean;
      stop_on_error?: boolean;
      user_expressions?: Record<string, string>;
    };
    const code = String(c.code ?? "");
    const silent = Boolean(c.silent);
    if (req.seq <= this.abortThrough) {
      const content = { status: "aborted", execution_count: this.executionCount };
      return this.transport.reply(req, "execute_reply", content, { status: "aborted" });
    }
    const store = !silent && c.store_history !== false;
    if (store) this.executionCount += 1;
    const count = this.executionCount;
    const name = store ? `In[${count}]` : `Silent[${++this.silentRuns}]`;
    if (!silent) this.transport.publish("execute_input", { code, execution_count: count }, req);
    this.output = { req, silent };
    const payload: object[] = [];
    let resultText: string | null = null;
    let error = null;
    const help = helpTarget(code);
    if (help !== null) {
      const text = this.cells.inspect(help, help.length) ?? `No information about ${help}`;
      payload.push({ source: "page", data: { "text/plain": text }, start: 0 });
    } else {
      const outcome = await this.cells.execute(code, name);
      if (outcome.status === "ok" && outcome.hasValue) {
        resultText = plainText(outcome.value);
        this.emit("execute_result", { execution_count: count, data: { "text/plain": resultText }, metadata: {} });
      } else if (outcome.status === "error") error = outcome.error;
    }
    if (store) this.history.add(count, code, resultText);
    if (error) {
      this.emit("error", { ...error });
      // Requests already queued were sent assuming this cell succeeds ("Run All"): abort them, as ipykernel
      // does. Decided before replying, so nothing sent after the client saw this reply is aborted.
      if (c.stop_on_error !== false) this.abortThrough = await this.transport.lastArrival();
      const content = { status: "error", execution_count: count, ...error };
      return this.transport.reply(req, "execute_reply", content, { status: "error" });
    }
    const expressions = Object.entries(c.user_expressions ?? {}).map(([k, e]) => [k, userExpression(e)]);
    const content = { status: "ok", execution_count: count, payload, user_expressions: Object.fromEntries(expressions) };
    this.transport.reply(req, "execute_reply", content, { status: "ok" });
  }
}
