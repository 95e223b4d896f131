import type { BrowserContext } from "playwright-core";
import { expect } from "vitest";
import type { PromptableDetector } from "../../src/structures/index.js";
import type { RgbImage } from "../../src/structures/image.js";
import { studioImageOf, type StudioCategory } from "../../src/studio/images.js";
import { startStudio } from "../../src/studio/server.js";
import { iou4 } from "../infer/colour-detector.js";
import { canvasPixels, decodePng, downloadOf, flush, listed, pagePoint, rgbOf, settled, viewOf } from "./browser-helpers.js";

/** What the flow prompts: two images, a tiny object in the first (xywh px) and its category. */
export interface FlowSubject {
  model: PromptableDetector;
  images: [RgbImage, RgbImage];
  target: { x: number; y: number; w: number; h: number; categoryId: number };
  categories: StudioCategory[];
}

const ROOT = "#dealkit-studio";
const HIGHLIGHT = [255, 235, 59]; // the page's hover colour, #ffeb3b
const pixelOf = (img: RgbImage, x: number, y: number) => Array.from(img.data.subarray(3 * (y * img.width + x), 3 * (y * img.width + x) + 3));
const near = (a: readonly number[], b: readonly number[], tol = 2) => a.slice(0, 3).every((v, i) => Math.abs(v - b[i]!) <= tol);

/**
 * The studio as a user meets it: zoom in on a tiny object with the wheel, see it in the magnifier, click
 * it, find a detection covering it, hover the list (the box lights up), export JSON and PNG (their content
 * checked against the image and the list), step to the next image and back.
 */
export async function studioFlow(context: BrowserContext, subject: FlowSubject): Promise<void> {
  const { target, images } = subject;
  const studio = await startStudio(subject.model, images.map((im, i) => studioImageOf(im, `scene-${i}.png`, 101 + i)), {
    display: false,
    scoreThreshold: 0.1,
    categories: subject.categories,
  });
  const page = await context.newPage();
  const failures: string[] = [];
  page.on("response", (r) => void (r.status() >= 400 && failures.push(`${r.status()} ${r.url()}`)));
  page.on("pageerror", (e) => failures.push(`page error: ${e.message}`));
  try {
    await page.goto(studio.url);
    await page.waitForSelector(`${ROOT}[data-state=ready][data-image="0"]`);
    expect(await page.textContent(`${ROOT} .dk-name`)).toBe("scene-0.png");
    const names = await page.$$eval(`${ROOT} select.dk-category option`, (os) => os.map((o) => o.textContent));
    expect(names).toEqual(subject.categories.map((c) => c.name));

    // 1. Zoom in with the wheel, about the cursor, until the tiny object spans >= 48 screen px.
    const cx = target.x + target.w / 2, cy = target.y + target.h / 2;
    const v0 = await viewOf(page, ROOT);
    const p0 = await pagePoint(page, ROOT, cx, cy);
    const mouse = { x: Math.round(p0.x), y: Math.round(p0.y) };
    await page.mouse.move(mouse.x, mouse.y);
    for (let i = 0; i < 20 && (await viewOf(page, ROOT)).s * Math.max(target.w, target.h) < 48; i++) {
      await page.mouse.wheel(0, -240);
      await flush(page);
    }
    const zoomed = await viewOf(page, ROOT);
    expect(zoomed.s).toBeGreaterThan(v0.s * 1.5);
    // The image point under the cursor stays put.
    const under = (v: typeof v0) => [(mouse.x - v.left - v.ox) / v.s, (mouse.y - v.top - v.oy) / v.s];
    expect(under(zoomed)[0]).toBeCloseTo(under(v0)[0]!, 3);
    expect(under(zoomed)[1]).toBeCloseTo(under(v0)[1]!, 3);
    const after = await pagePoint(page, ROOT, cx, cy);

    // 2. The magnifier under the cursor shows the image pixel there, larger still.
    await page.mouse.move(after.x + 1, after.y + 1);
    await page.mouse.move(after.x, after.y);
    await flush(page);
    expect(await page.$eval(`${ROOT} canvas.dk-lens`, (c) => getComputedStyle(c).display)).toBe("block");
    const centre = (await page.getAttribute(`${ROOT} canvas.dk-lens`, "data-centre"))!.split(",").map(Number);
    expect(Math.abs(centre[0]! - cx)).toBeLessThan(0.6);
    expect(Math.abs(centre[1]! - cy)).toBeLessThan(0.6);
    const [lensCentre] = await canvasPixels(page, `${ROOT} canvas.dk-lens`, [[88, 88]]);
    expect(near(lensCentre!, pixelOf(images[0], Math.floor(centre[0]!), Math.floor(centre[1]!))), JSON.stringify(lensCentre)).toBe(true);

    // 3. Click it with its category: a detection covers it.
    await page.selectOption(`${ROOT} select.dk-category`, String(target.categoryId));
    await page.mouse.click(after.x, after.y);
    await settled(page, ROOT, 1);
    const dets = await listed(page, ROOT);
    const hit = dets.findIndex((d) => iou4(d.box, [target.x, target.y, target.x + target.w, target.y + target.h]) >= 0.5);
    expect(hit, JSON.stringify({ target, dets })).toBeGreaterThanOrEqual(0);
    expect(dets[hit]!.category).toBe(target.categoryId);
    expect(await page.textContent(`${ROOT} li.dk-det[data-index="${hit}"] .dk-size`)).toBe(`${Math.round(dets[hit]!.box[2]! - dets[hit]!.box[0]!)}×${Math.round(dets[hit]!.box[3]! - dets[hit]!.box[1]!)} px`);

    // 4. Hovering its row lights its box up on the image.
    await page.mouse.move(5, 5);
    await page.hover(`${ROOT} li.dk-det[data-index="${hit}"]`);
    await flush(page);
    expect(await page.getAttribute(ROOT, "data-hover")).toBe(String(hit));
    expect(await page.getAttribute(`${ROOT} li.dk-det[data-index="${hit}"]`, "class")).toContain("dk-hover");
    // ...and the magnifier shows it close up, wherever the view is.
    expect(await page.$eval(`${ROOT} canvas.dk-lens`, (c) => getComputedStyle(c).display)).toBe("block");
    const hb = dets[hit]!.box;
    expect((await page.getAttribute(`${ROOT} canvas.dk-lens`, "data-centre"))!.split(",").map(Number)).toEqual([((hb[0]! + hb[2]!) / 2), ((hb[1]! + hb[3]!) / 2)].map((c) => Number(c.toFixed(2))));
    const v = await viewOf(page, ROOT);
    const [bx1, by1, bx2] = dets[hit]!.box as [number, number, number, number];
    const edge: [number, number][] = [];
    for (let x = Math.ceil(v.ox + bx1 * v.s) + 2; x < v.ox + bx2 * v.s - 2; x++) for (const dy of [-1, 0, 1]) edge.push([x, Math.round(v.oy + by1 * v.s) + dy]);
    expect((await canvasPixels(page, `${ROOT} canvas.dk-view`, edge)).some((p) => near(p, HIGHLIGHT, 0))).toBe(true);

    // 5. Export JSON: the listed detections as COCO results of image 101.
    const json = await downloadOf(page, () => page.click(`${ROOT} button.dk-export-json`));
    expect(json.name).toBe("dealkit-detections.json");
    const results = JSON.parse(json.bytes.toString("utf8")) as { image_id: number; category_id: number; bbox: number[]; score: number }[];
    expect(results).toHaveLength(dets.length);
    const [x1, y1, x2, y2] = dets[hit]!.box as [number, number, number, number];
    expect(results.some((r) => r.image_id === 101 && r.category_id === target.categoryId && r.score === dets[hit]!.score &&
      [x1, y1, x2 - x1, y2 - y1].every((q, i) => Math.abs(q - r.bbox[i]!) < 0.011))).toBe(true);

    // 6. Export PNG: the view as drawn; image pixels are the image's, the box is drawn in its category's colour.
    const png = await downloadOf(page, () => page.click(`${ROOT} button.dk-export-png`));
    expect(png.name).toBe("scene-0-view.png");
    const shot = await decodePng(png.bytes);
    expect([shot.width, shot.height]).toEqual([Math.round(v.width), Math.round(v.height)]);
    const at = (x: number, y: number) => Array.from(shot.data.subarray((y * shot.width + x) * shot.channels, (y * shot.width + x) * shot.channels + 3));
    const far = (sx: number, sy: number) => dets.every((d) => sx < v.ox + d.box[0]! * v.s - 14 || sx > v.ox + d.box[2]! * v.s + 14 || sy < v.oy + d.box[1]! * v.s - 14 || sy > v.oy + d.box[3]! * v.s + 14) &&
      Math.hypot(sx - after.x + v.left, sy - after.y + v.top) > 12;
    let compared = 0;
    for (let iy = 0; iy < images[0].height; iy += 3) {
      for (let ix = 0; ix < images[0].width; ix += 3) {
        const sx = Math.floor(v.ox + (ix + 0.5) * v.s), sy = Math.floor(v.oy + (iy + 0.5) * v.s);
        if (sx < 0 || sy < 0 || sx >= shot.width || sy >= shot.height || !far(sx, sy)) continue;
        expect(near(at(sx, sy), pixelOf(images[0], ix, iy)), `view (${sx}, ${sy}) = image (${ix}, ${iy})`).toBe(true);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(20);
    const colour = rgbOf(await page.$eval(`${ROOT} li.dk-det[data-index="${hit}"] .dk-swatch`, (e) => getComputedStyle(e).backgroundColor));
    expect(edge.some(([x, y]) => near(at(x, y), colour, 0))).toBe(true);

    // 7. Next image: its own (empty) state; back again: the clicks are kept.
    await page.click(`${ROOT} button.dk-next`);
    await page.waitForSelector(`${ROOT}[data-state=ready][data-image="1"]`);
    expect(await page.textContent(`${ROOT} .dk-name`)).toBe("scene-1.png");
    expect(await page.textContent(`${ROOT} .dk-pos`)).toBe("(2 / 2)");
    expect(await page.getAttribute(ROOT, "data-clicks")).toBe("0");
    expect(await page.locator(`${ROOT} li.dk-det`).count()).toBe(0);
    expect(await page.isDisabled(`${ROOT} button.dk-next`)).toBe(true);
    await page.click(`${ROOT} button.dk-prev`);
    await page.waitForSelector(`${ROOT}[data-state=ready][data-image="0"]`);
    await settled(page, ROOT, 1);
    expect((await listed(page, ROOT)).map((d) => d.box)).toEqual(dets.map((d) => d.box));
    expect(failures).toEqual([]); // no refused request (the favicon included), no script error
  } finally {
    await page.close();
    await studio.close();
  }
}
