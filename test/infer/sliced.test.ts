import { describe, expect, it } from "vitest";
import { detectSliced } from "../../src/infer/sliced.js";
import { Random } from "../../src/util/random.js";
import { ColourDetector, iou4, paintScene, type SceneObject } from "./colour-detector.js";

const RED: [number, number, number] = [220, 30, 30];
const BLUE: [number, number, number] = [30, 30, 220];

/** A 1200x900 scene: 60 small objects (half on slice seams) of two colours, plus one 600x30 bar. */
function scene(): { objects: SceneObject[]; image: ReturnType<typeof paintScene> } {
  const rng = new Random(3);
  const objects: SceneObject[] = [];
  const taken: number[][] = [];
  while (objects.length < 60) {
    const w = rng.intBetween(4, 14), h = rng.intBetween(4, 14);
    // Every other object straddles a multiple of 204 (the slice step for 256 px slices, overlap 0.2).
    const onSeam = objects.length % 2 === 0;
    const x = onSeam ? 204 * rng.intBetween(1, 5) + 256 - 204 - rng.intBetween(1, w - 1) : rng.intBetween(0, 1200 - w);
    const y = rng.intBetween(0, 800 - h);
    const box = [x - 3, y - 3, x + w + 3, y + h + 3];
    if (taken.some((t) => t[0]! < box[2]! && box[0]! < t[2]! && t[1]! < box[3]! && box[1]! < t[3]!)) continue;
    taken.push(box);
    objects.push({ x, y, w, h, rgb: objects.length % 3 === 0 ? BLUE : RED });
  }
  objects.push({ x: 300, y: 850, w: 600, h: 30, rgb: [20, 200, 20] });
  return { objects, image: paintScene(1200, 900, objects) };
}

const boxAt = (d: { boxesXyxy: Float32Array }, i: number) => Array.from(d.boxesXyxy.subarray(4 * i, 4 * i + 4));
const gtBox = (o: SceneObject) => [o.x, o.y, o.x + o.w, o.y + o.h];

describe("detectSliced", () => {
  const { objects, image } = scene();
  const red = objects.filter((o) => o.rgb === RED);
  const blue = objects.filter((o) => o.rgb === BLUE);

  it("one click per category finds every instance across all slices, once each, with one embedding call", async () => {
    const model = new ColourDetector({ inputSize: 256 });
    const clicks = [
      { x: red[0]!.x + 1.5, y: red[0]!.y + 1.5, categoryId: 1 },
      { x: blue[0]!.x + 1.5, y: blue[0]!.y + 1.5, categoryId: 2 },
    ];
    const { detections: d, stats } = await detectSliced(model, image, clicks);
    expect(stats.slices).toBe(6 * 5); // x starts 0..816 step 204 + 944; y 0..612 + 644
    expect(stats.slicesRun).toBe(30);
    expect(model.calls.embed).toBe(stats.embedCalls);
    expect(stats.embedCalls).toBeLessThanOrEqual(2);
    expect(stats.seamCut).toBeGreaterThan(0);
    for (const [objs, cat] of [[red, 1], [blue, 2]] as const) {
      for (const o of objs) {
        const hits = Array.from({ length: d.length }, (_, i) => i).filter(
          (i) => d.categoryIds[i] === cat && iou4(boxAt(d, i), gtBox(o)) > 0.5,
        );
        expect(hits.length, `object at ${o.x},${o.y}`).toBe(1);
        expect(iou4(boxAt(d, hits[0]!), gtBox(o))).toBeGreaterThan(0.99);
      }
    }
    expect(d.length).toBe(60);
    expect(stats.finalDetections).toBe(60);
    expect(stats.rawDetections).toBeGreaterThan(60);
  });

  it("joins the pieces of an object larger than the overlap that every slice cuts", async () => {
    const bar = objects[objects.length - 1]!;
    const { detections: d, stats } = await detectSliced(new ColourDetector({ inputSize: 256 }), image, [
      { x: bar.x + 10, y: bar.y + 10, categoryId: 5 },
    ]);
    expect(d.length).toBe(1);
    expect(boxAt(d, 0)).toEqual(gtBox(bar));
    expect(stats.seamJoined).toBeGreaterThan(0);
  });

  it("SAHI-style (reuseEmbeddings false) only prompts the slices holding the click and finds far fewer", async () => {
    const clicks = [{ x: red[0]!.x + 1.5, y: red[0]!.y + 1.5, categoryId: 1 }];
    const { detections: d, stats } = await detectSliced(new ColourDetector({ inputSize: 256 }), image, clicks, { reuseEmbeddings: false });
    expect(stats.slicesRun).toBeLessThan(stats.slices);
    expect(stats.embedCalls).toBe(0);
    expect(d.length).toBeLessThan(red.length / 2);
  });

  it("NMS with IoU leaves duplicate pieces on seams unless seam handling drops them", async () => {
    const clicks = [{ x: red[0]!.x + 1.5, y: red[0]!.y + 1.5, categoryId: 1 }];
    const nms = await detectSliced(new ColourDetector({ inputSize: 256 }), image, clicks, { mergeMethod: "nms", mergeMetric: "iou" });
    expect(nms.detections.length).toBe(red.length);
    expect(nms.stats.seamDropped).toBeGreaterThan(0);
  });

  it("runs an extra full-image pass when asked, and keeps the result free of duplicates", async () => {
    const model = new ColourDetector({ inputSize: 256 });
    const { detections: d, stats } = await detectSliced(model, image, [{ x: red[0]!.x + 1.5, y: red[0]!.y + 1.5, categoryId: 1 }], { fullImagePass: true });
    expect(stats.fullImagePass).toBe(true);
    expect(model.calls.pixels).toBe(30 * 256 * 256 + 1200 * 900);
    expect(d.length).toBe(red.length);
  });

  it("rejects clicks outside the image", async () => {
    await expect(detectSliced(new ColourDetector(), image, [{ x: 1201, y: 3 }])).rejects.toThrow(/click #0.*1201/);
  });
});
