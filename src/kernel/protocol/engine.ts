import { createRequire } from "node:module";
import type * as TS from "@tslab/typescript-for-tslab";
import type { Converter, ConverterOptions } from "tslab/dist/converter.js";
import type { ConsoleInterface, ConverterSet, Executor } from "tslab/dist/executor.js";

/**
 * tslab's TypeScript engine, as this kernel uses it: the converter (type-check and transpile a cell against the
 * declarations of the cells before), the executor (run it, keep the cells' variables), quick info, and the
 * TypeScript compiler tslab bundles. Loaded from the tslab this package depends on (pinned), never a global one.
 */

const requireTslab = createRequire(require.resolve("tslab/package.json"));

/** The TypeScript compiler tslab type-checks and transpiles cells with (not the project's own `typescript`). */
export const ts = requireTslab("@tslab/typescript-for-tslab") as typeof TS;

const converterModule = requireTslab("./dist/converter.js") as {
  createConverter(options?: ConverterOptions): Converter;
};
const executorModule = requireTslab("./dist/executor.js") as {
  createExecutor(rootDir: string, convs: ConverterSet, console: ConsoleInterface): Executor;
};
const inspectModule = requireTslab("./dist/inspect.js") as { printQuickInfo(info: TS.QuickInfo): string };
const jupyterModule = requireTslab("./dist/jupyter.js") as { lastWriteDisplayData: unknown };
const publicModule = requireTslab("./dist/public.js") as { versions: { tslab: string; typescript: string; node: string } };

/** tslab's own types for its converter and executor. */
export type { Converter, ConverterSet, ConsoleInterface, Executor };

/**
 * A new tslab converter (several hundred ms: it builds a TypeScript program).
 *
 * @example
 * const node = createConverter({ isJS: false, isBrowser: false });
 */
export function createConverter(options?: ConverterOptions): Converter {
  return converterModule.createConverter(options);
}

/**
 * A new tslab executor running cells in this process with `require` rooted at `rootDir`.
 *
 * @example
 * const executor = createExecutor(process.cwd(), convs, { log: onValue, error: onError });
 */
export function createExecutor(rootDir: string, convs: ConverterSet, console: ConsoleInterface): Executor {
  return executorModule.createExecutor(rootDir, convs, console);
}

/**
 * tslab's text for a quick-info result (signature, docs, tags).
 *
 * @example
 * quickInfoText(executor.inspect("Math.max", 8)!); // "(method) Math.max(...values: number[]): number ..."
 */
export function quickInfoText(info: TS.QuickInfo): string {
  return inspectModule.printQuickInfo(info);
}

/** The versions tslab reports: tslab itself, the TypeScript it compiles cells with, node. */
export const tslabVersions = publicModule.versions;

/**
 * Points tslab's public display API (`import * as tslab from "tslab"; tslab.display.html(...)`) at `writer`,
 * the display writer of the request now running.
 *
 * @example
 * setTslabDisplayWriter((data, update) => publish(update ? "update_display_data" : "display_data", data));
 */
export function setTslabDisplayWriter(
  writer: ((data: { data: Record<string, unknown>; metadata: object; transient: object }, update: boolean) => void) | null,
): void {
  jupyterModule.lastWriteDisplayData = writer;
}
