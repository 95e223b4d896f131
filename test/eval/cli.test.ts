import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { Command } from "commander";
import { afterAll, describe, expect, it, vi } from "vitest";
import { register } from "../../src/cli/commands/eval.js";
import { DealkitInputError } from "../../src/util/errors.js";
import { cleanLabel, fixtureCases } from "./fixtures.js";

const TOL = 1e-9;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-eval-cli-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs `dealkit eval ...args` in process through commander and returns what it printed. */
async function cli(args: string[]): Promise<string> {
  const program = new Command();
  program.exitOverride();
  register(program);
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(["eval", ...args], { from: "user" });
  } finally {
    spy.mockRestore();
  }
  return out;
}

function compare(stats: Record<string, number>, labels: string[], values: number[], what: string, skip = (_l: string) => false) {
  labels.forEach((raw, i) => {
    const l = cleanLabel(raw);
    if (skip(l)) return;
    const got = stats[l];
    if (typeof got !== "number" || Math.abs(got - values[i]!) > TOL) throw new Error(`${what} ${l}: got ${got}, expected ${values[i]}`);
  });
}

describe("dealkit eval (CLI) on the fixtures", () => {
  for (const c of fixtureCases()) {
    it(`${c.name}: coco, class-agnostic, custom aitod ranges, aitod protocol`, async () => {
      const e = c.expected;
      const def = JSON.parse(await cli(["--gt", c.gtFile, "--dt", c.dtFile, "--json", "--per-category"]));
      compare(def.stats, e.stats_default_labels, e.stats_default, "default");
      for (const [k, v] of Object.entries(e.per_category_ap as Record<string, number>)) expect(Math.abs(def.perCategory[k] - v)).toBeLessThanOrEqual(TOL);

      const agn = JSON.parse(await cli(["--gt", c.gtFile, "--dt", c.dtFile, "--class-agnostic", "--json"]));
      compare(agn.stats, e.stats_default_agnostic_labels, e.stats_default_agnostic, "agnostic");

      const p = e.params.aitod;
      const ranges = p.areaRngLbl.map((l: string, i: number) => `${l}:${p.areaRng[i][0]}:${p.areaRng[i][1]}`).join(",");
      const cus = JSON.parse(await cli(["--gt", c.gtFile, "--dt", c.dtFile, "--protocol", "custom", "--area-ranges", ranges,
        "--max-dets", p.maxDets.join(","), "--json", "--per-category"]));
      compare(cus.stats, e.stats_aitod_labels, e.stats_aitod, "custom aitod");
      for (const [k, v] of Object.entries(e.per_category_ap_aitod as Record<string, number>)) expect(Math.abs(cus.perCategory[k] - v)).toBeLessThanOrEqual(TOL);

      const off = JSON.parse(await cli(["--gt", c.gtFile, "--dt", c.dtFile, "--protocol", "aitod", "--json"]));
      compare(off.stats, e.stats_aitod_official_labels, e.stats_aitod_official, "aitod");
    }, 600_000);
  }

  it("reads .json.gz inputs", async () => {
    const c = fixtureCases()[0]!;
    const gz = (f: string, name: string) => {
      const to = path.join(tmp, name);
      fs.writeFileSync(to, zlib.gzipSync(fs.readFileSync(f)));
      return to;
    };
    const out = JSON.parse(await cli(["--gt", gz(c.gtFile, "gt.json.gz"), "--dt", gz(c.dtFile, "dt.json.gz"), "--json"]));
    compare(out.stats, c.expected.stats_default_labels, c.expected.stats_default, "gz");
  });

  it("accepts list and JSON spellings of the parameters", async () => {
    const c = fixtureCases()[0]!;
    const e = c.expected;
    const p = e.params.aitod;
    const json = JSON.stringify(Object.fromEntries(p.areaRngLbl.map((l: string, i: number) => [l, p.areaRng[i]])));
    const out = JSON.parse(await cli(["--gt", c.gtFile, "--dt", c.dtFile, "--protocol", "custom", "--area-ranges", json,
      "--max-dets", ...p.maxDets.map(String), "--iou-thrs", "0.5:0.95:0.05", "--json"]));
    compare(out.stats, e.stats_aitod_labels, e.stats_aitod, "spellings");
    expect(out.params.iouThrs).toEqual(e.params.iouThrs);
    const p2 = JSON.parse(await cli(["--gt", c.gtFile, "--dt", c.dtFile, "--protocol", "p2sod", "--json"]));
    expect(p2.params.useCats).toBe(false);
    expect(Object.keys(p2.stats)).toContain("AP@.25|all|1500");
    await expect(cli(["--gt", c.gtFile, "--dt", c.dtFile, "--protocol", "voc"])).rejects.toThrow(/"coco", "aitod", "p2sod", "custom"/);
    await expect(cli(["--gt", c.gtFile, "--dt", c.dtFile, "--max-dets", "0"])).rejects.toThrow(/maxDets/);
  });

  it("prints a readable summary without --json", async () => {
    const c = fixtureCases()[0]!;
    const text = await cli(["--gt", c.gtFile, "--dt", c.dtFile]);
    expect(text).toContain("AP@[.50:.95]|all|100");
  });
});

describe("dealkit eval: bad input names the file and the record", () => {
  const gt = {
    images: [{ id: 1, width: 100, height: 100 }, { id: 2, width: 100, height: 100 }],
    categories: [{ id: 1, name: "a" }],
    annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [10, 10, 5, 5], area: 25, iscrowd: 0 }],
  };
  const gtFile = path.join(tmp, "gt-small.json");
  fs.writeFileSync(gtFile, JSON.stringify(gt));
  const det = (o: Record<string, unknown>) => ({ image_id: 1, category_id: 1, bbox: [10, 10, 5, 5], score: 0.9, ...o });

  async function expectInputError(dtText: string, pattern: RegExp, field?: string) {
    const dtFile = path.join(tmp, "dt-bad.json");
    fs.writeFileSync(dtFile, dtText);
    const err = await cli(["--gt", gtFile, "--dt", dtFile, "--json"]).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(DealkitInputError);
    expect((err as Error).message).toMatch(pattern);
    expect((err as DealkitInputError).file).toBe(dtFile);
    if (field) expect((err as DealkitInputError).field).toBe(field);
  }

  it("malformed JSON", () => expectInputError("[{\"image_id\": 1,", /malformed JSON/));
  it("a detection for an image not in the GT", () =>
    expectInputError(JSON.stringify([det({}), det({ image_id: 7 })]), /detection #1: field "image_id": image_id 7/, "image_id"));
  it("a NaN (null) score", () => expectInputError(JSON.stringify([det({}), det({}), det({ score: null })]), /detection #2: field "score"/, "score"));
  it("a string score", () => expectInputError(JSON.stringify([det({ score: "NaN" })]), /detection #0: field "score"/, "score"));
  it("a negative size", () => expectInputError(JSON.stringify([det({ bbox: [1, 1, -2, 3] })]), /detection #0: field "bbox": width and height/, "bbox"));
  it("a missing field", () => expectInputError(JSON.stringify([{ image_id: 1, category_id: 1, score: 0.5 }]), /detection #0: field "bbox": missing/, "bbox"));
  it("not an array", () => expectInputError(JSON.stringify({ foo: 1 }), /JSON array/));

  it("bad GT: duplicate annotation ids, missing images", async () => {
    const bad = path.join(tmp, "gt-bad.json");
    fs.writeFileSync(bad, JSON.stringify({ ...gt, annotations: [...gt.annotations, { ...gt.annotations[0] }] }));
    await expect(cli(["--gt", bad, "--dt", gtFile])).rejects.toThrow(/annotation #1 \(id 1\): field "id": duplicate/);
    fs.writeFileSync(bad, JSON.stringify({ annotations: [], categories: [] }));
    await expect(cli(["--gt", bad, "--dt", gtFile])).rejects.toThrow(/field "images": missing/);
  });
});
