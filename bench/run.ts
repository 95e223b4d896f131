/**
 * `npm run bench`: runs the exported `run()` of every bench/*.ts file, one after the other, in name order.
 *
 *     npx tsx bench/run.ts [name-filter ...] [--flags]    e.g. `npx tsx bench/run.ts train-step`
 *
 * A name that is a bench's file name runs that bench alone (`eval`: bench/eval.ts, not eval-scale.ts); other
 * filters match as substrings. Arguments starting with -- are the benches' own flags (they read process.argv), not filters; with --json the
 * "==" lines go to stderr, so that a bench's JSON line is the last line of stdout.
 */
import * as fs from "node:fs";
import * as path from "node:path";

async function main(): Promise<void> {
  const filters = process.argv.slice(2).filter((a) => !a.startsWith("--"));
  const log = process.argv.includes("--json") ? console.error : console.log;
  const all = fs.readdirSync(__dirname).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && f !== "run.ts");
  // A filter that names a bench exactly runs that one (`eval` is bench/eval.ts, not also eval-scale.ts); else a substring.
  const matches = (f: string, x: string) => (all.includes(`${x}.ts`) ? f === `${x}.ts` : f.includes(x));
  const files = all.filter((f) => filters.length === 0 || filters.some((x) => matches(f, x))).sort();
  for (const file of files) {
    const mod = (await import(path.join(__dirname, file))) as { run?: () => unknown };
    if (typeof mod.run !== "function") continue;
    log(`\n== bench/${file}`);
    const t0 = performance.now();
    await mod.run();
    log(`== bench/${file}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
