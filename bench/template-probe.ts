/**
 * The training-free template-matching reference (`createTemplateMatcher`) against the shipped DEAL-tiny and
 * baseline-tiny, measured in the same run, on the real-image probe (datasets/real-probe) and on TinySet-mini's
 * val split: p2sod protocol (class-agnostic, AP .25/.5/.75 and per AI-TOD size bin), one centre click per
 * category per image (click seed 0), scoreThreshold 0.001, 100 boxes per prompt, as the reproduction report
 * predicts; rows without and with the class-agnostic merge (NMS at IoU 0.5 across prompts).
 *
 *     npx tsx bench/template-probe.ts            (or `npx tsx bench/run.ts template-probe`)
 *     MODELS=template npx tsx bench/template-probe.ts     (skip the shipped models)
 *
 * Then the template matcher's speed: CPU time (process.cpuUsage, so other load on the machine counts less) of one
 * detect call with 3 centre clicks of different categories on TinySet-mini val images (256 x 256), and on a
 * 1024 x 1024 image made of 4 x 4 copies of one of them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { analysisImagesFrom } from "../src/analysis/ablate-data.js";
import { p2sodMetrics } from "../src/analysis/evaluate.js";
import { initBackend } from "../src/backend/index.js";
import { ensureTinySetMini, loadImageRgb, loadTinySetSplit, readCoco, type Dataset } from "../src/data/index.js";
import { detectionsByImage, type CocoResult } from "../src/data/index.js";
import { mergeClassAgnostic, predictDataset } from "../src/infer/index.js";
import { createTemplateMatcher } from "../src/model/index.js";
import { loadModel } from "../src/recipes/index.js";
import type { PromptableDetector } from "../src/structures/index.js";
import { projectRoot } from "../src/util/fs.js";

const PREDICT = { clicks: "per-category" as const, sampler: "center" as const, seed: 0, scoreThreshold: 0.001, maxDetections: 100 };
const MERGE_IOU = 0.5;
const COLUMNS: [string, string][] = [["AP.25", "ap25"], ["AP.5", "ap50"], ["AP.75", "ap75"], ["AP", "ap"], ["APvt", "apVt"], ["APt", "apT"], ["APs", "apS"], ["APm", "apM"]];

function openModel(name: string): PromptableDetector {
  return loadModel(name).model;
}

function row(model: string, data: string, merged: boolean, ds: Dataset, results: CocoResult[], msPerImage: number): Record<string, string | number> {
  const m = p2sodMetrics(analysisImagesFrom(ds, detectionsByImage(merged ? mergeClassAgnostic(results, MERGE_IOU) : results)));
  const r: Record<string, string | number> = { model, data, merge: merged ? `nms@${MERGE_IOU}` : "none", images: ds.images.length, msPerImage };
  for (const [label, key] of COLUMNS) r[label] = Number.isNaN(m[key]!) ? "-" : +(100 * m[key]!).toFixed(2);
  return r;
}

export async function run(): Promise<void> {
  const names = (process.env.MODELS ?? "template,deal-tiny,baseline-tiny").split(",").filter((n) => n === "template" || fs.existsSync(path.join(projectRoot(), "datasets", "models", n)));
  const backend = await initBackend();
  const probeDir = path.join(projectRoot(), "datasets", "real-probe");
  const probe = await readCoco(path.join(probeDir, "annotations.json"), { root: probeDir });
  const val = loadTinySetSplit(await ensureTinySetMini({ seed: 0 }), "val");
  const sets: [string, Dataset][] = [["real-probe", probe], ["real-astronomy", probe.filterImages((im) => im.domain === "real-astronomy")], ["real-microscopy", probe.filterImages((im) => im.domain === "real-microscopy")], ["tinyset-mini val", val]];
  console.log(`backend ${backend.backend}; models ${names.join(", ")}; p2sod, 1 centre click per category (seed 0), scoreThreshold 0.001, 100 boxes per prompt`);
  const rows: Record<string, string | number>[] = [];
  for (const name of names) {
    const model = openModel(name);
    try {
      for (const [label, ds] of sets) {
        if (label.startsWith("real-") && label !== "real-probe") continue; // predicted with real-probe below
        const t0 = performance.now();
        const results = await predictDataset(model, ds, PREDICT);
        const ms = Math.round((performance.now() - t0) / ds.images.length);
        const parts = label === "real-probe" ? sets.filter(([l]) => l.startsWith("real-")) : [[label, ds] as [string, Dataset]];
        for (const [l, d] of parts) {
          const ids = new Set(d.images.map((im) => im.id));
          const mine = results.filter((r) => ids.has(r.image_id));
          for (const merged of [false, true]) {
            const r = row(name, l, merged, d, mine, ms);
            rows.push(r);
            console.log(JSON.stringify(r));
          }
        }
      }
    } finally {
      model.dispose();
    }
  }
  console.table(rows);
  await speed(val);
  const ref = names.find((n) => n !== "template");
  if (ref) {
    console.log(`AP.5 ratio template / ${ref} (no merge):`);
    for (const [label] of sets) {
      const t = rows.find((r) => r.model === "template" && r.data === label && r.merge === "none");
      const d = rows.find((r) => r.model === ref && r.data === label && r.merge === "none");
      if (t && d) console.log(`  ${label}: ${t["AP.5"]} / ${d["AP.5"]} = ${(Number(t["AP.5"]) / Number(d["AP.5"])).toFixed(2)}`);
    }
  }
}

async function speed(val: Dataset): Promise<void> {
  const model = createTemplateMatcher();
  const a = val.annotations;
  const clicksOf = (id: number) => {
    const seen = new Set<number>();
    const clicks: { x: number; y: number; categoryId: number }[] = [];
    for (const r of val.annotationsOfImage(id)) {
      const c = a.categoryIds[r]!;
      if (a.ignore[r] || seen.has(c) || clicks.length === 3) continue;
      seen.add(c);
      clicks.push({ x: a.bboxXywh[4 * r]! + a.bboxXywh[4 * r + 2]! / 2, y: a.bboxXywh[4 * r + 1]! + a.bboxXywh[4 * r + 3]! / 2, categoryId: c });
    }
    return clicks;
  };
  const cpuMs = async (fn: () => Promise<unknown>) => {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    await fn();
    const c = process.cpuUsage(c0);
    return { cpu: (c.user + c.system) / 1000, wall: performance.now() - w0 };
  };
  const ids = val.images.map((im) => im.id).filter((id) => clicksOf(id).length === 3).slice(0, 12);
  let cpu = 0, wall = 0;
  for (const id of ids) {
    const image = await loadImageRgb(val.imagePath(id));
    const t = await cpuMs(() => model.detect(image, clicksOf(id)));
    cpu += t.cpu;
    wall += t.wall;
  }
  console.log(`speed, 256x256 with 3 prompts (${ids.length} TinySet-mini val images, default options): ${(cpu / ids.length).toFixed(0)} ms CPU, ${(wall / ids.length).toFixed(0)} ms wall per image`);
  const src = await loadImageRgb(val.imagePath(ids[0]!));
  const side = 4 * src.width;
  const big = { width: side, height: 4 * src.height, data: new Uint8Array(side * 4 * src.height * 3) };
  for (let y = 0; y < big.height; y++) for (let k = 0; k < 4; k++) big.data.set(src.data.subarray((y % src.height) * src.width * 3, ((y % src.height) + 1) * src.width * 3), (y * side + k * src.width) * 3);
  const t = await cpuMs(() => model.detect(big, clicksOf(ids[0]!)));
  console.log(`speed, ${big.width}x${big.height} with 3 prompts: ${t.cpu.toFixed(0)} ms CPU, ${t.wall.toFixed(0)} ms wall`);
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
