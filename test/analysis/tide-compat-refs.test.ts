import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { tideCompatInputFromCoco } from "../../src/analysis/tide-compat/coco.js";
import { runTideCompat } from "../../src/analysis/tide-compat/run.js";
import { TIDE_COMPAT_ERRORS, TIDE_COMPAT_SPECIAL } from "../../src/analysis/tide-compat/types.js";

// An additional check beside the hand-derived cases: random small scenes evaluated by tidecv 1.0.1's own
// code (see test/fixtures/make_tide_refs.py for the provenance and the stand-ins it needs).
interface RefCase {
  name: string;
  maxDets: number;
  gt: unknown;
  dt: unknown;
  expected: { ap: number; dAP: Record<string, number>; special: Record<string, number>; counts: Record<string, number> };
}
const refs = JSON.parse(fs.readFileSync(path.join(__dirname, "../fixtures/tide_refs.json"), "utf8")) as { source: string; cases: RefCase[] };

describe(`runTideCompat equals tidecv on random scenes (${refs.source})`, () => {
  it("has cases that exercise every error type", () => {
    for (const t of [...TIDE_COMPAT_ERRORS, ...TIDE_COMPAT_SPECIAL]) {
      expect(refs.cases.some((c) => (c.expected.dAP[t] ?? c.expected.special[t]!) !== 0), t).toBe(true);
    }
  });

  it.each(refs.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const run = runTideCompat(tideCompatInputFromCoco(c.gt, c.dt), { maxDetections: c.maxDets });
    const e = c.expected;
    const near = (got: number, want: number, what: string) => expect(Math.abs(got - want), `${what}: got ${got}, tidecv ${want}`).toBeLessThan(1e-9);
    near(run.ap, e.ap, "AP");
    for (const t of TIDE_COMPAT_ERRORS) near(run.dAP[t], e.dAP[t]!, `dAP ${t}`);
    for (const t of TIDE_COMPAT_SPECIAL) near(run.special[t], e.special[t]!, `special ${t}`);
    for (const t of TIDE_COMPAT_ERRORS) expect(run.counts[t], `count ${t}`).toBe(e.counts[t]);
  });
});
