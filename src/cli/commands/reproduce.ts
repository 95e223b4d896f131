import * as path from "node:path";
import type { Command } from "commander";
import { formatNotebookFailure } from "../../kernel/runner.js";
import { reproduce } from "../../report/index.js";

/** `dealkit reproduce`: runs the main job on the embedded default and writes the HTML report. */
export function registerReproduce(program: Command): void {
  program
    .command("reproduce")
    .description("run the main job (the project's notebooks through Jupyter) and write an HTML report")
    .option("-o, --out <dir>", "report folder (default out/report)")
    .option("--timeout <seconds>", "seconds a notebook cell may run (default 600)")
    .action(async (opts: { out?: string; timeout?: string }) => {
      const timeoutS = opts.timeout === undefined ? undefined : Number(opts.timeout);
      if (timeoutS !== undefined && !(timeoutS > 0)) throw new Error(`--timeout must be a positive number; got "${opts.timeout}"`);
      const started = Date.now();
      const result = await reproduce({ outDir: opts.out, timeoutS });
      const rel = (p: string) => path.relative(process.cwd(), p) || p;
      for (const r of result.results) {
        console.log(`${r.ok ? "ok  " : "FAIL"} ${rel(r.notebook)} (${r.seconds.toFixed(1)} s)`);
        for (const f of r.failures) console.error(formatNotebookFailure(rel(r.notebook), f));
      }
      console.log(`report: ${rel(result.reportHtml)} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      if (!result.ok) {
        throw Object.assign(new Error(result.results.length ? "a notebook failed" : "no notebooks to run"), { exitCode: 1 });
      }
    });
}
