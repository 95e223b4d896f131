// Sharded per-image evaluation merged == one cocoMatch over all images, array for array, and the evaluation
// built on it == cocoEvaluate (the pycocotools-exact evaluator, checked against pycocotools in test/eval).
import { describe, expect, it } from "vitest";
import { cocoEvalPlan, cocoEvaluate, cocoEvaluationOf, cocoLoadDt, cocoLoadGt, cocoMatch, evalSynthCase } from "../../src/eval/index.js";
import { decodeMatch, encodeMatch } from "../../src/queue/codec.js";
import { matchImageRange, mergeShardMatches, shardRanges } from "../../src/queue/eval-shard.js";

function synth(opts: { tiedScores?: boolean } = {}) {
  const { gt, dt } = evalSynthCase({ images: 40, gtPerImage: 12, dtPerGt: 3, categories: 4, seed: 3 });
  // Scores rounded to one decimal: many ties across images, which the merge must order as pycocotools does.
  const dets = opts.tiedScores ? dt.map((d) => ({ ...d, score: Math.round(d.score * 10) / 10 })) : dt;
  const g = cocoLoadGt(gt);
  return { gt: g, dt: cocoLoadDt(dets, g) };
}

/** -1 when both are absent or hold the same values (bit for bit: Object.is), else the first index that differs. */
function firstDifference(a: ArrayLike<number> | undefined, b: ArrayLike<number> | undefined): number {
  if (a === undefined || b === undefined) return a === b ? -1 : 0;
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe("sharded per-image evaluation", () => {
  it("shardRanges covers 0..n in order, near-equal, never empty", () => {
    expect(shardRanges(10, 3)).toEqual([{ start: 0, end: 4 }, { start: 4, end: 7 }, { start: 7, end: 10 }]);
    expect(shardRanges(2, 5)).toEqual([{ start: 0, end: 1 }, { start: 1, end: 2 }]);
    expect(shardRanges(0, 4)).toEqual([{ start: 0, end: 0 }]);
  });

  for (const [name, opts] of [
    ["coco", { protocol: "coco" as const }],
    ["coco, tied scores", { protocol: "coco" as const, tied: true }],
    ["class-agnostic, tied scores", { protocol: "coco" as const, classAgnostic: true, tied: true }],
    ["aitod (oLRP records TP matches)", { protocol: "aitod" as const, tied: true }],
  ] as const) {
    it(`merge of 1, 3 and 7 shards == one pass: ${name}`, () => {
      const { gt, dt } = synth({ tiedScores: "tied" in opts });
      const evalOpts = { protocol: opts.protocol, ...("classAgnostic" in opts ? { classAgnostic: true } : {}) };
      const plan = cocoEvalPlan(evalOpts);
      const whole = cocoMatch(gt, dt, plan.protocol.params, { similarity: plan.similarity, record: plan.record });
      const reference = cocoEvaluate(gt, dt, evalOpts);
      for (const k of [1, 3, 7]) {
        const parts = shardRanges(gt.imgIds.length, k).map((r) =>
          decodeMatch(encodeMatch(matchImageRange(gt, dt, plan.protocol.params, r.start, r.end, { similarity: plan.similarity, record: plan.record }))));
        const merged = mergeShardMatches(parts, dt.score);
        for (const f of ["catStart", "slotDet", "slotImg", "slotRank", "state", "groupImg", "groupCat", "groupNpig", "matchedGt", "matchedIou"] as const) {
          expect(firstDifference(merged[f], whole[f]), `${f} with ${k} shards`).toBe(-1);
        }
        const ev = cocoEvaluationOf(gt, dt, plan, merged);
        expect(ev.results.stats).toEqual(reference.results.stats);
        expect(ev.results.perCategory).toEqual(reference.results.perCategory);
        expect(firstDifference(ev.accumulated.precision, reference.accumulated.precision)).toBe(-1);
        expect(firstDifference(ev.accumulated.recall, reference.accumulated.recall)).toBe(-1);
      }
    });
  }

  it("a shard range outside the images is refused, naming the range", () => {
    const { gt, dt } = synth();
    expect(() => matchImageRange(gt, dt, cocoEvalPlan().protocol.params, 30, 41)).toThrow(/\[30, 41\) is outside the 40 images/);
  });
});
