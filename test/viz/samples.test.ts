import { describe, expect, it } from "vitest";
import { sampleGridSvg, type SampleView } from "../../src/viz/samples.js";

function flat(w: number, h: number, v = 100): SampleView["image"] {
  return { width: w, height: h, data: new Uint8Array(w * h * 3).fill(v) };
}

const view: SampleView = {
  image: flat(64, 32),
  title: "uav <a&b>",
  boxes: [
    { bboxXywh: [10, 10, 3, 2], categoryId: 1 }, // 3 px wide: shown at 4x -> 12 px, no ring at cellSize 256
    { bboxXywh: [40, 5, 20, 20], categoryId: 2 },
    { bboxXywh: [30, 20, 2, 2], categoryId: 1, ignore: true },
  ],
};

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

describe("sampleGridSvg", () => {
  it("draws each box (halo + colour), escapes titles and sizes the document", () => {
    const svg = sampleGridSvg([view], { cellSize: 256, insets: 0 });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("uav &lt;a&amp;b&gt;");
    expect(count(svg, /data-category="/g)).toBe(3);
    expect(svg).toContain('stroke-dasharray="2 2"'); // the ignore region
    // 64 px shown as 256 px: scale 4; the first box at (10, 10) -> x = pad 10 + 40.
    expect(svg).toContain('x="50" y="66" width="12" height="8"');
    expect(svg).toMatch(/width="276" height="\d+"/);
    expect(count(svg, /class="ring"/g)).toBe(0);
  });

  it("rings boxes that would be smaller than ringBelowPx on screen", () => {
    const svg = sampleGridSvg([{ ...view, image: flat(1024, 512) }], { cellSize: 256, insets: 0 });
    // Scale 1/4: the 3x2 box is under a pixel, the 20x20 box 5 px: both ringed; ignore regions never.
    expect(count(svg, /class="ring"/g)).toBe(2);
  });

  it("adds magnified insets of the smallest non-ignored boxes, with native-pixel crops", () => {
    const svg = sampleGridSvg([view], { cellSize: 256, insets: 2 });
    expect(count(svg, /class="inset"/g)).toBe(2);
    const insets = [...svg.matchAll(/<g class="inset" data-category="(\d+)"/g)].map((m) => m[1]);
    expect(insets).toEqual(["1", "2"]); // smallest first; the ignore region is skipped
    expect(count(svg, /data:image\/jpeg;base64,/g)).toBe(1); // the image
    expect(count(svg, /data:image\/png;base64,/g)).toBe(2); // 2 native-pixel crops, lossless
  });

  it("lays out a grid and a legend with category names", () => {
    const svg = sampleGridSvg([view, view, view, view], { columns: 2, cellSize: 100, insets: 1, categoryNames: { 1: "car", 2: "bus" } });
    expect(svg).toMatch(/^<svg[^>]*width="230"/);
    expect(svg).toContain(">car</text>");
    expect(svg).toContain(">bus</text>");
  });

  it("cuts titles too long for the cell, keeping the full text as a tooltip", () => {
    const long = "x".repeat(80);
    const svg = sampleGridSvg([{ ...view, title: long }], { cellSize: 100, insets: 0 });
    expect(svg).toContain(`<title>${long}</title>${"x".repeat(14)}\u2026</text>`);
  });

  it("is deterministic", () => {
    expect(sampleGridSvg([view])).toBe(sampleGridSvg([view]));
  });
});
