/**
 * The decision bench for training changes: checkpoints compared on what a decision may look at (never the test
 * split): TinySet-mini val (seen categories), the unseen categories on the decision half of the held-out-categories
 * split (images with even ids; bench/deal-repro reports on the whole split, so say which half decided), and the
 * held-out data set's val-sized decision half (even ids). p2sod class-agnostic, one centre click per category, as
 * bench/deal-repro; mean over click seeds.
 *
 *     MODELS=deal-tiny,novel=runs/deal-novel-s0 npx tsx bench/run.ts deal-val [--json]
 *
 * Environment: MODELS (comma-separated `name=checkpoint` or shipped model names; default deal-tiny,baseline-tiny),
 * CLICK_SEEDS (default 0,1,2).
 */
import { initBackend } from "../src/backend/index.js";
import type { CocoGtJson } from "../src/eval/index.js";
import { loadModel, openDataset } from "../src/recipes/index.js";
import { checkpointFingerprint } from "../src/train/index.js";
import { evaluatePart, predictionsFor, type Part } from "./deal-repro-runs.js";

const METRICS = { "AP.5": "AP@.50|all|1500", "AP.75": "AP@.75|all|1500", "vt AP.5": "AP@.50|verytiny|1500" };

async function parts(): Promise<Part[]> {
  const out: Part[] = [];
  const val = (await openDataset({ data: "default", split: "val" })).dataset;
  out.push({ key: "val", ds: val, gt: val.toCoco() as unknown as CocoGtJson });
  for (const split of ["heldout-categories", "heldout-dataset"] as const) {
    const ds = (await openDataset({ data: "default", split })).dataset;
    const full = ds.toCoco() as unknown as CocoGtJson;
    const images = full.images.filter((i) => i.id % 2 === 0);
    const ids = new Set(images.map((i) => i.id));
    const half: CocoGtJson = { ...full, images, annotations: full.annotations.filter((a) => ids.has(a.image_id)) };
    if (split === "heldout-dataset") { out.push({ key: "heldout-dataset/even", ds, gt: half }); continue; }
    const unseen = new Set((full.categories as unknown as { id: number; heldOut?: boolean }[]).filter((c) => c.heldOut).map((c) => c.id));
    out.push({ key: "unseen/even", ds, gt: { ...half, annotations: half.annotations.filter((a) => unseen.has(a.category_id)) }, cats: unseen });
  }
  return out;
}


export async function run(): Promise<Record<string, unknown>> {
  await initBackend({});
  const models = (process.env.MODELS ?? "deal-tiny,baseline-tiny").split(",").filter(Boolean).map((s) => {
    const [name, where] = s.includes("=") ? s.split("=") as [string, string] : [s, s];
    return { name, where };
  });
  const clickSeeds = (process.env.CLICK_SEEDS ?? "0,1,2").split(",").filter(Boolean).map(Number);
  const ps = await parts();
  const rows: Record<string, unknown>[] = [];
  for (const m of models) {
    const loaded = loadModel(m.where);
    loaded.model.dispose();
    // The same cache keys as bench/deal-repro (checkpoint fingerprint, split), so the two share predictions.
    const dir = loaded.dir || m.where;
    const fp = loaded.dir ? checkpointFingerprint(loaded.dir) : m.where;
    for (const p of ps) {
      const sums: Record<string, number> = {};
      for (const seed of clickSeeds) {
        const stats = evaluatePart(p, await predictionsFor(dir, fp, p.ds, p.key.split("/")[0]!, seed));
        for (const [k, m] of Object.entries(METRICS)) sums[k] = (sums[k] ?? 0) + (100 * (stats[m] ?? NaN)) / clickSeeds.length;
      }
      const row = { model: m.name, part: p.key, ...Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, +v.toFixed(1)])) };
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  }
  console.table(rows);
  const result = { clickSeeds, rows };
  if (process.argv.includes("--json")) console.log(JSON.stringify(result));
  return result;
}
