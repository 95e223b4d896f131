import { describe, expect, it } from "vitest";
import { createProgress, progressText, type MimeBundle } from "../../src/kernel/index.js";

describe("progress", () => {
  it("publishes once, then updates the same display in place, throttled", () => {
    let t = 1000;
    const calls: { bundle: MimeBundle; id?: string; update?: boolean }[] = [];
    const p = createProgress({ label: "train", total: 4, minIntervalMs: 100, now: () => t, sink: (bundle, id, update) => void calls.push({ bundle, id, update }) });
    t += 10;
    p.update(1, { loss: 0.123456 }); // throttled: 10 ms after the first draw
    t += 200;
    p.update(2);
    p.done({ loss: 0.05 });
    p.update(3); // ignored after done
    expect(calls.length).toBe(3);
    expect(calls.map((c) => c.update)).toEqual([false, true, true]);
    expect(new Set(calls.map((c) => c.id)).size).toBe(1);
    expect(calls[0]!.id).toMatch(/^dealkit-progress-/);
    expect(calls[2]!.bundle["text/plain"]).toBe("train 2/4 [##########----------]  50% loss=0.05 0.2s done");
    expect(calls[2]!.bundle["text/html"]).toContain('<progress value="0.5000" max="1"');
    expect(p.state).toMatchObject({ value: 2, done: true, info: { loss: 0.05 } });
  });

  it("writes text lines outside a kernel when given a stream, and nothing otherwise", () => {
    const lines: string[] = [];
    let t = 0;
    const p = createProgress({ label: "eval", minIntervalMs: 0, now: () => t, stream: { write: (s) => lines.push(s) } });
    t = 500;
    p.increment();
    t = 1000;
    p.increment(2, { ap: 0.5 });
    t = 1500;
    p.done();
    expect(lines).toEqual(["eval 0 0.0s\n", "eval 1 0.5s\n", "eval 3 ap=0.5 1.0s\n", "eval 3 ap=0.5 1.5s done\n"]);
    const silent = createProgress({ total: 2 });
    silent.update(2);
    silent.done();
    expect(silent.state.done).toBe(true);
  });

  it("formats a state as one line", () => {
    expect(progressText({ label: "fit", value: 1, total: 3, info: { lr: 0.001 }, elapsedMs: 2500, done: false }, 6)).toBe(
      "fit 1/3 [##----]  33% lr=0.001 2.5s",
    );
  });
});
