import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { runTrainCommand, type TrainCommandOptions } from "../../src/cli/commands/train.js";
import { DEFAULT_DECODER_ROUND } from "../../src/model/index.js";
import { DEAL_CLASS_PRIOR, DEAL_NOVEL_SCENES, DEAL_PIXEL_MATCH } from "../../src/recipes/index.js";
import { buildProgram } from "../../src/cli/main.js";
import { prepareTrainOut, truncateTrainLog } from "../../src/cli/train-run.js";
import { tmpFolder, writeMicroCheckpoint, writeSmallCoco } from "../recipes/fixtures.js";

const dir = tmpFolder("train-run");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("train --out", () => {
  it("refuses a file, an existing run without --resume/--force, and a folder of other files", () => {
    const file = path.join(dir, "a-file");
    fs.writeFileSync(file, "x");
    const log = path.join(dir, "x.jsonl");
    expect(() => prepareTrainOut(file, { log })).toThrow(`--out ${file} is a file; give a checkpoint folder`);
    const ckpt = writeMicroCheckpoint(path.join(dir, "existing"));
    expect(() => prepareTrainOut(ckpt, { log })).toThrow(/already holds a checkpoint \(step 0\); give --resume to continue it, or --force to start over/);
    expect(() => prepareTrainOut(ckpt, { log, resume: true, force: true })).toThrow("--resume and --force exclude each other");
    expect(prepareTrainOut(ckpt, { log, resume: true })!.step).toBe(0);
    const other = path.join(dir, "other");
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, "notes.txt"), "mine");
    expect(() => prepareTrainOut(other, { log })).toThrow(/is a folder with other files \(notes\.txt\)/);
    fs.writeFileSync(log, '{"step":1}\n');
    expect(prepareTrainOut(ckpt, { log, force: true })).toBeUndefined();
    expect(fs.readdirSync(ckpt)).toEqual([]);
    expect(fs.existsSync(log)).toBe(false);
    expect(() => prepareTrainOut(ckpt, { log: dir })).toThrow(/--log .* is a folder/);
  });

  it("cuts the log back to the resumed step, dropping a torn last line", () => {
    const log = path.join(dir, "cut.jsonl");
    fs.writeFileSync(log, [1, 2, 3, 4, 5].map((s) => JSON.stringify({ step: s, loss: 1 })).join("\n") + '\n{"step":6,"lo');
    truncateTrainLog(log, 3);
    expect(fs.readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l).step)).toEqual([1, 2, 3]);
  });
});

describe("train: SIGTERM checkpoints and exits 143; resume checks the run and continues the log", () => {
  it("runs, is stopped by SIGTERM, refuses mismatched resumes, and resumes", async () => {
    const { gt, images } = await writeSmallCoco(path.join(dir, "data"));
    const out = path.join(dir, "run");
    const log = `${out}-train-log.jsonl`;
    const args = ["--model", "deal", "--preset", "micro", "--gt", gt, "--images", images, "--steps", "6", "--seed", "1", "--batch", "1", "--checkpoint-every", "0", "--quiet", "--backend", "cpu", "--out", out];
    // Send SIGTERM once the first step is logged (the listener of the command handles it; nothing is killed).
    const timer = setInterval(() => {
      if (fs.existsSync(log) && fs.readFileSync(log, "utf8").includes("\n")) {
        clearInterval(timer);
        process.emit("SIGTERM");
      }
    }, 5);
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const before = process.exitCode;
    try {
      await buildProgram({ inProcess: true }).parseAsync(["node", "dealkit", "train", ...args]);
      expect(process.exitCode).toBe(143);
      expect(String(stdout.mock.calls.at(-1)![0])).toMatch(/^interrupted \(SIGTERM\) at step \d+ .* \(continue with --resume\)/);
    } finally {
      clearInterval(timer);
      stdout.mockRestore();
      process.exitCode = before;
    }
    const m = JSON.parse(fs.readFileSync(path.join(out, "manifest.json"), "utf8"));
    expect(m.step).toBeGreaterThan(0);
    expect(m.step).toBeLessThan(6);
    expect(fs.readFileSync(log, "utf8").trim().split("\n")).toHaveLength(m.step);

    const o: TrainCommandOptions = {
      model: "deal", preset: "micro", gt, images, steps: 6, seed: 1, batch: 1, lr: 0.002, prompting: "pgcpp", cycles: 1,
      checkpointEvery: 0, quiet: true, backend: "cpu", out,
    };
    await expect(runTrainCommand(o)).rejects.toThrow(/already holds a checkpoint .*--resume/);
    await expect(runTrainCommand({ ...o, resume: true, seed: 2 })).rejects.toThrow(/trained with seed 1, not 2/);
    await expect(runTrainCommand({ ...o, resume: true, steps: 30 })).rejects.toThrow(/trained with steps 6, not 30/);
    await expect(runTrainCommand({ ...o, resume: true, novelObjects: 0.25 })).rejects.toThrow(/trained with novelObjects 0.5, not 0.25/);
    await expect(runTrainCommand({ ...o, resume: true, novelScenes: 0.5 })).rejects.toThrow(new RegExp(`trained with novelScenes ${DEAL_NOVEL_SCENES}, not 0.5`));
    const otherRound = DEFAULT_DECODER_ROUND === "first" ? "last" : "first";
    await expect(runTrainCommand({ ...o, resume: true, decoderRound: otherRound })).rejects.toThrow(new RegExp(`trained with decoderRound "${DEFAULT_DECODER_ROUND}", not "${otherRound}"`));
    await expect(runTrainCommand({ ...o, resume: true, classPrior: !DEAL_CLASS_PRIOR })).rejects.toThrow(new RegExp(`trained with classPrior ${DEAL_CLASS_PRIOR}, not ${!DEAL_CLASS_PRIOR}`));
    await expect(runTrainCommand({ ...o, model: "baseline", classPrior: true })).rejects.toThrow(/--class-prior applies to --model deal only/);
    await expect(runTrainCommand({ ...o, resume: true, pixelMatch: !DEAL_PIXEL_MATCH })).rejects.toThrow(new RegExp(`trained with pixelMatch ${DEAL_PIXEL_MATCH}, not ${!DEAL_PIXEL_MATCH}`));
    await expect(runTrainCommand({ ...o, model: "baseline", pixelMatch: true })).rejects.toThrow(/--pixel-match applies to --model deal only/);
    await expect(runTrainCommand({ ...o, resume: true, preset: "tiny" })).rejects.toThrow(/trained with preset "micro", not "tiny"/);
    await expect(runTrainCommand({ ...o, resume: true, images: dir })).rejects.toThrow(/trained with data\.images ".*\/data\/images", not ".*"; resume with the same data\.images/);
    fs.appendFileSync(log, JSON.stringify({ step: 999, loss: 0 }) + "\n"); // a row past the checkpoint
    const r = await runTrainCommand({ ...o, resume: true });
    expect(r.step).toBe(6);
    expect(r.signal).toBeUndefined();
    expect(fs.readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l).step)).toEqual(Array.from({ length: 6 }, (_, i) => i + 1));
  }, 1_200_000);
});
