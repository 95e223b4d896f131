// Sharded prediction on real `dealkit worker` processes over a private redis-server: the results file is the
// single-process one byte for byte (same CLI, same backend), and a re-run is answered from the store.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { saveImagePng } from "../../src/data/images.js";
import { squaresImage, writeMicroCheckpoint } from "../recipes/fixtures.js";
import { REDIS_SKIP_REASON } from "./redis-harness.js";
import { queueSuite, runCli } from "./workers.js";

if (REDIS_SKIP_REASON) console.warn(REDIS_SKIP_REASON);

describe.skipIf(REDIS_SKIP_REASON !== "")("predict on queue workers", () => {
  const harness = queueSuite("dealkit-queue-predict-");


  it("5 images in 3 shards on 2 workers == dealkit predict in one process, byte for byte; a re-run does no work", async () => {
    const images = path.join(harness.dir, "images");
    const coco = { images: [] as object[], annotations: [] as object[], categories: [{ id: 1, name: "a" }, { id: 2, name: "b" }] };
    for (let i = 0; i < 5; i++) {
      const boxes = [[6 + 7 * i, 8, 10, 9], [30, 20 + 5 * i, 7, 8]];
      await saveImagePng(path.join(images, `im${i}.png`), squaresImage(64, boxes));
      coco.images.push({ id: 100 + i, file_name: `im${i}.png`, width: 64, height: 64 });
      boxes.forEach((b, k) => coco.annotations.push({ id: 10 * i + k + 1, image_id: 100 + i, category_id: k + 1, bbox: b, area: b[2]! * b[3]!, iscrowd: 0 }));
    }
    const gt = path.join(harness.dir, "gt.json");
    fs.writeFileSync(gt, JSON.stringify(coco));
    const ckpt = writeMicroCheckpoint(harness.dir);
    const common = ["predict", "--model", ckpt, "--gt", gt, "--images", images, "--clicks", "per-instance", "--sampler", "uniform", "--seed", "3",
      "--score-threshold", "0", "--max-detections", "20", "--backend", "cpu"];
    const single = path.join(harness.dir, "single.json");
    const queued = path.join(harness.dir, "queued.json");
    const a = await runCli([...common, "--out", single]);
    expect(a.status, a.stderr).toBe(0);
    await harness.startWorkers(2);
    const b = await runCli([...common, "--out", queued, "--queue", harness.redis.url, "--shards", "3"]);
    expect(b.status, b.stderr).toBe(0);
    expect(b.stderr, harness.workers.map((w) => w.log()).join("\n")).toMatch(/predict on queue: 3\/3 shards done, 0 failed, 0 retried/);
    const bytes = fs.readFileSync(single);
    expect(JSON.parse(bytes.toString()).length).toBeGreaterThan(0);
    expect(fs.readFileSync(queued).equals(bytes)).toBe(true);
    // Re-run with the workers gone: answered from the store.
    for (const w of harness.workers.splice(0)) await w.stop();
    const again = path.join(harness.dir, "again.json");
    const c = await runCli([...common, "--out", again, "--queue", harness.redis.url, "--shards", "3"]);
    expect(c.status, c.stderr).toBe(0);
    expect(c.stderr).toMatch(/predict on queue: 3\/3 shards done \(3 stored\)/);
    expect(fs.readFileSync(again).equals(bytes)).toBe(true);
  });
});
