/**
 * `npm run bench`: runs the exported `run()` of every bench/*.ts file, one after the other, in name order.
 *
 *     npx tsx bench/run.ts [name-filter ...] [--flags]    e.g. `npx tsx bench/run.ts train-step`
 *
 * Arguments starting with -- are the benches' own flags (they read process.argv), not filters; with --json the
 * "==" lines go to stderr, so that a bench's JSON line is the last line of stdout.
 */
import * as fs from "node:fs";
import * as path from "node:path";

async function main(): Promise<void> {
  const filters = process.argv.slice(2).filter((a) => !a.startsWith("--"));
  const log = process.argv.includes("--json") ? console.error : console.log;
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && f !== "run.ts")
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort();
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
