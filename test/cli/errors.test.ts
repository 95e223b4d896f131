import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Command } from "commander";
import { afterAll, describe, expect, it, vi } from "vitest";
import { register, runErrorsCommand } from "../../src/cli/commands/errors.js";
import { DealkitConfigError, DealkitInputError } from "../../src/util/errors.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-errors-cli-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const TOL = 1e-9;

function write(name: string, obj: unknown): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, typeof obj === "string" ? obj : JSON.stringify(obj));
  return f;
}
const ann = (id: number, imageId: number, cat: number, bbox: number[], iscrowd = 0) => ({ id, image_id: imageId, category_id: cat, bbox, area: bbox[2]! * bbox[3]!, iscrowd });
const det = (imageId: number, cat: number, bbox: number[], score: number) => ({ image_id: imageId, category_id: cat, bbox, score });
const cats = (...ids: number[]) => ids.map((id) => ({ id, name: `c${id}` }));
const imgs = (...ids: number[]) => ids.map((id) => ({ id, width: 100, height: 100, file_name: `${id}.png` }));

/** Runs `dealkit errors ...args` through commander; returns stdout and stderr. */
async function cli(args: string[]): Promise<{ out: string; err: string }> {
  const program = new Command();
  program.exitOverride();
  register(program);
  let out = "";
  let err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
  try {
    await program.parseAsync(["errors", ...args], { from: "user" });
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  return { out, err };
}

// The multi-category scene of test/analysis/tide-compat.test.ts (derivation there): cat 1 AP (51 + 50*2/3)/101*100,
// cat 2 AP 0, cat 3 AP 100; Loc fix lifts cat 2 to 100, Cls fix lifts cat 1 to 100, FalsePos gives 100, 0, 100.
const multiGt = write("multi-gt.json", {
  images: imgs(1, 2), categories: cats(1, 2, 3),
  annotations: [ann(1, 1, 1, [0, 0, 10, 10]), ann(2, 1, 2, [20, 0, 10, 10]), ann(3, 2, 3, [0, 0, 10, 10]), ann(4, 2, 1, [40, 40, 10, 10])],
});
const multiDt = write("multi-dt.json", [
  det(1, 1, [0, 0, 10, 10], 0.9), det(1, 2, [25, 0, 10, 10], 0.6), det(2, 1, [0, 0, 10, 10], 0.8), det(2, 3, [2, 0, 10, 10], 0.7), det(2, 1, [40, 40, 10, 10], 0.5),
]);
const cat1 = ((51 + (50 * 2) / 3) / 101) * 100;
const multiAp = (cat1 + 0 + 100) / 3;

describe("dealkit errors --compat tide", () => {
  it("prints TIDE's numbers as {ap50, dAP, special} with --json", async () => {
    const { out } = await cli(["--gt", multiGt, "--dt", multiDt, "--compat", "tide", "--json"]);
    const r = JSON.parse(out);
    expect(Object.keys(r)).toEqual(["ap50", "dAP", "special"]);
    expect(Object.keys(r.dAP)).toEqual(["Cls", "Loc", "Both", "Dupe", "Bkg", "Miss"]);
    expect(Object.keys(r.special)).toEqual(["FalsePos", "FalseNeg"]);
    const want = { ap50: multiAp, Cls: 200 / 3 - multiAp, Loc: (cat1 + 200) / 3 - multiAp, FalsePos: 200 / 3 - multiAp };
    expect(Math.abs(r.ap50 - want.ap50)).toBeLessThan(TOL);
    expect(Math.abs(r.dAP.Cls - want.Cls)).toBeLessThan(TOL);
    expect(Math.abs(r.dAP.Loc - want.Loc)).toBeLessThan(TOL);
    expect([r.dAP.Both, r.dAP.Dupe, r.dAP.Bkg, r.dAP.Miss, r.special.FalseNeg]).toEqual([0, 0, 0, 0, 0]);
    expect(Math.abs(r.special.FalsePos - want.FalsePos)).toBeLessThan(TOL);
  });

  it("prints a readable table without --json", async () => {
    const { out } = await cli(["--gt", multiGt, "--dt", multiDt, "--compat", "tide"]);
    expect(out).toMatch(/tidecv 1\.0\.1 compatible/);
    expect(out).toMatch(/2 images, 4 GT, 5 detections/);
    expect(out).toContain(`bbox AP @ 50: ${multiAp.toFixed(2)}`);
    expect(out).toMatch(/Main errors\s+Cls\s+Loc\s+Both\s+Dupe\s+Bkg\s+Miss/);
    expect(out).toMatch(/dAP\s+5\.50\s+33\.33\s+0\.00\s+0\.00\s+0\.00\s+0\.00/);
    expect(out).toMatch(/count\s+1\s+1\s+0\s+0\s+0\s+0/);
    expect(out).toMatch(/Special errors\s+FalsePos\s+FalseNeg\n\s+dAP\s+5\.50\s+0\.00/);
  });
});

describe("dealkit errors without --compat (pycocotools-consistent)", () => {
  // g0 cat 1 found by d0 (.9); d1 .8 has category 9, which the GT does not list.
  // pycocotools drops d1 (with a warning): cat 1 [TP] -> AP 100, nothing to fix.
  // TIDE evaluates category 9: AP 0 with no GT, in the mean -> 50; the Bkg fix removes it -> +50.
  const gt = write("unlisted-gt.json", { images: imgs(1), categories: cats(1), annotations: [ann(1, 1, 1, [0, 0, 10, 10])] });
  const dt = write("unlisted-dt.json", [det(1, 1, [0, 0, 10, 10], 0.9), det(1, 9, [50, 50, 10, 10], 0.8)]);

  it("differs from TIDE on a category the GT does not list, and warns on stderr", async () => {
    const def = await cli(["--gt", gt, "--dt", dt, "--json"]);
    expect(JSON.parse(def.out)).toEqual({ ap50: 100, dAP: { Cls: 0, Loc: 0, Both: 0, Dupe: 0, Bkg: 0, Miss: 0 }, special: { FalsePos: 0, FalseNeg: 0 } });
    expect(def.err).toMatch(/warning: .*1 detection\(s\) have a category not listed/);
    const tide = await cli(["--gt", gt, "--dt", dt, "--compat", "tide", "--json"]);
    expect(JSON.parse(tide.out)).toEqual({ ap50: 50, dAP: { Cls: 0, Loc: 0, Both: 0, Dupe: 0, Bkg: 50, Miss: 0 }, special: { FalsePos: 0, FalseNeg: 0 } });
    expect(tide.err).toBe("");
    expect((await cli(["--gt", gt, "--dt", dt])).out).toMatch(/pycocotools-consistent[\s\S]*bbox AP @ 50: 100\.00/);
  });

  it("gives the pycocotools-consistent numbers of the multi-category scene", () => {
    // The same matches as TIDE here: AP (cat1 + 0 + 100) / 3, and the same fixes (dealkit's AP in [0, 1] * 100).
    const { report } = runErrorsCommand({ gt: multiGt, dt: multiDt });
    expect(Math.abs(report.ap50 - multiAp)).toBeLessThan(1e-9);
    expect(Math.abs(report.dAP.Loc - ((cat1 + 200) / 3 - multiAp))).toBeLessThan(1e-9);
    expect(report.counts).toEqual({ Cls: 1, Loc: 1, Both: 0, Dupe: 0, Bkg: 0, Miss: 0 });
  });

  it("prints null where a value is undefined (no GT at all)", async () => {
    const f = write("empty-gt.json", { images: imgs(1), categories: cats(1), annotations: [] });
    const r = JSON.parse((await cli(["--gt", f, "--dt", write("empty-dt.json", []), "--compat", "tide", "--json"])).out);
    expect(r.ap50).toBeNull();
  });
});

describe("dealkit errors: bad input names the file, record and field", () => {
  const gt = write("gt.json", { images: imgs(1), categories: cats(1), annotations: [ann(1, 1, 1, [0, 0, 10, 10])] });
  const dtOk = write("dt.json", [det(1, 1, [0, 0, 10, 10], 0.9)]);

  async function inputError(args: string[]): Promise<DealkitInputError> {
    const err = await cli(args).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(DealkitInputError);
    return err as DealkitInputError;
  }

  for (const compat of [[], ["--compat", "tide"]]) {
    const mode = compat.length ? "tide" : "default";
    it(`${mode}: a missing file, malformed JSON, an unknown image id, a bad bbox`, async () => {
      const missing = path.join(tmp, "nope.json");
      expect((await inputError(["--gt", missing, "--dt", dtOk, ...compat])).message).toBe(`${missing}: cannot read the file (ENOENT)`);
      const bad = write("bad.json", "[{\"image_id\": 1,");
      const e1 = await inputError(["--gt", gt, "--dt", bad, ...compat]);
      expect([e1.file, e1.message]).toEqual([bad, expect.stringMatching(/malformed JSON/)]);
      const unknown = write("unknown.json", [det(1, 1, [0, 0, 1, 1], 0.5), det(7, 1, [0, 0, 1, 1], 0.5)]);
      const e2 = await inputError(["--gt", gt, "--dt", unknown, ...compat]);
      expect([e2.file, e2.record, e2.field]).toEqual([unknown, "detection #1", "image_id"]);
      expect(e2.message).toMatch(/image_id 7 is not an image of the ground truth/);
      const box = write("box.json", [{ image_id: 1, category_id: 1, bbox: [0, 0, 1], score: 0.5 }]);
      expect((await inputError(["--gt", gt, "--dt", box, ...compat])).field).toBe("bbox");
    });
  }

  it("tide: an annotation of an image not listed in images", async () => {
    const g = write("gt-orphan.json", { images: imgs(1), categories: cats(1), annotations: [ann(1, 1, 1, [0, 0, 10, 10]), ann(5, 3, 1, [0, 0, 5, 5])] });
    const e = await inputError(["--gt", g, "--dt", dtOk, "--compat", "tide"]);
    expect([e.file, e.record, e.field]).toEqual([g, "annotation #1 (id 5)", "image_id"]);
  });

  it("an unknown --compat value lists the valid ones", async () => {
    await expect(cli(["--gt", gt, "--dt", dtOk, "--compat", "coco"])).rejects.toThrow(DealkitConfigError);
    await expect(cli(["--gt", gt, "--dt", dtOk, "--compat", "coco"])).rejects.toThrow(/--compat must be one of "tide"; got "coco"/);
  });

  it("the installed command exits non-zero with the message and no stack trace", () => {
    const bin = path.resolve(__dirname, "../../bin/dealkit.cjs");
    const unknown = write("unknown2.json", [det(7, 1, [0, 0, 1, 1], 0.5)]);
    const r = spawnSync(process.execPath, [bin, "errors", "--gt", gt, "--dt", unknown, "--compat", "tide"], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`dealkit: ${unknown}: detection #0: field "image_id": image_id 7 is not an image of the ground truth (${gt})`);
    expect(r.stdout).toBe("");
  });
});
