import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CommanderError } from "commander";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { tf } from "../../src/backend/tf.js";
import { buildProgram } from "../../src/cli/main.js";
import { CORPUS, type CorpusCase } from "./cases.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-corpus-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** What the user would see: "usage" (commander refused), "error" (refused, or exit code 1), "ok", or "internal" (a bug). */
async function run(c: CorpusCase, d: string): Promise<{ outcome: string; text: string }> {
  const args = c.args.map((a) => a.replaceAll("{d}", d));
  let out = "";
  const capture = (s: string | Uint8Array) => { out += String(s); return true; };
  const so = vi.spyOn(process.stdout, "write").mockImplementation(capture as never);
  const se = vi.spyOn(process.stderr, "write").mockImplementation(capture as never);
  const exitBefore = process.exitCode;
  process.exitCode = undefined;
  try {
    await buildProgram({ inProcess: true, output: { writeOut: capture, writeErr: capture } }).parseAsync(["node", "dealkit", ...args]);
    return { outcome: process.exitCode ? "error" : "ok", text: out };
  } catch (err) {
    if (err instanceof CommanderError) return { outcome: "usage", text: `${out}\n${err.message}` };
    const e = err as Error;
    const known = e?.name === "DealkitInputError" || e?.name === "DealkitConfigError";
    // As bin/dealkit.cjs prints it: the message only; an unknown error class is a bug even with a good text.
    return { outcome: known ? "error" : "internal", text: `${out}\ndealkit: ${e?.message}\n[${e?.name}]` };
  } finally {
    so.mockRestore();
    se.mockRestore();
    process.exitCode = exitBefore;
  }
}

const INTERNAL = /TypeError|ReferenceError|RangeError|SyntaxError: |Cannot read propert|Maximum call stack|RuntimeError|memory access out of bounds|\n\s+at .+:\d+:\d+/;

describe("the bad-input corpus", () => {
  it("has at least 80 cases with unique ids, across every command that reads input", () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(80);
    expect(new Set(CORPUS.map((c) => c.id)).size).toBe(CORPUS.length);
    const commands = new Set(CORPUS.map((c) => c.args[0]));
    for (const cmd of ["train", "predict", "studio", "generate", "ablate", "reproduce", "validate", "convert", "eval", "errors"]) expect(commands, cmd).toContain(cmd);
  });

  for (const c of CORPUS) {
    it(`${c.id}: ${c.expect}`, async () => {
      const d = path.join(root, c.id);
      fs.mkdirSync(d, { recursive: true });
      await c.setup?.(d);
      const { outcome, text } = await run(c, d);
      expect(text, "an internal message reached the user").not.toMatch(INTERNAL);
      expect(outcome, text).toBe(c.expect);
      for (const w of c.words) expect(text, `missing "${w}"`).toContain(w.replaceAll("{d}", d));
    });
  }
});
