import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compareWithTorch, torchUnavailable } from "../../bench/deal-twin.js";
import { tf } from "../../src/backend/tf.js";
import type { DealModel } from "../../src/model/deal.js";
import { loadCheckpoint } from "../../src/train/checkpoint.js";
import { useFastBackend } from "../train/backend.js";

// The reference is PyTorch (bench/torch_deal.py, an independent implementation of the same layers); it runs
// whenever torch is importable (scripts/setup.sh installs Debian's python3-torch) and is skipped otherwise.
const missing = torchUnavailable();
if (missing) console.warn(`torch-twin.test: skipped, ${missing}`);

describe.skipIf(missing !== null)("DEAL v2 against its PyTorch twin", () => {
  beforeAll(async () => {
    await useFastBackend();
  });

  it("agrees to 1e-3 on every output: maps, dense heads, exemplars, heatmaps, decoder boxes and logits", async () => {
    const dir = path.join(__dirname, "..", "..", "datasets", "models", "deal-tiny");
    const { model } = loadCheckpoint(dir);
    const before = tf.memory().numTensors;
    const r = await compareWithTorch(dir, { batch: 2, width: 192, height: 160, model: model as DealModel });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    console.log(`torch-twin: torch ${r.torch}; max |dealkit - torch| per output: ${Object.entries(r.perOutput).map(([k, d]) => `${k} ${d.toExponential(1)} (|x| <= ${r.scale[k]!.toPrecision(3)})`).join(", ")}`);
    const names = Object.keys(r.perOutput);
    for (const n of ["f2", "f4", "f8", "obj", "size", "offset", "embed", "ex.embed", "ex.size", "heat", "decoder0.boxes", "decoder1.logits"]) expect(names).toContain(n);
    for (const [name, d] of Object.entries(r.perOutput)) {
      expect(r.scale[name], `${name} is all zeros: nothing compared`).toBeGreaterThan(0);
      expect(d, `${name}: max |dealkit - torch| = ${d}`).toBeLessThanOrEqual(1e-3);
    }
  }, 600_000);
});
