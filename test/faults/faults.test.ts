/**
 * Fault injection: the dealkit CLI (compiled, as users run it) is killed with SIGKILL just before one of its file
 * writes, renames or removals (test/faults/kill-at.cjs counts them), at points spread over the whole run. After
 * each crash the output must be the previous complete one (absent while a swap was under way, or the new one
 * complete when killed after the last rename), never a mix,
 * and the next run must finish with exactly the output of an uninterrupted run, leaving no temp files.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { goodCoco, json, png } from "../corpus/files.js";
import { writeMicroCheckpoint } from "../recipes/fixtures.js";

const ROOT = path.resolve(__dirname, "..", "..");
const BIN = path.join(ROOT, "bin", "dealkit.cjs");
const PRELOAD = path.join(__dirname, "kill-at.cjs");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-faults-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** Runs the CLI; `at` kills it before that write (0: never); returns the exit status, signal and the writes counted. */
function dealkit(args: string[], under: string, at = 0): { status: number | null; signal: string | null; out: string; writes: number } {
  if (!fs.existsSync(path.join(ROOT, "dist", "cli", "main.js"))) throw new Error("dist/ is missing: run npm run build (npm test does)");
  const count = path.join(work, `count-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const r = spawnSync(process.execPath, ["-r", PRELOAD, BIN, ...args], {
    encoding: "utf8",
    timeout: 600_000,
    env: { ...process.env, DEALKIT_FAULT_UNDER: under, DEALKIT_FAULT_AT: String(at), DEALKIT_FAULT_COUNT: count, DEALKIT_BACKEND: "cpu" },
  });
  const writes = fs.existsSync(count) ? Number(fs.readFileSync(count, "utf8")) : -1;
  fs.rmSync(count, { force: true });
  return { status: r.status, signal: r.signal, out: `${r.stdout}\n${r.stderr}`, writes };
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

/** Up to `k` kill points spread over 1..total, always with the first and the last three (the renames). */
function points(total: number, k: number): number[] {
  const s = new Set([1, Math.max(1, total - 2), Math.max(1, total - 1), total]);
  for (let i = 1; s.size < Math.min(k, total); i++) s.add(Math.max(1, Math.round((i * total) / (k - 3))));
  return [...s].filter((p) => p >= 1 && p <= total).sort((a, b) => a - b);
}

/**
 * The shared protocol: `prev` is the complete previous output (copied into a fresh case folder), `run` writes
 * the new one; for each kill point the folder holds the previous output or none, and a rerun gives `next`.
 */
function crashAndRerun(name: string, target: string, setup: (caseDir: string) => void, args: (caseDir: string) => string[], k: number): void {
  const ref = path.join(work, `${name}-ref`);
  setup(ref);
  const prev = snapshot(path.join(ref, target));
  const full = dealkit(args(ref), ref);
  expect(full.status, full.out).toBe(0);
  const next = snapshot(path.join(ref, target));
  expect(next).not.toEqual(prev);
  expect(full.writes).toBeGreaterThan(2);
  for (const at of points(full.writes, k)) {
    const d = path.join(work, `${name}-at-${at}`);
    setup(d);
    const crashed = dealkit(args(d), d, at);
    expect(crashed.signal, `kill point ${at}: ${crashed.out}`).toBe("SIGKILL");
    // Temp files (name.tmp-<pid>-*) are never read by dealkit; the rest must be the previous output whole, or
    // (killed after the last rename, before the old copy was removed) the new one whole, or absent mid-swap.
    const after = snapshot(path.join(d, target));
    const kept = after && Object.fromEntries(Object.entries(after).filter(([f]) => !/\.tmp-\d+-/.test(f)));
    if (kept !== null) expect([JSON.stringify(prev), JSON.stringify(next)], `kill point ${at} of ${full.writes}: a mix of old and new output`).toContain(JSON.stringify(kept));
    const again = dealkit(args(d), d);
    expect(again.status, `rerun after kill point ${at}: ${again.out}`).toBe(0);
    expect(snapshot(path.join(d, target)), `rerun after kill point ${at}`).toEqual(next);
    expect(fs.readdirSync(d).filter((f) => /\.(tmp|old)-/.test(f)), `temps left after the rerun (kill point ${at})`).toEqual([]);
  }
}

describe("kill -9 at the writes of each writer", () => {
  it("generate: the previous TinySet-mini folder survives whole, the rerun completes", () => {
    const gen = (seed: number) => (d: string) => ["generate", "--out", path.join(d, "ts"), "--scale", "tiny", "--image-size", "32", "--seed", String(seed)];
    const base = path.join(work, "gen-base");
    expect(dealkit(gen(0)(base), base).status).toBe(0);
    crashAndRerun("gen", "ts", (d) => fs.cpSync(path.join(base, "ts"), path.join(d, "ts"), { recursive: true }), gen(1), 5);
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
      (d) => ["convert", "--from", "coco", "--to", "yolo", path.join(src, "second.json"), path.join(d, "out")], 5);
  }, 3_600_000);

  it("predict: the previous results file survives whole, the rerun completes", async () => {
    const src = path.join(work, "pred-src");
    await png(src, "images/a.png");
    await png(src, "images/b.png");
    json(src, "gt.json", goodCoco());
    const ckpt = writeMicroCheckpoint(src);
    const predict = (threshold: string) => (d: string) => ["predict", "--model", ckpt, "--gt", path.join(src, "gt.json"), "--images", path.join(src, "images"),
      "--score-threshold", threshold, "--out", path.join(d, "res", "dt.json")];
    const base = path.join(work, "pred-base");
    expect(dealkit(predict("0.5")(base), base).status).toBe(0);
    crashAndRerun("pred", "res", (d) => fs.cpSync(path.join(base, "res"), path.join(d, "res"), { recursive: true }), predict("0"), 4);
  }, 3_600_000);

  it("train checkpoints: after a kill anywhere, --resume ends with the weights and log of an uninterrupted run", async () => {
    const src = path.join(work, "train-src");
    await png(src, "images/a.png");
    await png(src, "images/b.png");
    json(src, "gt.json", goodCoco());
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
    for (const at of points(full.writes, 5)) {
      const d = path.join(work, `train-at-${at}`);
      const crashed = dealkit(args(d), d, at);
      expect(crashed.signal, `kill point ${at}: ${crashed.out}`).toBe("SIGKILL");
      const resumed = dealkit(args(d, "--resume"), d);
      expect(resumed.status, `resume after kill point ${at} of ${full.writes}: ${resumed.out}`).toBe(0);
      expect(weights(d), `kill point ${at}`).toEqual(want);
      expect(logSteps(d), `kill point ${at}`).toEqual([1, 2, 3]);
      expect(fs.readdirSync(path.join(d, "ckpt")).filter((f) => f.includes(".tmp-")), `temps left (kill point ${at})`).toEqual([]);
    }
  }, 3_600_000);
});
