/**
 * Fault injection: the dealkit CLI (compiled, as users run it) is killed with SIGKILL just before one of its file
 * writes, renames, removals or fsyncs (test/faults/kill-at.cjs counts and logs them). A reference run lists every
 * such point of the writer; the test kills at each of them (see {@link points} for writers with very many). After
 * each crash the output must be the previous complete one (absent while a swap was under way, or the new one
 * complete when killed after the last rename), never a mix, and the next run must finish with exactly the output
 * of an uninterrupted run, leaving no temp files.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cocoSet, goodCoco, goodDt, json, png } from "../corpus/files.js";
import { writeMicroCheckpoint } from "../recipes/fixtures.js";

const ROOT = path.resolve(__dirname, "..", "..");
const BIN = path.join(ROOT, "bin", "dealkit.cjs");
const PRELOAD = path.join(__dirname, "kill-at.cjs");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-faults-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** One counted operation of a run: its number (1-based), the fs call and the path relative to the case folder. */
interface FaultOp {
  n: number;
  call: string;
  file: string;
}

/** A process to run under the preload: the dealkit CLI by default, or a node script (`script`). */
type Runner = { script?: string };

/**
 * Runs the CLI (or `runner.script`); `at` kills it before that operation (0: never); returns the exit status,
 * signal, output and the operations counted (with their log).
 */
function dealkit(args: string[], under: string, at = 0, runner: Runner = {}): { status: number | null; signal: string | null; out: string; writes: number; ops: FaultOp[] } {
  if (!fs.existsSync(path.join(ROOT, "dist", "cli", "main.js"))) throw new Error("dist/ is missing: run npm run build (npm test does)");
  const tag = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  const count = path.join(work, `count-${tag}`);
  const log = path.join(work, `log-${tag}`);
  const r = spawnSync(process.execPath, ["-r", PRELOAD, runner.script ?? BIN, ...args], {
    encoding: "utf8",
    timeout: 600_000,
    env: { ...process.env, DEALKIT_FAULT_UNDER: under, DEALKIT_FAULT_AT: String(at), DEALKIT_FAULT_COUNT: count, DEALKIT_FAULT_LOG: log, DEALKIT_BACKEND: "cpu" },
  });
  const writes = fs.existsSync(count) ? Number(fs.readFileSync(count, "utf8")) : -1;
  const ops = fs.existsSync(log)
    ? fs.readFileSync(log, "utf8").split("\n").filter(Boolean).map((l) => {
        const [n, call, ...file] = l.split(" ");
        return { n: Number(n), call: call!, file: file.join(" ") };
      })
    : [];
  fs.rmSync(count, { force: true });
  fs.rmSync(log, { force: true });
  return { status: r.status, signal: r.signal, out: `${r.stdout}\n${r.stderr}${r.error ? `\n(spawn: ${r.error.message})` : ""}`, writes, ops };
}

/** Every file under `dir` (relative path -> SHA-256); null when `dir` does not exist. */
function snapshot(dir: string): Record<string, string> | null {
  if (!fs.existsSync(dir)) return null;
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out[r] = createHash("sha256").update(fs.readFileSync(path.join(dir, r))).digest("hex");
    }
  };
  walk("");
  return Object.fromEntries(Object.entries(out).sort());
}

/** Writers with at most this many operations are killed at every one of them. */
const ALL_POINTS_UP_TO = 60;
const DATA_CALLS = new Set(["writeFileSync", "writeSync", "appendFileSync"]);

/**
 * The kill points of a run: every operation when there are at most {@link ALL_POINTS_UP_TO}; otherwise every
 * operation that is not a plain data write (every mkdir, rename, removal, copy and fsync) plus every operation on
 * the first and the last file written (the many image files of a data set between them are written the same way,
 * into the same temp folder, so killing before each of them tests nothing new).
 */
function points(ops: readonly FaultOp[]): number[] {
  if (ops.length <= ALL_POINTS_UP_TO) return ops.map((o) => o.n);
  const data = ops.filter((o) => DATA_CALLS.has(o.call));
  const first = data[0]?.file;
  const last = data[data.length - 1]?.file;
  return ops.filter((o) => !DATA_CALLS.has(o.call) || o.file === first || o.file === last).map((o) => o.n);
}

/**
 * The shared protocol: `prev` is the complete previous output (copied into a fresh case folder), `run` writes
 * the new one; for each kill point the folder holds the previous output or none, and a rerun gives `next`.
 * `mixed`, when given, is called for a state that is neither: it must show that readers refuse it.
 */
function crashAndRerun(
  name: string,
  target: string,
  setup: (caseDir: string) => void,
  args: (caseDir: string) => string[],
  o: { runner?: Runner; mixed?: (caseDir: string, at: number) => void; minPoints?: number; view?: (s: Record<string, string>) => unknown } = {},
): number[] {
  const ref = path.join(work, `${name}-ref`);
  setup(ref);
  const look = (dir: string): Record<string, string> | null => {
    const s = snapshot(dir);
    return s && o.view ? (o.view(s) as Record<string, string>) : s;
  };
  const prev = look(path.join(ref, target));
  const full = dealkit(args(ref), ref, 0, o.runner);
  expect(full.status, full.out).toBe(0);
  const next = look(path.join(ref, target));
  expect(next).not.toEqual(prev);
  expect(full.writes).toBe(full.ops.length);
  expect(full.writes).toBeGreaterThanOrEqual(o.minPoints ?? 3);
  const at = points(full.ops);
  for (const k of at) {
    const d = path.join(work, `${name}-at-${k}`);
    setup(d);
    const crashed = dealkit(args(d), d, k, o.runner);
    expect(crashed.signal, `kill point ${k}: ${crashed.out}`).toBe("SIGKILL");
    // Temp files (name.tmp-<pid>-*) are never read by dealkit; the rest must be the previous output whole, or
    // (killed after the last rename, before the old copy was removed) the new one whole, or absent mid-swap.
    const after = snapshot(path.join(d, target));
    const kept0 = after && Object.fromEntries(Object.entries(after).filter(([f]) => !/\.(tmp|old)-\d+-/.test(f)));
    const kept = kept0 && o.view ? o.view(kept0) : kept0;
    const whole = kept === null || [JSON.stringify(prev), JSON.stringify(next)].includes(JSON.stringify(kept));
    if (!whole && o.mixed) o.mixed(d, k);
    else if (kept !== null) expect([JSON.stringify(prev), JSON.stringify(next)], `kill point ${k} of ${full.writes} (${full.ops[k - 1]?.call} ${full.ops[k - 1]?.file}): a mix of old and new output`).toContain(JSON.stringify(kept));
    const again = dealkit(args(d), d, 0, o.runner);
    expect(again.status, `rerun after kill point ${k}: ${again.out}`).toBe(0);
    expect(look(path.join(d, target)), `rerun after kill point ${k}`).toEqual(next);
    const temps = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /\.(tmp|old)-/.test(f)) : []);
    expect([...temps(d), ...temps(path.join(d, target))], `temps left after the rerun (kill point ${k})`).toEqual([]);
    fs.rmSync(d, { recursive: true, force: true });
  }
  return at;
}

describe("kill -9 at the writes of each writer", () => {
  it("generate: the previous TinySet-mini folder survives whole, the rerun completes", () => {
    const gen = (seed: number) => (d: string) => ["generate", "--out", path.join(d, "ts"), "--scale", "tiny", "--image-size", "32", "--seed", String(seed)];
    const base = path.join(work, "gen-base");
    expect(dealkit(gen(0)(base), base).status).toBe(0);
    crashAndRerun("gen", "ts", (d) => fs.cpSync(path.join(base, "ts"), path.join(d, "ts"), { recursive: true }), gen(1));
  }, 3_600_000);

  it("convert --to yolo: the previous labels and classes.txt survive together, the rerun completes", async () => {
    const src = path.join(work, "conv-src");
    await png(src, "images/a.png");
    await png(src, "images/b.png");
    const first = goodCoco();
    const second = goodCoco();
    second.categories.push({ id: 3, name: "bus" });
    second.annotations[2].category_id = 3;
    json(src, "first.json", first);
    json(src, "second.json", second);
    const base = path.join(work, "conv-base");
    expect(dealkit(["convert", "--from", "coco", "--to", "yolo", path.join(src, "first.json"), path.join(base, "out")], base).status).toBe(0);
    crashAndRerun("conv", "out", (d) => fs.cpSync(path.join(base, "out"), path.join(d, "out"), { recursive: true }),
      (d) => ["convert", "--from", "coco", "--to", "yolo", path.join(src, "second.json"), path.join(d, "out")]);
  }, 3_600_000);

  it("predict: the previous results file survives whole, the rerun completes", async () => {
    const src = path.join(work, "pred-src");
    await cocoSet(src);
    const ckpt = writeMicroCheckpoint(src);
    const predict = (threshold: string) => (d: string) => ["predict", "--model", ckpt, "--gt", path.join(src, "gt.json"), "--images", path.join(src, "images"),
      "--score-threshold", threshold, "--out", path.join(d, "res", "dt.json")];
    const base = path.join(work, "pred-base");
    expect(dealkit(predict("0.5")(base), base).status).toBe(0);
    crashAndRerun("pred", "res", (d) => fs.cpSync(path.join(base, "res"), path.join(d, "res"), { recursive: true }), predict("0"));
  }, 3_600_000);

  it("convert --to coco: the previous COCO file survives whole, the rerun completes", () => {
    const src = path.join(work, "coco-src");
    const second = goodCoco();
    second.categories.push({ id: 3, name: "bus" });
    second.annotations[2].category_id = 3;
    json(src, "first.json", goodCoco());
    json(src, "second.json", second);
    const base = path.join(work, "coco-base");
    expect(dealkit(["convert", "--from", "coco", "--to", "coco", path.join(src, "first.json"), path.join(base, "res", "gt.json")], base).status).toBe(0);
    crashAndRerun("coco", "res", (d) => fs.cpSync(path.join(base, "res"), path.join(d, "res"), { recursive: true }),
      (d) => ["convert", "--from", "coco", "--to", "coco", path.join(src, "second.json"), path.join(d, "res", "gt.json")]);
  }, 3_600_000);

  it("eval --out: the previous results file survives whole, the rerun completes", () => {
    const src = path.join(work, "eval-src");
    json(src, "gt.json", goodCoco());
    json(src, "dt.json", goodDt());
    const evalArgs = (protocol: string) => (d: string) => ["eval", "--gt", path.join(src, "gt.json"), "--dt", path.join(src, "dt.json"), "--protocol", protocol, "--out", path.join(d, "res", "ev.json")];
    const base = path.join(work, "eval-base");
    expect(dealkit(evalArgs("coco")(base), base).status).toBe(0);
    crashAndRerun("eval", "res", (d) => fs.cpSync(path.join(base, "res"), path.join(d, "res"), { recursive: true }), evalArgs("p2sod"));
  }, 3_600_000);

  it("predict on unannotated images: results and image list are the previous pair, the new pair, or refused", async () => {
    const src = path.join(work, "un-src");
    await png(src, "images/a.png");
    await png(src, "images/b.png");
    json(src, "clicks.json", { "a.png": [{ x: 10, y: 12, categoryId: 1 }], "b.png": [{ x: 20, y: 8, categoryId: 2 }] });
    const ckpt = writeMicroCheckpoint(src);
    const predict = (threshold: string) => (d: string) => ["predict", "--model", ckpt, "--images", path.join(src, "images"), "--clicks-file", path.join(src, "clicks.json"),
      "--score-threshold", threshold, "--out", path.join(d, "res", "dt.json")];
    const base = path.join(work, "un-base");
    expect(dealkit(predict("0.5")(base), base).status).toBe(0);
    let refused = 0;
    const at = crashAndRerun("un", "res", (d) => fs.cpSync(path.join(base, "res"), path.join(d, "res"), { recursive: true }), predict("0"), {
      // Killed between the two renames: new results beside the old list. Every reader of the pair refuses it.
      mixed: (d, k) => {
        for (const cmd of ["eval", "errors"]) {
          const r = dealkit([cmd, "--gt", path.join(d, "res", "dt.images.json"), "--dt", path.join(d, "res", "dt.json")], path.join(d, "none"));
          expect(r.status, `kill point ${k}, ${cmd}: ${r.out}`).toBe(1);
          expect(r.out, `kill point ${k}, ${cmd}`).toContain("is not the results file that dt.images.json was written with");
        }
        refused++;
      },
    });
    expect(at.length).toBeGreaterThan(6);
    expect(refused, "the kill points between the two files").toBeGreaterThan(0);
  }, 3_600_000);

  it("ablate --out: the previous summary survives whole, the rerun completes", async () => {
    const src = path.join(work, "abl-src");
    await cocoSet(src);
    const ckpt = writeMicroCheckpoint(src);
    const ablate = (seeds: string) => (d: string) => ["ablate", "--model", ckpt, "--gt", path.join(src, "gt.json"), "--images", path.join(src, "images"),
      "--seeds", seeds, "--max-images", "2", "--no-cache", "--out", path.join(d, "res", "ablation.csv")];
    const base = path.join(work, "abl-base");
    expect(dealkit(ablate("1")(base), base).status).toBe(0);
    crashAndRerun("abl", "res", (d) => fs.cpSync(path.join(base, "res"), path.join(d, "res"), { recursive: true }), ablate("2"));
  }, 3_600_000);

  it("reproduce's report folder: the previous report survives whole, the rerun completes", () => {
    const runner = { script: path.join(__dirname, "report.cjs") };
    const base = path.join(work, "rep-base");
    const first = dealkit([path.join(base, "report"), "first"], base, 0, runner);
    expect(first.status, first.out).toBe(0);
    // Every file is compared (the stand-in runner's times are fixed); index.html must be its own run's export.
    const view = (s: Record<string, string>) => ({ ...s, indexIsMain: Object.entries(s).some(([f, h]) => f.startsWith("notebooks/") && f.endsWith(".html") && h === s["index.html"]) });
    const at = crashAndRerun("rep", "report", (d) => fs.cpSync(path.join(base, "report"), path.join(d, "report"), { recursive: true }),
      (d) => [path.join(d, "report"), "second"], { runner, view });
    expect(at.length).toBeGreaterThan(3);
  }, 3_600_000);

  it("train checkpoints: after a kill anywhere, --resume ends with the weights and log of an uninterrupted run", async () => {
    const src = path.join(work, "train-src");
    await cocoSet(src);
    const args = (d: string, ...more: string[]) => ["train", "--model", "deal", "--preset", "micro", "--gt", path.join(src, "gt.json"), "--images", path.join(src, "images"),
      "--steps", "3", "--batch", "1", "--checkpoint-every", "1", "--quiet", "--out", path.join(d, "ckpt"), ...more];
    const ref = path.join(work, "train-ref");
    const full = dealkit(args(ref), ref);
    expect(full.status, full.out).toBe(0);
    const weights = (d: string) => {
      const m = JSON.parse(fs.readFileSync(path.join(d, "ckpt", "manifest.json"), "utf8"));
      return { step: m.step, sha: createHash("sha256").update(fs.readFileSync(path.join(d, "ckpt", m.weights.file))).digest("hex") };
    };
    const logSteps = (d: string) => fs.readFileSync(path.join(d, "ckpt-train-log.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l).step);
    const want = weights(ref);
    expect(logSteps(ref)).toEqual([1, 2, 3]);
    for (const at of points(full.ops)) {
      const d = path.join(work, `train-at-${at}`);
      const crashed = dealkit(args(d), d, at);
      expect(crashed.signal, `kill point ${at}: ${crashed.out}`).toBe("SIGKILL");
      const resumed = dealkit(args(d, "--resume"), d);
      expect(resumed.status, `resume after kill point ${at} of ${full.writes}: ${resumed.out}`).toBe(0);
      expect(weights(d), `kill point ${at}`).toEqual(want);
      expect(logSteps(d), `kill point ${at}`).toEqual([1, 2, 3]);
      expect(fs.readdirSync(path.join(d, "ckpt")).filter((f) => f.includes(".tmp-")), `temps left (kill point ${at})`).toEqual([]);
      fs.rmSync(d, { recursive: true, force: true });
    }
  }, 3_600_000);
});
