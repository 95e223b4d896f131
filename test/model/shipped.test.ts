import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../src/backend/index.js";
import { SYNTH_DOMAINS, generateImage } from "../../src/data/synth/index.js";
import { detect } from "../../src/infer/index.js";
import { loadModel, type LoadedModel } from "../../src/recipes/index.js";
import { iouXyxy } from "../../src/structures/index.js";
import { Random } from "../../src/util/random.js";

/**
 * The shipped DEAL-tiny, one click on a fixed generated scene per domain (seed 11, 256 px, scenes the training
 * split never held: its scenes come from other seeds): for the most frequent category of each scene, click the
 * centre of its first (non-ignored) instance and count how many of that category's instances a detection scoring
 * >= 0.1 covers at IoU >= 0.3 (greedy, each detection once; tiny boxes are judged at .3 as in the AP.25-style
 * small-object protocols), and how many of those detections sit on another category's object. The shipped
 * weights (3000 steps, novel objects in training, decoder trained on the first click's prompts) find 203 of 293
 * (0.69) with 132 on other categories, with the inference query budget (3 x count + 16); with the training budget at
 * inference (1.5 x count + 8) 184 with 61: the extra queries find more objects and, at this low score, more of the
 * other categories' (the 1500-step model shipped before: 169, 80; decoder on the last round: 171, 79; before novel
 * objects: 174, 100; all with the training budget); "most" is the bound, so an untrained or broken model fails.
 */
describe("shipped DEAL-tiny: one click finds its category", () => {
  let deal: LoadedModel;
  beforeAll(async () => {
    await initBackend();
    deal = loadModel("deal-tiny");
  });
  afterAll(() => deal?.model.dispose());

  it("finds most same-category objects of a clicked category, rarely others", async () => {
    let found = 0, total = 0, onOther = 0, kept = 0;
    for (const domain of SYNTH_DOMAINS) {
      const scene = generateImage(domain, new Random(11), { width: 256 });
      const objs = scene.annotations.filter((a) => !a.ignore);
      const counts = new Map<number, number>();
      for (const a of objs) counts.set(a.categoryId, (counts.get(a.categoryId) ?? 0) + 1);
      const cat = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
      const mine = objs.filter((a) => a.categoryId === cat);
      const [x, y, w, h] = mine[0]!.bboxXywh;
      const dets = await detect(deal.model, scene.image, [{ x: x + w / 2, y: y + h / 2, categoryId: cat }], { scoreThreshold: 0.1 });
      const gt = Float64Array.from(objs.flatMap((a) => [a.bboxXywh[0], a.bboxXywh[1], a.bboxXywh[0] + a.bboxXywh[2], a.bboxXywh[1] + a.bboxXywh[3]]));
      const used = new Set<number>();
      for (let d = 0; d < dets.length; d++) {
        let best = -1, bestIou = 0.3;
        for (let g = 0; g < objs.length; g++) {
          const v = iouXyxy(dets.boxesXyxy, d, gt, g);
          if (v >= bestIou && !used.has(g)) { best = g; bestIou = v; }
        }
        if (best < 0) continue;
        used.add(best);
        if (objs[best]!.categoryId === cat) found++;
        else onOther++;
      }
      total += mine.length;
      kept += dets.length;
    }
    const recall = found / total;
    console.log(`shipped DEAL-tiny, 1 click per scene on ${SYNTH_DOMAINS.length} scenes: found ${found} of ${total} same-category objects (recall ${recall.toFixed(2)}), ${onOther} detections on other categories' objects, ${kept} detections kept`);
    expect(recall).toBeGreaterThan(0.5);
    expect(onOther).toBeLessThan(found);
  }, 120_000);
});
