import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Command } from "commander";
import { afterAll, describe, expect, it } from "vitest";
import { register, runAblateCommand } from "../../src/cli/commands/ablate.js";
import { saveImagePng } from "../../src/data/images.js";
import { createDetector } from "../../src/model/factory.js";
import { saveCheckpoint } from "../../src/train/checkpoint.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-ablate-cli-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function fixture(): Promise<{ ckpt: string; data: string }> {
  const ckpt = path.join(tmp, "ckpt");
  const model = createDetector({ kind: "deal", preset: "micro", numClasses: 2 }, 1);
  saveCheckpoint(ckpt, { model, step: 0 });
  model.dispose();
  const data = path.join(tmp, "data");
  const px = new Uint8Array(64 * 64 * 3).fill(90);
  for (let y = 20; y < 28; y++) for (let x = 20; x < 28; x++) px.set([240, 240, 240], (y * 64 + x) * 3);
  await saveImagePng(path.join(data, "a.png"), { width: 64, height: 64, data: px });
  const coco = {
    images: [{ id: 1, width: 64, height: 64, file_name: "a.png", domain: "uav", split: "test" }],
    categories: [{ id: 1, name: "box" }, { id: 2, name: "rare", heldOut: true }],
    annotations: [
      { id: 1, image_id: 1, category_id: 1, bbox: [20, 20, 8, 8], area: 64, iscrowd: 0 },
      { id: 2, image_id: 1, category_id: 2, bbox: [40, 40, 6, 6], area: 36, iscrowd: 0 },
    ],
  };
  fs.writeFileSync(path.join(data, "annotations.json"), JSON.stringify(coco));
  return { ckpt, data };
}

describe("dealkit ablate", () => {
  it("registers with commander and runs a grid on a checkpoint, then reads it back from the cache", async () => {
    const program = new Command();
    register(program);
    expect(program.commands.map((c) => c.name())).toContain("ablate");

    process.env.DEALKIT_CACHE = path.join(tmp, "cache");
    try {
      const { ckpt, data } = await fixture();
      const out = path.join(tmp, "ablation.json");
      const lines: string[] = [];
      const gt = path.join(data, "annotations.json");
      const first = await runAblateCommand({ model: ckpt, gt, images: data, split: "test", grid: "small", seeds: "1", out }, (l) => lines.push(l));
      expect(first.result.computed).toBe(14);
      expect(lines).toHaveLength(14);
      expect(first.text).toContain("center|k=1|groundTruth|seen");
      const saved = JSON.parse(fs.readFileSync(out, "utf8")) as { summary: { metric: string }[] };
      expect(saved.summary.some((r) => r.metric === "ap50")).toBe(true);
      const again = await runAblateCommand({ model: ckpt, gt, images: data, split: "test", grid: "small", seeds: "1" });
      expect(again.result.cached).toBe(14);
      expect(again.result.computed).toBe(0);
    } finally {
      delete process.env.DEALKIT_CACHE;
    }
  });

  it("rejects bad options with the valid choices", async () => {
    await expect(runAblateCommand({ model: "x", data: "y", grid: "huge", seeds: "3" })).rejects.toThrow(/small.*full.*factorial/);
    await expect(runAblateCommand({ model: "x", data: "y", grid: "small", seeds: "0" })).rejects.toThrow(/--seeds must be an integer in \[1, 1000\]; got "0"/);
    await expect(runAblateCommand({ model: "no-such-model", grid: "small", seeds: "1", maxImages: "1" })).rejects.toThrow(/deal-tiny, deal-tiny-random, baseline-tiny/);
  });
});
