// Prompt ablation on real `dealkit worker` processes over a private redis-server: one job per cell x seed (and per
// cell x seed x image range), evaluated by the submitting process; the tables equal the in-process ablation's
// number for number, and a re-run with no worker running is answered from the stored results.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../src/backend/init.js";
import { saveImagePng } from "../../src/data/images.js";
import { ablateOnQueue, decodeAblationShard, encodeAblationShard } from "../../src/queue/ablate-queued.js";
import { ablatePrompts } from "../../src/recipes/ablate.js";
import { createDetections } from "../../src/structures/detections.js";
import { squaresImage } from "../recipes/fixtures.js";
import { REDIS_SKIP_REASON, stopProcess } from "./redis-harness.js";
import { queueSuite, startCli } from "./workers.js";

if (REDIS_SKIP_REASON) console.warn(REDIS_SKIP_REASON);

/** 6 images of 64 px, 2 seen categories and 1 held out, 1 to 3 instances each (so k=1 / 3 / all differ). */
async function writeCase(dir: string): Promise<{ gt: string; images: string }> {
  const images = path.join(dir, "images");
  const coco = {
    images: [] as object[], annotations: [] as object[],
    categories: [{ id: 1, name: "a" }, { id: 2, name: "b" }, { id: 3, name: "rare", heldOut: true }],
  };
  let id = 1;
  for (let i = 0; i < 6; i++) {
    const boxes: [number, number, number, number, number][] = [
      [4 + 3 * i, 6, 9, 8, 1], [40, 6 + 4 * i, 7, 9, 1], [20, 40, 8, 7, 2], [44, 44 - i, 10, 8, 3], [6, 30 + i, 6, 6, 3], [30, 22, 7, 7, 2],
    ].slice(0, 3 + (i % 4)) as [number, number, number, number, number][];
    await saveImagePng(path.join(images, `im${i}.png`), squaresImage(64, boxes.map((b) => b.slice(0, 4))));
    coco.images.push({ id: 50 + i, file_name: `im${i}.png`, width: 64, height: 64, domain: i % 2 ? "uav" : "sat" });
    for (const b of boxes) coco.annotations.push({ id: id++, image_id: 50 + i, category_id: b[4], bbox: b.slice(0, 4), area: b[2] * b[3], iscrowd: 0 });
  }
  const gt = path.join(dir, "gt.json");
  fs.writeFileSync(gt, JSON.stringify(coco));
  return { gt, images };
}

/** NaN as null, as the --out JSON has it. */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe("ablate codec", () => {
  it("a range's detections survive the round trip bit for bit", () => {
    const d = createDetections(new Float32Array([0.1, 1 / 3, 5.5, 7.25]), new Float32Array([Math.PI / 10]), new Int32Array([3]), new Int32Array([0]));
    const back = decodeAblationShard(encodeAblationShard({ images: [{ imageIndex: 4, detections: d }], stats: { images: 1 }, seconds: 0.5 }));
    expect(back.images[0]!.imageIndex).toBe(4);
    expect(back.images[0]!.detections).toEqual(d);
    expect(() => decodeAblationShard(Buffer.from("{}"))).toThrow(/not a dealkit ablate result/);
  });
});

describe.skipIf(REDIS_SKIP_REASON !== "")("ablate on queue workers", () => {
  let gt: string;
  let images: string;
  // The training-free reference detector: it finds the squares, so the metrics are far from 0 (a micro
  // checkpoint's untrained weights give AP 0 everywhere, which would hide a wrong merge).
  const model = "template";
  const harness = queueSuite("dealkit-queue-ablate-");

  beforeAll(async () => {
    await initBackend({ backend: "cpu" }); // the workers run --backend cpu: the same kernels, the same detections
    process.env.DEALKIT_CACHE = path.join(harness.dir, "cache");
    ({ gt, images } = await writeCase(harness.dir));
  });
  afterEach(async () => {
    for (const w of harness.workers.splice(0)) await w.stop();
  });
  afterAll(async () => {
    delete process.env.DEALKIT_CACHE;
  });

  it("2 workers: dealkit ablate --queue == the in-process ablation number for number; a re-run with no worker is answered from the store", async () => {
    const data = { gt, images };
    const ref = await ablatePrompts({ model, data, grid: "small", seeds: [0, 1], cache: false });
    const refSummary = ref.summary.objects() as Record<string, unknown>[];
    const metricCols = ref.runs.columnNames().filter((c) => c !== "cached" && c !== "seconds");
    // A case where the numbers say something: detections were made and some metric is neither 0 nor NaN.
    expect(refSummary.some((r) => typeof r.mean === "number" && r.mean > 0)).toBe(true);

    await harness.startWorkers(2);
    const args = ["ablate", "--model", model, "--gt", gt, "--images", images, "--grid", "small", "--seeds", "2", "--queue", harness.redis.url];
    const out = path.join(harness.dir, "queued.json");
    const a = await startCli([...args, "--out", out]).done;
    expect(a.status, a.stderr).toBe(0);
    const jobs = ref.runs.numRows();
    expect(a.stderr).toMatch(new RegExp(`ablate on queue: ${jobs}/${jobs} cell runs done, 0 failed, 0 retried`));
    const saved = JSON.parse(fs.readFileSync(out, "utf8")) as { summary: Record<string, unknown>[]; runs: Record<string, unknown>[] };
    expect(saved.summary).toEqual(plain(refSummary));
    const pick = (rows: Record<string, unknown>[]) => rows.map((r) => Object.fromEntries(metricCols.map((c) => [c, r[c]])));
    expect(saved.runs.map((r) => r.cached)).toEqual(new Array(jobs).fill(false));
    expect(pick(saved.runs)).toEqual(plain(pick(ref.runs.objects() as Record<string, unknown>[])));
    // Every job ran once, on one of the two workers.
    const ran = harness.workers.map((w) => (w.log().match(/ablate shard \d+\/\d+: done in/g) ?? []).length);
    expect(ran.reduce((s, n) => s + n, 0)).toBe(jobs);

    // Image ranges: 3 per cell x seed run, still the same numbers.
    const sharded = await ablateOnQueue({ url: harness.redis.url, model, data, grid: "small", seeds: [0, 1], shards: 3 });
    expect(sharded.summary.objects()).toEqual(refSummary);
    expect(sharded.computed).toBe(jobs);

    // No worker running: a job that were enqueued would never finish, so this run ending proves none was.
    for (const w of harness.workers.splice(0)) await w.stop();
    const again = path.join(harness.dir, "again.json");
    const cli = startCli([...args, "--out", again]);
    const timer = setTimeout(() => void stopProcess(cli.child), 60_000);
    const b = await cli.done;
    clearTimeout(timer);
    expect(b.status, b.stderr).toBe(0);
    expect(b.stderr).toMatch(new RegExp(`ablate on queue: ${jobs}/${jobs} cell runs done \\(${jobs} stored\\)`));
    expect(b.stdout).toMatch(new RegExp(`\\(0 computed, ${jobs} cached\\)`));
    const back = JSON.parse(fs.readFileSync(again, "utf8")) as { summary: unknown };
    expect(back.summary).toEqual(saved.summary);
  });
});
