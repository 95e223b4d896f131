import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CellExecutor } from "../../../src/kernel/protocol/execute.js";

// DetectorWorkers started from notebook cells: tslab's real converter and executor in this process (as the dealkit
// kernel runs cells), on the compiled package (dist/, as a notebook's `import ... from "dealkit"` loads it, so the
// workers run dist/infer/parallel/worker.js). `npm test` builds dist/ first; without it the test is skipped.
const root = path.resolve(__dirname, "..", "..", "..");
const dist = (p: string) => JSON.stringify(path.join(root, "dist", p));
const built = fs.existsSync(path.join(root, "dist", "infer", "parallel", "worker.js"));
const cells = new CellExecutor(process.cwd(), () => {});
afterAll(() => cells.close());

describe("parallel inference from a notebook cell", { timeout: 300_000 }, () => {
  it.skipIf(!built)("starts a DetectorWorkers pool in one cell and gets the one-thread slice-by-slice results in the next", async () => {
    const start = [
      `import { initBackend } from ${dist("backend/init.js")};`,
      `import { createDeal } from ${dist("model/deal.js")};`,
      `import { DetectorWorkers } from ${dist("infer/parallel/workers.js")};`,
      `import { detectSliced } from ${dist("infer/sliced.js")};`,
      `await initBackend({ backend: "wasm" });`,
      "const model = createDeal({ preset: \"micro\", depths: [1, 1, 1] }, 4);",
      "const pool = await DetectorWorkers.start(model, 2);",
      "pool.concurrency",
    ].join("\n");
    expect(await cells.execute(start, "In[1]")).toEqual({ status: "ok", hasValue: true, value: 2 });
    const run = [
      "const image = { width: 300, height: 260, data: Uint8Array.from({ length: 300 * 260 * 3 }, (_, i) => (i * 37 + (i >> 7)) % 251) };",
      "const clicks = [{ x: 40, y: 50, categoryId: 1 }, { x: 250, y: 200, categoryId: 2 }];",
      "const serial = await detectSliced(model, image, clicks, { scoreThreshold: 0, sliceBatch: 1 });",
      "const parallel = await detectSliced(pool, image, clicks, { scoreThreshold: 0 });",
      "pool.dispose();",
      "model.dispose();",
      "const cols = (d) => JSON.stringify([Array.from(d.boxesXyxy), Array.from(d.scores), Array.from(d.categoryIds), Array.from(d.clickIndex)]);",
      "({ n: serial.detections.length, batch: parallel.stats.sliceBatch, same: cols(serial.detections) === cols(parallel.detections) })",
    ].join("\n");
    const out = await cells.execute(run, "In[2]");
    expect(out.status).toBe("ok");
    const value = (out as { value: { n: number; batch: number; same: boolean } }).value;
    expect(value.same).toBe(true);
    expect(value.n).toBeGreaterThan(0);
    expect(value.batch).toBeGreaterThan(1);
  });
});
