import { describe, expect, it } from "vitest";
import { StudioHttpError } from "../../src/studio/schema.js";
import { StudioSessions, type StudioClick, type StudioDetection } from "../../src/studio/session.js";

/** A detector stand-in whose runs finish when the test says so; it records the clicks of every run. */
function controlled() {
  const runs: { image: number; clicks: StudioClick[]; finish: (d: StudioDetection[]) => void; fail: (e: Error) => void }[] = [];
  const run = (image: number, clicks: StudioClick[]) =>
    new Promise<{ detections: StudioDetection[]; timeMs: number }>((resolve, reject) => {
      runs.push({ image, clicks, finish: (detections) => resolve({ detections, timeMs: 5 }), fail: reject });
    });
  return { runs, run };
}
const det = (x: number, categoryId = 1): StudioDetection => ({ boxXyxy: [x, x, x + 4, x + 3], score: 0.9, categoryId, clickIndex: 0 });
const tick = () => new Promise((r) => setTimeout(r, 0));

function status(f: () => unknown): number {
  try {
    f();
  } catch (err) {
    return (err as StudioHttpError).status;
  }
  return 0;
}

describe("studio sessions", () => {
  it("runs one detection at a time; clicks that arrive meanwhile share the next run", async () => {
    const { runs, run } = controlled();
    const s = new StudioSessions(run, { maxQueued: 4 });
    const a = s.click(0, { x: 1, y: 1, categoryId: 1 });
    await tick();
    const b = s.click(0, { x: 2, y: 2, categoryId: 1 });
    const c = s.click(0, { x: 3, y: 3, categoryId: 1 });
    expect(s.busy).toBe(3);
    expect(runs).toHaveLength(1);
    expect(s.state(0).pending).toBe(true);
    runs[0]!.finish([det(1)]);
    const sa = await a;
    expect(sa.clicks).toHaveLength(3); // every accepted click is shown...
    expect(sa.detections).toEqual([det(1)]); // ...with the detections of the run that finished
    expect(sa.pending).toBe(true);
    await tick();
    expect(runs).toHaveLength(2);
    expect(runs[1]!.clicks).toEqual([{ x: 1, y: 1, categoryId: 1 }, { x: 2, y: 2, categoryId: 1 }, { x: 3, y: 3, categoryId: 1 }]);
    runs[1]!.finish([det(2)]);
    const [sb, sc] = await Promise.all([b, c]);
    expect(runs).toHaveLength(2); // the third click needed no run of its own
    expect(sb.detections).toEqual([det(2)]);
    expect(sc.pending).toBe(false);
    expect(s.busy).toBe(0);
  });

  it("refuses a click beyond maxClicks (429) and beyond maxQueued (429), leaving the state as it was", async () => {
    const { runs, run } = controlled();
    const s = new StudioSessions(run, { maxClicks: 2, maxQueued: 1 });
    const first = s.click(0, { x: 1, y: 1 });
    expect(status(() => s.click(1, { x: 1, y: 1 }))).toBe(429); // the queue holds one run
    expect(s.state(1).clicks).toEqual([]);
    await tick();
    runs[0]!.finish([]);
    expect((await first).message).toBe("nothing found for these clicks");
    const second = s.click(0, { x: 2, y: 2 });
    await tick();
    runs[1]!.finish([det(5)]);
    await second;
    const before = s.state(0);
    expect(status(() => s.click(0, { x: 3, y: 3 }))).toBe(429);
    expect(s.state(0)).toEqual(before);
    try {
      s.click(0, { x: 3, y: 3 });
    } catch (err) {
      expect((err as Error).message).toMatch(/image 0 has 2 clicks.*maxClicks 2.*undo or reset/);
    }
  });

  it("reset clears at once and discards a run in flight; undo re-runs the rest", async () => {
    const { runs, run } = controlled();
    const s = new StudioSessions(run);
    const a = s.click(0, { x: 1, y: 1 });
    await tick();
    const cleared = s.reset(0);
    expect(cleared.clicks).toEqual([]);
    runs[0]!.finish([det(1)]);
    expect((await a).detections).toEqual([]); // the stale run's boxes are not shown
    const b = s.click(0, { x: 1, y: 1 });
    await tick();
    runs[1]!.finish([det(1)]);
    await b;
    const c = s.click(0, { x: 9, y: 9 });
    await tick();
    runs[2]!.finish([det(1), det(9)]);
    await c;
    const undone = s.undo(0);
    await tick();
    expect(runs[3]!.clicks).toEqual([{ x: 1, y: 1 }]);
    runs[3]!.finish([det(1)]);
    expect((await undone).detections).toEqual([det(1)]);
    expect((await s.undo(0)).clicks).toEqual([]);
    expect(runs).toHaveLength(4); // undoing the last click needs no run
  });

  it("a failed run rolls the clicks back to the last run that worked and rejects", async () => {
    const { runs, run } = controlled();
    const s = new StudioSessions(run);
    const a = s.click(0, { x: 1, y: 1 });
    await tick();
    runs[0]!.finish([det(1)]);
    await a;
    const b = s.click(0, { x: 2, y: 2 });
    await tick();
    runs[1]!.fail(new Error("model exploded"));
    await expect(b).rejects.toThrow("model exploded");
    const st = s.state(0);
    expect(st.clicks).toEqual([{ x: 1, y: 1 }]);
    expect(st.detections).toEqual([det(1)]);
    expect(st.message).toBe("detection failed: model exploded");
  });

  it("exports COCO results: [x, y, w, h], image ids from the list (default index + 1)", async () => {
    const run = async (image: number) => ({
      detections: image === 0 ? [{ boxXyxy: [10, 20, 14.5, 23.25], score: 0.75, categoryId: 3, clickIndex: 0 }] : [{ boxXyxy: [1, 2, 3, 4], score: 0.5, categoryId: 1, clickIndex: 0 }],
      timeMs: 1,
    });
    const s = new StudioSessions(run);
    await s.click(2, { x: 2, y: 3, categoryId: 1 });
    await s.click(0, { x: 12, y: 21, categoryId: 3 });
    expect(s.results([42, 43, undefined])).toEqual([
      { image_id: 42, category_id: 3, bbox: [10, 20, 4.5, 3.25], score: 0.75 },
      { image_id: 3, category_id: 1, bbox: [1, 2, 2, 2], score: 0.5 },
    ]);
  });
});
