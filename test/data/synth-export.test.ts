import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Dataset } from "../../src/data/dataset.js";
import { compareDatasets } from "../../src/data/explore-samples.js";
import { readVisDrone } from "../../src/data/formats/visdrone.js";
import { readYolo } from "../../src/data/formats/yolo.js";
import { generateTinySetMini, openTinySetMini, visDroneLines, writeVisDroneExample, writeYoloExample, type TinySetMiniLocation } from "../../src/data/synth/index.js";

let tmp: string;
let loc: TinySetMiniLocation;
beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-synth-export-"));
  await generateTinySetMini({ outDir: path.join(tmp, "ts"), seed: 2, scale: "tiny" });
  loc = openTinySetMini(path.join(tmp, "ts"));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("visDroneLines", () => {
  it("writes x,y,w,h,score,category,truncation,occlusion with VisDrone ids and ignore regions as 0", () => {
    const cats = [{ id: 6, name: "car" }, { id: 8, name: "bus" }, { id: 21, name: "beetle" }] as never;
    const base = { id: 1, image_id: 1, area: 1, iscrowd: 0 as const, occlusion: 0, truncation: 0 };
    expect(visDroneLines([
      { ...base, category_id: 6, bbox: [1.5, 2, 3, 4], ignore: 0 },
      { ...base, category_id: 8, bbox: [0, 0, 30, 9], ignore: 0, occlusion: 0.3, truncation: 0.2 },
      { ...base, category_id: 6, bbox: [5, 5, 2, 2], ignore: 1, occlusion: 0.8 },
      { ...base, category_id: 21, bbox: [9, 9, 2, 2], ignore: 0 },
    ], cats)).toEqual(["1.5,2,3,4,1,4,0,0", "0,0,30,9,1,9,1,1", "5,5,2,2,0,0,0,2", "9,9,2,2,1,11,0,0"]);
  });
});

describe("format examples round-trip through the data layer's readers", () => {
  it("VisDrone: same boxes and category names, ignore regions kept", async () => {
    const ex = writeVisDroneExample(loc, { outDir: path.join(tmp, "visdrone"), split: "train", count: 2 });
    expect(fs.readdirSync(ex.imagesDir)).toEqual(["uav-0000.png", "uav-0001.png"]);
    const back = await readVisDrone(ex.labelsDir, { imagesDir: ex.imagesDir });
    const rows = compareDatasets(Dataset.fromCoco(ex.coco), back).objects() as Record<string, unknown>[];
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.boxes).toBe(r.boxesAfter);
      expect(r.ignoreRegions).toBe(r.ignoreAfter);
      expect(r.maxCoordDiffPx).toBe(0);
      expect(r.sameCategories).toBe(true);
    }
  });

  it("YOLO: same boxes to 1e-6 px and class names; ignore regions left out with a warning", async () => {
    const ex = writeYoloExample(loc, { outDir: path.join(tmp, "yolo"), domain: "microscopy", split: "train", count: 2 });
    expect(fs.readFileSync(ex.classesFile!, "utf8").trim().split("\n")).toEqual(["parasite", "lymphocyte", "neutrophil", "eosinophil"]);
    const back = await readYolo(ex.labelsDir, { imagesDir: ex.imagesDir, classesFile: ex.classesFile });
    const rows = compareDatasets(Dataset.fromCoco(ex.coco), back).objects() as Record<string, unknown>[];
    for (const r of rows) {
      expect(r.boxes).toBe(r.boxesAfter);
      expect(r.maxCoordDiffPx as number).toBeLessThan(1e-6);
      expect(r.sameCategories).toBe(true);
    }
    const ignored = ex.coco.annotations.filter((a) => a.ignore).length;
    expect(ex.warnings.length).toBe(ignored ? 1 : 0);
  });
});
