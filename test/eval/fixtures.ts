import * as fs from "node:fs";
import * as path from "node:path";

/** The pycocotools reference fixtures: $DEALKIT_FIXTURES, else test/fixtures/coco (see its PROVENANCE.md). */
export function fixturesDir(): string {
  if (process.env.DEALKIT_FIXTURES) return path.resolve(process.env.DEALKIT_FIXTURES);
  return path.resolve(__dirname, "..", "fixtures", "coco");
}

export interface FixtureCase {
  name: string;
  dir: string;
  gtFile: string;
  dtFile: string;
  expected: any;
}

/** Every case folder holding expected.json and gt/dt files (plain or .gz). */
export function fixtureCases(): FixtureCase[] {
  const root = fixturesDir();
  if (!fs.existsSync(root)) return [];
  const out: FixtureCase[] = [];
  for (const name of fs.readdirSync(root).sort()) {
    const dir = path.join(root, name);
    if (!fs.statSync(dir).isDirectory() || !fs.existsSync(path.join(dir, "expected.json"))) continue;
    const pick = (base: string) => [`${base}.json`, `${base}.json.gz`].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
    const gtFile = pick("gt");
    const dtFile = pick("dt");
    if (!gtFile || !dtFile) continue;
    out.push({ name, dir, gtFile, dtFile, expected: JSON.parse(fs.readFileSync(path.join(dir, "expected.json"), "utf8")) });
  }
  return out;
}

/** A fixture label without its parenthetical note: "AP@.25|all|1500 (always -1 ...)" -> "AP@.25|all|1500". */
export function cleanLabel(label: string): string {
  return label.replace(/\s*\(.*\)\s*$/, "");
}
