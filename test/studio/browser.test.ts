import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../src/backend/init.js";
import { synthCategories } from "../../src/data/synth/catalog.js";
import { generateImage } from "../../src/data/synth/scene.js";
import { SYNTH_DOMAINS } from "../../src/data/synth/types.js";
import { detect } from "../../src/infer/detect.js";
import type { PromptableDetector } from "../../src/structures/index.js";
import { startStudio, type StudioHandle } from "../../src/studio/server.js";
import { loadCheckpoint } from "../../src/train/checkpoint.js";
import { Random } from "../../src/util/random.js";
import { ColourDetector, iou4, paintScene } from "../infer/colour-detector.js";
import { SKIP_BROWSER, clickImage, launch, listed, pagePoint, settled } from "./browser-helpers.js";
import { studioFlow, type FlowSubject } from "./browser-flow.js";

// The detector: the pretrained DEAL-tiny on generated TinySet-mini scenes when the checkpoint is shipped, and
// the colour-matching test double on painted scenes (the page, server and guard, whatever the model's quality).
const CKPT = path.resolve(__dirname, "..", "..", "datasets", "models", "deal-tiny");
const PRETRAINED = fs.existsSync(path.join(CKPT, "manifest.json"));
const RED: [number, number, number] = [220, 30, 30];

/**
 * A generated scene with a tiny object (longer side < 16 px) that a click on its centre, with its category,
 * makes DEAL-tiny find (IoU >= 0.6, through the library API), so that the browser test checks the page and
 * not the model's recall; the next scene of the same domain is the second image. Fails clearly when the
 * model finds none of the tiny objects it tries.
 */
async function dealSubject(model: PromptableDetector): Promise<FlowSubject> {
  const tried: string[] = [];
  for (const seed of [1, 2, 3]) {
    for (const domain of SYNTH_DOMAINS) {
      const scene = generateImage(domain, new Random(seed), { width: 256, density: "sparse" });
      const tiny = scene.annotations.filter((a) => !a.ignore && Math.max(a.bboxXywh[2], a.bboxXywh[3]) < 16).sort((p, q) => q.area - p.area).slice(0, 2);
      for (const a of tiny) {
        const [x, y, w, h] = a.bboxXywh;
        const click = { x: Math.round((x + w / 2) * 100) / 100, y: Math.round((y + h / 2) * 100) / 100, categoryId: a.categoryId };
        const d = await detect(model, scene.image, [click], { scoreThreshold: 0.1 });
        const best = Math.max(0, ...Array.from({ length: d.length }, (_, i) => iou4(d.boxesXyxy.subarray(4 * i, 4 * i + 4), [x, y, x + w, y + h])));
        if (best >= 0.6) {
          const next = generateImage(domain, new Random(seed + 100), { width: 256, density: "sparse" }).image;
          const categories = synthCategories().filter((c) => c.domain === domain).map((c) => ({ id: c.id, name: c.name }));
          return { model, images: [scene.image, next], target: { x, y, w, h, categoryId: a.categoryId }, categories };
        }
        tried.push(`${domain} seed ${seed} ${a.category} ${w.toFixed(0)}x${h.toFixed(0)}: IoU ${best.toFixed(2)}`);
      }
    }
  }
  throw new Error(`the DEAL checkpoint in ${CKPT} finds none of the tiny objects it is clicked on (${tried.join("; ")}): is it trained?`);
}

describe.skipIf(SKIP_BROWSER)("studio in headless Chromium: zoom, magnify, click a tiny object, list, export, step", () => {
  let context: BrowserContext;
  let profile: string;
  beforeAll(async () => {
    await initBackend(); // the project's default choice (wasm here), as the CLI and notebooks use
    profile = fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-chromium-"));
    context = await launch(profile);
  });
  afterAll(async () => {
    await context?.close();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  it.skipIf(!PRETRAINED)("DEAL-tiny on generated TinySet-mini scenes", async () => {
    const model = loadCheckpoint(CKPT).model;
    try {
      await studioFlow(context, await dealSubject(model));
    } finally {
      model.dispose();
    }
  });

  it("the colour test double on painted scenes, with a 3x2 px object", async () => {
    const images: FlowSubject["images"] = [
      paintScene(320, 240, [{ x: 150, y: 100, w: 3, h: 2, rgb: RED }, { x: 40, y: 200, w: 12, h: 10, rgb: [30, 30, 220] }]),
      paintScene(200, 150, [{ x: 10, y: 10, w: 5, h: 5, rgb: RED }]),
    ];
    await studioFlow(context, { model: new ColourDetector(), images, target: { x: 150, y: 100, w: 3, h: 2, categoryId: 7 }, categories: [{ id: 3, name: "boat" }, { id: 7, name: "red dot" }] });
  });
});

// The page, the server and its guard across origins, with the colour-matching test double.
describe.skipIf(SKIP_BROWSER)("studio in headless Chromium: origins and refusals", () => {
  const image = paintScene(320, 240, [{ x: 60, y: 40, w: 12, h: 10, rgb: RED }, { x: 200, y: 150, w: 8, h: 8, rgb: RED }]);
  const TARGET = [60, 40, 72, 50];
  let context: BrowserContext;
  let profile: string;
  let studio: StudioHandle;
  let strict: StudioHandle;
  let notebook: http.Server;
  let notebookOrigin: string;

  beforeAll(async () => {
    studio = await startStudio(new ColourDetector(), image, { display: false, scoreThreshold: 0.1 });
    // A studio that accepts no origin but its own, to show the server (not only the browser) refuses.
    strict = await startStudio(new ColourDetector(), image, { display: false, allowLoopbackOrigins: false });
    // A stand-in for the Jupyter server: another loopback origin serving the inline output.
    notebook = http.createServer((req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(`<!DOCTYPE html><html><body><h1>notebook</h1>${req.url === "/strict" ? strict.html : studio.html}</body></html>`);
    });
    await new Promise<void>((r) => notebook.listen(0, "127.0.0.1", r));
    notebookOrigin = `http://localhost:${(notebook.address() as { port: number }).port}`;
    profile = fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-chromium-"));
    context = await launch(profile);
  });

  afterAll(async () => {
    await context?.close();
    await studio?.close();
    await strict?.close();
    await new Promise((r) => (notebook ? notebook.close(r) : r(undefined)));
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  it("standalone page: a click draws a detection on the object; a second click of its category merges; reset clears", async () => {
    const page = await context.newPage();
    await page.goto(studio.url);
    await page.waitForSelector("#dealkit-studio[data-state=ready]");
    await clickImage(page, "#dealkit-studio", 66, 45, 1);
    const boxes = (await listed(page, "#dealkit-studio")).map((d) => d.box);
    expect(boxes.some((b) => iou4(b, TARGET) >= 0.99), JSON.stringify(boxes)).toBe(true);
    expect(boxes).toHaveLength(2);
    await clickImage(page, "#dealkit-studio", 204, 154, 2); // the other red object, same category
    expect((await listed(page, "#dealkit-studio")).map((d) => d.box).sort()).toEqual([...boxes].sort());
    await page.click("#dealkit-studio button.dk-reset");
    await settled(page, "#dealkit-studio", 0);
    expect(await page.locator("#dealkit-studio li.dk-det").count()).toBe(0);
    // A drag pans the view by the distance dragged and adds no click.
    const before = (await page.getAttribute("#dealkit-studio", "data-view"))!.split(",").map(Number);
    const start = await pagePoint(page, "#dealkit-studio", 160, 120);
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    await page.mouse.move(start.x - 30, start.y - 20, { steps: 5 });
    await page.mouse.up();
    const moved = (await page.getAttribute("#dealkit-studio", "data-view"))!.split(",").map(Number);
    expect([moved[0], moved[1]! - before[1]!, moved[2]! - before[2]!]).toEqual([before[0], -30, -20]);
    expect(await page.getAttribute("#dealkit-studio", "data-clicks")).toBe("0");
    expect(studio.state().clicks).toEqual([]);
    // A new category from the page: named, selected, and offered from then on.
    await page.click("#dealkit-studio button.dk-add-cat");
    await page.fill("#dealkit-studio input.dk-cat-name", "red square");
    await page.click("#dealkit-studio button.dk-cat-ok");
    await page.waitForFunction(() => document.querySelector<HTMLSelectElement>("#dealkit-studio select.dk-category")!.selectedOptions[0]!.textContent === "red square");
    expect(await page.$$eval("#dealkit-studio select.dk-category option", (os) => os.map((o) => [(o as HTMLOptionElement).value, o.textContent]))).toEqual([["1", "category 1"], ["2", "red square"]]);
    await page.close();
  });

  it("inline output on the notebook's (loopback) origin works across origins through CORS", async () => {
    const page = await context.newPage();
    await page.goto(notebookOrigin);
    const root = `#${studio.html.match(/id="(dealkit-studio-[0-9a-f]+)"/)![1]}`;
    await page.waitForSelector(`${root}[data-state=ready]`);
    await clickImage(page, root, 66.5, 45.5, 1);
    const boxes = (await listed(page, root)).map((d) => d.box);
    expect(boxes.some((b) => iou4(b, TARGET) >= 0.99), JSON.stringify(boxes)).toBe(true);
    // The exported view of a cross-origin page is readable (the image is served with CORS, not tainted).
    expect(await page.$eval(`${root} canvas.dk-view`, (c) => (c as HTMLCanvasElement).toDataURL("image/png").length)).toBeGreaterThan(1000);
    await page.close();
  });

  it("refuses the page without its token, a foreign origin, and an oversized body", async () => {
    const page = await context.newPage();
    const tokenless = await page.goto(studio.origin + "/");
    expect(tokenless!.status()).toBe(401);
    // A page on an origin the server does not accept: the browser sends the requests (loopback to loopback)
    // and the server refuses them, so the page reports an error (and still shows its inline image).
    await page.goto(`${notebookOrigin}/strict`);
    const root = `#${strict.html.match(/id="(dealkit-studio-[0-9a-f]+)"/)![1]}`;
    await page.waitForSelector(`${root}[data-state=error]`, { timeout: 20_000 });
    expect(await page.textContent(`${root} .dk-status`)).toMatch(/could not reach the studio server \(it has stopped, or it refuses this page's origin\)/);
    expect(strict.state().version).toBe(0);
    // The same page on the studio's own origin is accepted (the refusal above was the origin rule).
    await page.goto(strict.url);
    await page.waitForSelector("#dealkit-studio[data-state=ready]");
    await clickImage(page, "#dealkit-studio", 66, 45, 1);
    expect(strict.state().clicks).toHaveLength(1);
    // Same-origin but oversized.
    await page.goto(studio.url);
    const status = await page.evaluate(async (token) => {
      const r = await fetch("/api/click", { method: "POST", headers: { "x-dealkit-token": token, "content-type": "application/json" }, body: JSON.stringify({ x: 1, y: 1, pad: "a".repeat(50_000) }) });
      return r.status;
    }, studio.token);
    expect(status).toBe(413);
    await page.close();
  });
});
