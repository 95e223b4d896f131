import { describe, expect, it } from "vitest";
import { mergeBoxes } from "../../src/infer/merge.js";
import { overlapXyxy } from "../../src/structures/iou.js";
import { Random } from "../../src/util/random.js";

// A naive O(n^2) greedy NMS written independently of the sweep used by mergeBoxes.
function naiveNms(boxes: number[][], scores: number[], groups: number[], thr: number, metric: "iou" | "ios"): number[] {
  const m = (a: number[], b: number[]) => {
    const iw = Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!);
    const ih = Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!);
    if (iw <= 0 || ih <= 0) return 0;
    const inter = iw * ih;
    const A = (a[2]! - a[0]!) * (a[3]! - a[1]!), B = (b[2]! - b[0]!) * (b[3]! - b[1]!);
    return inter / (metric === "iou" ? A + B - inter : Math.min(A, B));
  };
  const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const dead = new Set<number>();
  const keep: number[] = [];
  for (const i of order) {
    if (dead.has(i)) continue;
    keep.push(i);
    for (const j of order) if (j !== i && !dead.has(j) && groups[i] === groups[j] && m(boxes[i]!, boxes[j]!) >= thr) dead.add(j);
  }
  return keep;
}

describe("overlapXyxy", () => {
  it("computes IoU and IoS by hand-checked values", () => {
    const a = [0, 0, 10, 10], b = [5, 0, 10, 10]; // inter 50, areas 100 and 50
    expect(overlapXyxy(a, 0, b, 0, "iou")).toBeCloseTo(0.5);
    expect(overlapXyxy(a, 0, b, 0, "ios")).toBeCloseTo(1);
    expect(overlapXyxy(a, 0, [10, 0, 20, 10], 0, "iou")).toBe(0);
  });
});

describe("mergeBoxes", () => {
  const boxes = new Float32Array([0, 0, 10, 10, 1, 1, 11, 11, 0, 0, 4, 10, 50, 50, 60, 60]);
  const scores = new Float32Array([0.9, 0.8, 0.7, 0.6]);

  it("NMS with IoU keeps the best of overlapping boxes and leaves a cut piece (IoU 0.4)", () => {
    const r = mergeBoxes(boxes, scores, [0, 0, 0, 0], { method: "nms", metric: "iou", threshold: 0.5 });
    expect(r.keep).toEqual([0, 2, 3]);
  });

  it("NMS with IoS also absorbs the piece contained in a bigger box", () => {
    const r = mergeBoxes(boxes, scores, [0, 0, 0, 0], { method: "nms", metric: "ios", threshold: 0.5 });
    expect(r.keep).toEqual([0, 3]);
    expect(Array.from(r.clusterSize)).toEqual([3, 1]);
  });

  it("NMM returns the union of each cluster", () => {
    const r = mergeBoxes(boxes, scores, [0, 0, 0, 0], { method: "nmm", metric: "ios", threshold: 0.5 });
    expect(Array.from(r.boxesXyxy.subarray(0, 4))).toEqual([0, 0, 11, 11]);
  });

  it("never merges boxes of different groups, and does not modify its inputs", () => {
    const before = Array.from(boxes);
    const r = mergeBoxes(boxes, scores, [0, 1, 2, 3], { method: "nmm", metric: "ios" });
    expect(r.keep).toEqual([0, 1, 2, 3]);
    expect(Array.from(boxes)).toEqual(before);
  });

  it("rejects an unknown method, listing the valid ones", () => {
    expect(() => mergeBoxes(boxes, scores, [0, 0, 0, 0], { method: "soft" as never })).toThrow(/"nms", "nmm"/);
  });

  it("agrees with a naive NMS on 600 random small boxes", () => {
    const rng = new Random(7);
    const list: number[][] = [], sc: number[] = [], gr: number[] = [];
    for (let i = 0; i < 600; i++) {
      const x = rng.uniform(0, 300), y = rng.uniform(0, 300), w = rng.uniform(2, 30), h = rng.uniform(2, 30);
      list.push([x, y, x + w, y + h]);
      sc.push(rng.next());
      gr.push(rng.int(3));
    }
    for (const metric of ["iou", "ios"] as const) {
      const r = mergeBoxes(Float32Array.from(list.flat()), Float32Array.from(sc), gr, { metric, threshold: 0.3 });
      const f32 = list.map((b) => Array.from(Float32Array.from(b)));
      expect(r.keep).toEqual(naiveNms(f32, Array.from(Float32Array.from(sc)), gr, 0.3, metric));
    }
  });
});
