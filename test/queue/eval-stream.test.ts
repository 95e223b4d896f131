// Streamed, category-by-category accumulation of compact per-range match results (what bench/eval-scale.ts runs
// at 9M boxes): equal to the one-process evaluation number for number on a small synthesised case.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { cocoAccumulateStreamed, compactSourceOf, encodeCompactMatch } from "../../src/eval/compact.js";
import { cocoEvaluate, cocoEvalPlan, cocoLoadDt, cocoLoadGt, cocoMatch, cocoSummarize, evalSynthRange } from "../../src/eval/index.js";
import { shardRanges } from "../../src/queue/eval-shard.js";
import { evaluateSynthOnQueue } from "../../src/queue/eval-streamed.js";
import { REDIS_SKIP_REASON } from "./redis-harness.js";
import { queueSuite } from "./workers.js";

const SYNTH = { images: 90, gtPerImage: 12, dtPerGt: 3, categories: 4, seed: 5 };

/** Compact results of each range, each range synthesised and loaded alone (as a worker does). */
function compactRanges(shards: number, protocol: "coco" | "aitod"): Buffer[] {
  const params = cocoEvalPlan({ protocol }).protocol.params;
  return shardRanges(SYNTH.images, shards).map((r) => {
    const part = evalSynthRange(SYNTH, r.start, r.end);
    const gt = cocoLoadGt(part.gt);
    const dt = cocoLoadDt(part.dt, gt);
    return encodeCompactMatch(cocoMatch(gt, dt, params), dt.score);
  });
}

describe("streamed accumulation of compact ranges", () => {
  it("a range is generated alone as in the whole case", () => {
    const all = evalSynthRange(SYNTH, 0, SYNTH.images);
    const part = evalSynthRange(SYNTH, 30, 60);
    expect(part.gt.images).toEqual(all.gt.images.slice(30, 60));
    const ids = new Set(part.gt.images.map((im) => im.id));
    expect(part.gt.annotations).toEqual(all.gt.annotations.filter((a) => ids.has(a.image_id)));
    expect(part.dt).toEqual(all.dt.filter((d) => ids.has(d.image_id)));
  });

  for (const protocol of ["coco", "aitod"] as const) {
    it(`1, 4 and 9 ranges == one process, number for number (${protocol})`, async () => {
      const all = evalSynthRange(SYNTH, 0, SYNTH.images);
      // Ties across images (one decimal on every other detection): the case where the merge order matters.
      const dets = all.dt.map((d, i) => ({ ...d, score: i % 2 ? Math.round(d.score * 10) / 10 : d.score }));
      const gt = cocoLoadGt(all.gt);
      const ref = cocoEvaluate(gt, cocoLoadDt(all.dt, gt), { protocol });
      const plan = cocoEvalPlan({ protocol });
      for (const shards of [1, 4, 9]) {
        const acc = await cocoAccumulateStreamed(plan.protocol.params, compactRanges(shards, protocol).map(compactSourceOf));
        expect(acc.shape).toEqual(ref.accumulated.shape);
        expect(Array.from(acc.precision)).toEqual(Array.from(ref.accumulated.precision));
        expect(Array.from(acc.recall)).toEqual(Array.from(ref.accumulated.recall));
        const stats = cocoSummarize(acc, plan.protocol.params, plan.protocol.summary);
        for (const s of stats) expect(s.value, s.label).toBe(ref.results.stats[s.label]);
      }
      // Ties: the in-memory merge of tied scores, too.
      const gt2 = cocoLoadGt(all.gt);
      const dt2 = cocoLoadDt(dets, gt2);
      const ref2 = cocoEvaluate(gt2, dt2, { protocol });
      const byRange = [[0, 20], [20, 55], [55, 90]].map(([s, e]) => {
        const ids = new Set(all.gt.images.slice(s, e).map((im) => im.id));
        const gp = cocoLoadGt({ ...all.gt, images: all.gt.images.slice(s, e), annotations: all.gt.annotations.filter((x) => ids.has(x.image_id)) });
        const dp = cocoLoadDt(dets.filter((d) => ids.has(d.image_id)), gp);
        return encodeCompactMatch(cocoMatch(gp, dp, plan.protocol.params), dp.score);
      });
      const acc2 = await cocoAccumulateStreamed(plan.protocol.params, byRange.map(compactSourceOf));
      expect(Array.from(acc2.precision)).toEqual(Array.from(ref2.accumulated.precision));
      expect(Array.from(acc2.recall)).toEqual(Array.from(ref2.accumulated.recall));
    });
  }
});

describe.skipIf(REDIS_SKIP_REASON !== "")("streamed evaluation on queue workers", () => {
  const harness = queueSuite("dealkit-queue-stream-");

  it("2 workers generate, match and store 7 ranges; read back category by category == one process; a re-run does no work", async () => {
    await harness.startWorkers(2);
    const all = evalSynthRange(SYNTH, 0, SYNTH.images);
    const gt = cocoLoadGt(all.gt);
    const ref = cocoEvaluate(gt, cocoLoadDt(all.dt, gt), { protocol: "coco" });
    const ev = await evaluateSynthOnQueue({ url: harness.redis.url, synth: SYNTH, shards: 7 });
    expect(Array.from(ev.accumulated.precision)).toEqual(Array.from(ref.accumulated.precision));
    expect(ev.stats).toEqual(ref.results.stats);
    const ran = () => harness.workers.map((w) => (w.log().match(/eval-synth shard \d+\/7: done in/g) ?? []).length).reduce((s, n) => s + n, 0);
    expect(ran()).toBe(7);
    const again = await evaluateSynthOnQueue({ url: harness.redis.url, synth: SYNTH, shards: 7 });
    expect(again.stats).toEqual(ref.results.stats);
    expect(ran()).toBe(7);
  });
});
