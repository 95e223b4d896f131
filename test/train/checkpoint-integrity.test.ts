import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tf } from "../../src/backend/tf.js";
import { createDetector } from "../../src/model/factory.js";
import { loadCheckpoint, loadOptimizerState, readManifest, saveCheckpoint } from "../../src/train/checkpoint.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-ckpt-integrity-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A fresh micro DEAL checkpoint folder (step 3, with optimizer state of the right shapes). */
function fresh(): string {
  const dir = path.join(root, `c${n++}`);
  const model = createDetector({ kind: "deal", preset: "micro", numClasses: 2, categoryIds: [] }, 3);
  const m: Record<string, Float32Array> = {}, v: Record<string, Float32Array> = {};
  for (const [name, t] of model.params.entries()) {
    m[name] = new Float32Array(t.size).fill(0.5);
    v[name] = new Float32Array(t.size).fill(0.25);
  }
  saveCheckpoint(dir, { model, step: 3, optimizer: { t: 3, m, v } });
  model.dispose();
  return dir;
}
const manifestOf = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
const writeManifest = (dir: string, m: unknown) => fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(m));

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("checkpoint integrity", () => {
  it("records the SHA-256 of each binary (checked here with node's crypto on the file bytes) and loads back", () => {
    const dir = fresh();
    const m = manifestOf(dir);
    const hash = (f: string) => createHash("sha256").update(fs.readFileSync(path.join(dir, f))).digest("hex");
    expect(m.weights.sha256).toBe(hash(m.weights.file));
    expect(m.optimizer.sha256).toBe(hash(m.optimizer.file));
    loadCheckpoint(dir).model.dispose();
    expect(loadOptimizerState(dir)!.t).toBe(3);
  });

  it("refuses a bit-flipped weights file, naming the file", () => {
    const dir = fresh();
    const file = path.join(dir, manifestOf(dir).weights.file);
    const buf = fs.readFileSync(file);
    buf[100] = buf[100]! ^ 0x01; // one low mantissa bit: still a finite float, the size unchanged
    fs.writeFileSync(file, buf);
    expect(() => loadCheckpoint(dir)).toThrow(/weights-0000003\.bin: content does not match the SHA-256/);
  });

  it("refuses a bit-flipped optimizer file", () => {
    const dir = fresh();
    const file = path.join(dir, manifestOf(dir).optimizer.file);
    const buf = fs.readFileSync(file);
    buf[7] = buf[7]! ^ 0x10;
    fs.writeFileSync(file, buf);
    expect(() => loadOptimizerState(dir)).toThrow(/optimizer-0000003\.bin: content does not match the SHA-256/);
  });

  it("accepts a checkpoint without hashes (saved before they were recorded), but refuses its non-finite weights", () => {
    const dir = fresh();
    const m = manifestOf(dir);
    delete m.weights.sha256;
    delete m.optimizer.sha256;
    writeManifest(dir, m);
    loadCheckpoint(dir).model.dispose();
    const file = path.join(dir, m.weights.file);
    const buf = fs.readFileSync(file);
    const t = m.weights.tensors[2];
    buf.writeFloatLE(Number.NaN, (t.offset + 1) * 4);
    fs.writeFileSync(file, buf);
    const before = tf.memory().numTensors;
    expect(() => loadCheckpoint(dir)).toThrow(new RegExp(`weights-0000003\\.bin: tensor ${t.name.replace(/[/.]/g, "\\$&")} holds a non-finite value \\(NaN\\) at element 1`));
    expect(tf.memory().numTensors).toBe(before); // the half-built model was disposed
    buf.writeFloatLE(Number.POSITIVE_INFINITY, (t.offset + 1) * 4);
    fs.writeFileSync(file, buf);
    expect(() => loadCheckpoint(dir)).toThrow(/non-finite value \(Infinity\)/);
  });

  it("refuses a shape that differs from the model's, naming the parameter", () => {
    const dir = fresh();
    const m = manifestOf(dir);
    const t = m.weights.tensors.find((x: { shape: number[] }) => x.shape.length === 4 && x.shape[0] !== x.shape[3]);
    t.shape = [...t.shape].reverse(); // the same size: only the shape check can see it
    delete m.weights.sha256;
    writeManifest(dir, m);
    expect(() => loadCheckpoint(dir)).toThrow(new RegExp(`parameter ${t.name.replace(/[/.]/g, "\\$&")} has shape \\[${t.shape}\\] in the checkpoint`));
  });

  it("confines weights.file to the folder", () => {
    const dir = fresh();
    fs.writeFileSync(path.join(root, "outside.bin"), fs.readFileSync(path.join(dir, manifestOf(dir).weights.file)));
    for (const bad of ["../outside.bin", "/etc/passwd", "sub/../../outside.bin", "..", ""]) {
      const m = manifestOf(dir);
      m.weights.file = bad;
      writeManifest(dir, m);
      expect(() => readManifest(dir), bad).toThrow(/manifest\.json: field "weights\.file": must be a plain file name inside the checkpoint folder/);
    }
    const m = manifestOf(dir);
    fs.symlinkSync(path.join(root, "outside.bin"), path.join(dir, "link.bin"));
    m.weights.file = "link.bin";
    writeManifest(dir, m);
    expect(() => loadCheckpoint(dir)).toThrow(/link\.bin: is not a regular file/);
  });

  it("refuses malformed manifests with the field named, never a TypeError", () => {
    const dir = fresh();
    const good = manifestOf(dir);
    const cases: [unknown, RegExp][] = [
      [null, /must hold a JSON object/],
      [[1, 2], /must hold a JSON object/],
      [{ ...good, format: "x".repeat(5000) }, /field "format": not a dealkit checkpoint \(format "x{20,40}, version 1/],
      [{ ...good, step: -1 }, /field "step": must be a non-negative integer/],
      [{ ...good, config: null }, /field "config": must be an object/],
      [{ ...good, config: { ...good.config, maxQueries: 5000 } }, /field "config": model config: maxQueries must be an integer in \[1, 2000\]/],
      [{ ...good, weights: null }, /field "weights": must be an object/],
      [{ ...good, weights: { ...good.weights, bytes: 3 } }, /field "weights\.bytes"/],
      [{ ...good, weights: { ...good.weights, sha256: "zz" } }, /field "weights\.sha256"/],
      [{ ...good, weights: { ...good.weights, tensors: [{ name: "a", shape: [1e9], offset: 0 }] } }, /field "weights\.tensors\[0\]\.offset": tensor "a"/],
      [{ ...good, optimizer: { ...good.optimizer, t: "x" } }, /field "optimizer\.t"/],
    ];
    for (const [m, re] of cases) {
      writeManifest(dir, m);
      expect(() => loadCheckpoint(dir), String(re)).toThrow(re);
    }
    fs.writeFileSync(path.join(dir, "manifest.json"), "{ not json");
    expect(() => loadCheckpoint(dir)).toThrow(/manifest\.json: invalid JSON/);
  });

  it("loads the shipped models (saved before hashes were recorded, or with them)", () => {
    const models = path.resolve(__dirname, "..", "..", "datasets", "models");
    for (const name of ["deal-tiny", "baseline-tiny"]) {
      const dir = path.join(models, name);
      if (!fs.existsSync(path.join(dir, "manifest.json"))) continue;
      loadCheckpoint(dir).model.dispose();
    }
  });
});
