/**
 * `npm run bench`: runs the exported `run()` of every bench/*.ts file, one after the other, in name order.
 *
 *     npx tsx bench/run.ts [name-filter ...]     e.g. `npx tsx bench/run.ts train-step`
 */
import * as fs from "node:fs";
import * as path from "node:path";

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && f !== "run.ts")
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort();
  for (const file of files) {
    const mod = (await import(path.join(__dirname, file))) as { run?: () => unknown };
    if (typeof mod.run !== "function") continue;
    console.log(`\n== bench/${file}`);
    const t0 = performance.now();
    await mod.run();
    console.log(`== bench/${file}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
