import { describe, expect, it } from "vitest";
import { vegaLiteToSvg } from "../../src/kernel/vegalite.js";
import type { Detections } from "../../src/structures/detections.js";
import { detectionsSvg } from "../../src/viz/detections.js";
import { apHeatmapSpec, confusionHeatmapSpec, dapBarsSpec } from "../../src/viz/errors.js";
import { radarSpec } from "../../src/viz/radar.js";

// Every chart must be readable at notebook width without being squeezed: an exported notebook's output area
// is ~1150 px wide at a 1280 px window, and an <img> wider than that is scaled down (a 5054 px chart became
// 1258 x 107, unreadable). The bounds below are that width with a margin, and a height that fits a screen.
const MAX_W = 1000;
const MAX_H = 800;

/** [width, height] of each rect of the chart's rect marks (vega draws them as paths "M x,y h W v H h -W Z"). */
function rects(svg: string): number[][] {
  const groups = [...svg.matchAll(/<g class="mark-rect role-mark[^"]*"[^>]*>([\s\S]*?)<\/g>/g)].map((m) => m[1]!).join("");
  return [...groups.matchAll(/d="M[\d.-]+,[\d.-]+h([\d.]+)v([\d.-]+)h/g)].map((m) => [Number(m[1]), Math.abs(Number(m[2]))]);
}

function svgSize(svg: string): { width: number; height: number } {
  const m = /^<svg[^>]*?\swidth="([\d.]+)"[^>]*?\sheight="([\d.]+)"/.exec(svg);
  if (!m) throw new Error(`no width/height on the root <svg>: ${svg.slice(0, 120)}`);
  return { width: Number(m[1]), height: Number(m[2]) };
}

const TYPES = ["classification", "localisation", "both", "duplicate", "background", "missed"];
// Seven domains (TinySet-mini's six and the held-out data set) and the longest names the notebooks use.
const DOMAINS = ["remote-sensing", "uav", "daily-life", "driving", "microscopy", "agriculture", "heldout-dataset"];
const SIZES = ["veryTiny", "tiny", "small", "medium", "all"];

describe("chart sizes at notebook width", () => {
  it("dAP bars: all domains and error types fit the width, one bar is at least 10 px wide", async () => {
    const rows = DOMAINS.flatMap((domain) => TYPES.map((errorType, i) => ({ domain, errorType, sizeBin: "all", dAP: 0.004 * i, count: i })));
    const svg = await vegaLiteToSvg(dapBarsSpec(rows, { title: "DEAL-tiny: dAP per error type and domain" }));
    const { width, height } = svgSize(svg);
    expect(width).toBeLessThanOrEqual(MAX_W);
    expect(height).toBeLessThanOrEqual(MAX_H);
    // The bars: 42 rect paths inside the mark group; their widths come from "M x,y h W" in vega's SVG.
    const bars = rects(svg).map((r) => r[0]!);
    expect(bars.length).toBe(DOMAINS.length * TYPES.length);
    expect(Math.min(...bars)).toBeGreaterThanOrEqual(10);
  });

  it("AP heatmap: each cell is wider than its label, so labels never overlap", async () => {
    const rows = DOMAINS.flatMap((domain) => SIZES.map((sizeBin, i) => ({ domain, sizeBin, ap: i === 0 ? 1 : 0.123 })));
    const svg = await vegaLiteToSvg(apHeatmapSpec(rows, { title: "DEAL-tiny: AP@.5 by domain and object size" }));
    const { width, height } = svgSize(svg);
    expect(width).toBeLessThanOrEqual(MAX_W);
    expect(height).toBeLessThanOrEqual(MAX_H);
    const cells = rects(svg);
    expect(cells.length).toBe(DOMAINS.length * SIZES.length);
    // The widest label is "100.0": 5 characters of an 11 px sans-serif font, at most ~0.65 em each = 36 px.
    expect(Math.min(...cells.map((c) => c[0]!))).toBeGreaterThanOrEqual(40);
    expect(Math.min(...cells.map((c) => c[1]!))).toBeGreaterThanOrEqual(16); // 11 px text in the row
  });

  it("radar: long method names appear whole in the legend", async () => {
    const methods = ["DEAL-tiny (one click per category)", "DEAL-tiny (random training clicks)", "baseline-tiny (supervised, no clicks)"];
    const rows = methods.flatMap((method, m) => DOMAINS.slice(0, 6).map((domain, d) => ({ method, domain, value: 10 + m + d })));
    const svg = await vegaLiteToSvg(radarSpec(rows, { title: "AP.5 per domain (test split)" }));
    const { width, height } = svgSize(svg);
    expect(width).toBeLessThanOrEqual(MAX_W);
    expect(height).toBeLessThanOrEqual(MAX_H);
    for (const m of methods) expect(svg).toContain(`>${m}</text>`);
    expect(svg).not.toContain("…");
  });

  it("detections view of a small image with many tiny boxes: insets wrap into rows within 1000 px", () => {
    const n = 12;
    const boxes = new Float32Array(4 * n);
    for (let i = 0; i < n; i++) boxes.set([10 + 20 * i, 10 + 15 * i, 16 + 20 * i, 15 + 15 * i], 4 * i);
    const dets: Detections = { length: n, boxesXyxy: boxes, scores: new Float32Array(n).fill(0.5), categoryIds: new Int32Array(n), clickIndex: new Int32Array(n) };
    const image = { width: 256, height: 256, data: new Uint8Array(256 * 256 * 3).fill(90) };
    const svg = detectionsSvg(image, dets, { displayMaxSide: 512, title: "a 256 px image, 12 insets" });
    expect((svg.match(/class="inset"/g) ?? []).length).toBe(12);
    const { width, height } = svgSize(svg);
    // 256 px image + 4 inset columns of 3 (5 would fit): 780 px; before, 12 insets took 12 columns (1800 px).
    expect(width).toBeLessThanOrEqual(MAX_W);
    expect(width).toBeGreaterThan(256 + 4 * 128);
    expect(height).toBeLessThanOrEqual(MAX_H);
    // Inset captions fit their 120 px inset at 11 px (~6.2 px a character), so neighbours never overlap.
    const captions = [...svg.matchAll(/<g class="inset">[\s\S]*?<\/title>([^<]*)<\/text><\/g>/g)].map((m) => m[1]!);
    expect(captions).toHaveLength(12);
    for (const c of captions) expect(c.length * 6.2).toBeLessThanOrEqual(120);
  });

  it("inset captions with several boxes are shortened, the full text kept as a tooltip", () => {
    const n = 4;
    const boxes = new Float32Array(4 * n);
    for (let i = 0; i < n; i++) boxes.set([100 + 2 * i, 100, 106 + 2 * i, 106], 4 * i); // four tiny boxes in one inset
    const dets: Detections = { length: n, boxesXyxy: boxes, scores: Float32Array.from([0.91, 0.82, 0.73, 0.64]), categoryIds: new Int32Array(n), clickIndex: new Int32Array(n) };
    const image = { width: 256, height: 256, data: new Uint8Array(256 * 256 * 3).fill(90) };
    const svg = detectionsSvg(image, dets, { categoryNames: { 0: "car" } });
    const m = /<g class="inset">[\s\S]*?<title>([^<]*)<\/title>([^<]*)<\/text>/.exec(svg)!;
    expect(m[1]).toMatch(/^1: car 0\.91, car 0\.82 \+2 ×[\d.]+$/);
    expect(m[2]).toBe("1: car 0.91 +3");
  });
});

describe("confusion heatmap at notebook width", () => {
  it("TinySet-mini's categories (and the none row/column) fit in 1000 px, cells wide enough for a count", async () => {
    const names = Object.fromEntries(Array.from({ length: 24 }, (_, i) => [i + 1, `category-name-${i + 1}`]));
    const ids = [-1, ...Object.keys(names).map(Number)];
    const rows = ids.flatMap((g) => ids.map((d) => ({ gtCategoryId: g, detCategoryId: d, count: g === d ? 117 : 1, fraction: g === d ? 0.9 : 0.01 })));
    const svg = await vegaLiteToSvg(confusionHeatmapSpec(rows, names));
    const { width, height } = svgSize(svg);
    expect(width).toBeLessThanOrEqual(MAX_W);
    expect(height).toBeLessThanOrEqual(MAX_H);
    const cells = rects(svg);
    expect(cells.length).toBe(ids.length * ids.length);
    expect(Math.min(...cells.map((c) => c[0]!))).toBeGreaterThanOrEqual(24); // "117" at 11 px is ~20 px
  });
});

describe("detections view of a small photo", () => {
  it("upscale draws a 256 px image at displayMaxSide, boxes in image coordinates, within 1000 px with insets", () => {
    const dets: Detections = { length: 1, boxesXyxy: Float32Array.from([100, 100, 106, 106]), scores: Float32Array.from([0.5]), categoryIds: new Int32Array(1), clickIndex: new Int32Array(1) };
    const image = { width: 256, height: 256, data: new Uint8Array(256 * 256 * 3).fill(90) };
    const svg = detectionsSvg(image, dets, { displayMaxSide: 512, upscale: true });
    expect(svg).toMatch(/class="main" x="0" y="4" width="512" height="512" viewBox="0 0 256 256"/);
    expect(svgSize(svg).width).toBeLessThanOrEqual(MAX_W);
    expect(detectionsSvg(image, dets, { displayMaxSide: 512 })).toMatch(/class="main" x="0" y="4" width="256" height="256"/);
  });
});
