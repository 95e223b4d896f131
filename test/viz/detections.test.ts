import sharp from "sharp";
import { describe, expect, it } from "vitest";
import type { Detections } from "../../src/structures/index.js";
import { detectionsSvg, matchForView } from "../../src/viz/detections.js";
import { MATCH_COLOURS, encodeRgbPng, svgToPngBytes } from "../../src/viz/svg.js";

function list(boxes: number[][], scores: number[], cats?: number[]): Detections {
  return {
    length: boxes.length,
    boxesXyxy: Float32Array.from(boxes.flat()),
    scores: Float32Array.from(scores),
    categoryIds: Int32Array.from(cats ?? boxes.map(() => 1)),
    clickIndex: Int32Array.from(boxes.map(() => 0)),
  };
}
function grey(w: number, h: number, v = 100) {
  return { width: w, height: h, data: new Uint8Array(w * h * 3).fill(v) };
}
const count = (svg: string, re: RegExp) => (svg.match(re) ?? []).length;

describe("matchForView", () => {
  it("greedy by score: the better detection takes the ground truth, the duplicate is a FP", () => {
    const gt = { gtBoxesXyxy: [10, 10, 20, 20, 50, 50, 58, 58] };
    const d = list([[11, 10, 21, 20], [10, 10, 20, 20], [100, 100, 110, 110]], [0.6, 0.9, 0.8]);
    const m = matchForView(d, gt);
    expect(m.detection).toEqual(["fp", "tp", "fp"]);
    expect(m.gtMatched).toEqual([true, false]);
  });

  it("respects categories unless a side is -1", () => {
    const gt = { gtBoxesXyxy: [10, 10, 20, 20], gtCategoryIds: [2] };
    expect(matchForView(list([[10, 10, 20, 20]], [0.9], [1]), gt).detection).toEqual(["fp"]);
    expect(matchForView(list([[10, 10, 20, 20]], [0.9], [-1]), gt).detection).toEqual(["tp"]);
  });
});

describe("detectionsSvg", () => {
  const image = grey(200, 100);
  const gt = { gtBoxesXyxy: [10, 10, 18, 18, 60, 20, 100, 60, 150, 70, 156, 76] };
  const dets = list([[10, 10, 18, 18], [60, 20, 100, 60], [120, 10, 126, 16]], [0.9, 0.8, 0.95]);

  it("colours TP / FP / FN, draws clicks, and magnifies every box under 16 px, errors first", () => {
    const svg = detectionsSvg(image, dets, { groundTruth: gt, clicks: [{ x: 14, y: 14 }] });
    expect(count(svg, /class="det det-tp"/g)).toBe(2 * 1 + 1); // two TPs on the main view, the tiny one again in its inset
    expect(count(svg, /class="det det-fp"/g)).toBe(2); // main view + inset
    expect(count(svg, /class="det det-fn"/g)).toBe(2);
    expect(count(svg, /class="halo"/g)).toBe(3); // the 8, 6 and 6 px boxes, not the 40 px one
    expect(count(svg, /class="inset"/g)).toBe(3);
    const captions = [...svg.matchAll(/<text x="[\d.]+" y="[\d.]+" font-size="11"><title>[^<]*<\/title>(\d+): (\w+)/g)].map((m) => m[2]);
    expect(captions).toEqual(["FN", "FP", "TP"]);
    expect(count(svg, /class="click"/g)).toBe(1);
    expect(svg).toContain("TP 2");
    expect(svg).toContain(`stroke="${MATCH_COLOURS.fn}"`);
  });

  it("without ground truth colours by category, names categories and honours maxInsets", () => {
    const svg = detectionsSvg(image, list([[10, 10, 18, 18], [30, 30, 36, 36]], [0.9, 0.8], [3, 4]), { categoryNames: { 3: "car" }, maxInsets: 1 });
    expect(count(svg, /class="inset"/g)).toBe(1);
    expect(svg).toContain("car 0.90");
    expect(svg).toContain("cat 4 0.80");
    expect(svg).not.toContain("det-tp");
  });

  it("downscales a huge image in the embedded raster and the display, keeping boxes in image coordinates", async () => {
    const big = grey(5000, 3000);
    const svg = detectionsSvg(big, list([[4000, 2000, 4010, 2008]], [0.5]), { imageMaxSide: 1000, displayMaxSide: 500, embedFormat: "png" });
    const uri = svg.match(/href="data:image\/png;base64,([^"]+)"/)![1]!;
    const png = Buffer.from(uri, "base64");
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1000, 600]);
    // The default embeds a JPEG (quality 90) of the same size: a fraction of the PNG's bytes on real scenes.
    const jpg = detectionsSvg(big, list([[4000, 2000, 4010, 2008]], [0.5]), { imageMaxSide: 1000, displayMaxSide: 500 });
    const jpeg = Buffer.from(jpg.match(/href="data:image\/jpeg;base64,([^"]+)"/)![1]!, "base64");
    expect(jpeg.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect((await sharp(jpeg).metadata()).width).toBe(1000);
    expect(svg).toMatch(/class="main" x="0" y="4" width="500" height="300" viewBox="0 0 5000 3000"/);
    expect(svg).toContain('x="4000" y="2000" width="10" height="8"');
  });

  it("does not modify its inputs", () => {
    const before = Array.from(dets.boxesXyxy);
    detectionsSvg(image, dets, { groundTruth: gt });
    expect(Array.from(dets.boxesXyxy)).toEqual(before);
  });

  it("renders to a PNG through sharp with the TP outline in green at the box", async () => {
    const svg = detectionsSvg(image, list([[60, 20, 100, 60]], [0.9]), { groundTruth: { gtBoxesXyxy: [60, 20, 100, 60] }, labels: false });
    const png = await svgToPngBytes(svg);
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect(info.width).toBeGreaterThanOrEqual(200);
    const at = (x: number, y: number) => Array.from(data.subarray(3 * (y * info.width + x), 3 * (y * info.width + x) + 3));
    // main view at y offset 4: the left edge of the box is at x = 60, the middle at y = 4 + 40.
    const edge = at(60, 44);
    expect(edge[1]!).toBeGreaterThan(edge[0]! + 40); // green dominates
    expect(at(80, 44)).toEqual([100, 100, 100]); // inside the box: the image
  });
});

describe("encodeRgbPng", () => {
  it("round-trips through sharp's PNG decoder", async () => {
    const img = { width: 3, height: 2, data: Uint8Array.from({ length: 18 }, (_, i) => i * 13) };
    const { data, info } = await sharp(encodeRgbPng(img)).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([3, 2, 3]);
    expect(Array.from(data)).toEqual(Array.from(img.data));
  });
});
