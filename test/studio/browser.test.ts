import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateImage } from "../../src/data/synth/scene.js";
import type { PromptableDetector } from "../../src/structures/index.js";
import { detect } from "../../src/infer/detect.js";
import { startStudio, type StudioHandle } from "../../src/studio/server.js";
import { loadCheckpoint } from "../../src/train/checkpoint.js";
import { Random } from "../../src/util/random.js";
import { ColourDetector, iou4, paintScene } from "../infer/colour-detector.js";

// End to end in headless Chromium (Debian's `chromium` package; never downloaded). Set CHROMIUM_PATH to use
// another binary; DEALKIT_SKIP_BROWSER=1 skips these tests on purpose, otherwise a missing browser fails.
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const SKIP = process.env.DEALKIT_SKIP_BROWSER === "1";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

// The detector: the pretrained DEAL-tiny on a generated TinySet-mini scene when the checkpoint is shipped,
// else the colour-matching test double on a painted scene (the page, server and guard are what is tested).
const CKPT = path.resolve(__dirname, "..", "..", "datasets", "models", "deal-tiny");
const PRETRAINED = fs.existsSync(path.join(CKPT, "manifest.json"));
type Box = { x: number; y: number; w: number; h: number };
let image = paintScene(8, 8, []);
let TARGET: Box = { x: 0, y: 0, w: 1, h: 1 };
let makeModel: () => PromptableDetector = () => new ColourDetector();

/**
 * With DEAL: a generated scene and, as the target, the largest object that a centre click makes the model
 * find through the library API (so the browser test checks the page, not the model's recall); fails
 * clearly when the model finds none of them.
 */
async function chooseSubject(useDeal: boolean): Promise<void> {
  if (!useDeal) {
    makeModel = () => new ColourDetector();
    TARGET = { x: 60, y: 40, w: 12, h: 10 };
    const red: [number, number, number] = [220, 30, 30];
    image = paintScene(320, 240, [{ ...TARGET, rgb: red }, { x: 200, y: 150, w: 8, h: 8, rgb: red }]);
    return;
  }
  makeModel = () => loadCheckpoint(CKPT).model;
  const model = makeModel();
  const tried: string[] = [];
  try {
    for (const seed of [4, 5]) {
      const scene = generateImage("uav", new Random(seed), { width: 256, density: "sparse" });
      for (const a of scene.annotations.filter((x) => !x.ignore).sort((p, q) => q.area - p.area).slice(0, 4)) {
        const [x, y, w, h] = a.bboxXywh;
        const d = await detect(model, scene.image, [{ x: x + w / 2, y: y + h / 2 }], { scoreThreshold: 0.1 });
        const hit = Array.from({ length: d.length }, (_, i) => Array.from(d.boxesXyxy.subarray(4 * i, 4 * i + 4))).some((b) => iou4(b, [x, y, x + w, y + h]) >= 0.5);
        if (hit) {
          image = scene.image;
          TARGET = { x, y, w, h };
          return;
        }
        tried.push(`seed ${seed} ${a.category} ${w.toFixed(0)}x${h.toFixed(0)}`);
      }
    }
  } finally {
    model.dispose();
  }
  throw new Error(`the DEAL checkpoint in ${CKPT} finds none of the objects it is clicked on (${tried.join("; ")}): is it trained?`);
}
const centre = () => ({ cx: TARGET.x + TARGET.w / 2, cy: TARGET.y + TARGET.h / 2 });
const targetBox = () => [TARGET.x, TARGET.y, TARGET.x + TARGET.w, TARGET.y + TARGET.h];

/** Clicks the image at image pixel (x, y) and waits for the page to draw the server's answer. */
async function clickAt(page: Page, rootSel: string, x: number, y: number, version: number): Promise<number[][]> {
  const img = page.locator(`${rootSel} img.dk-image`);
  const box = (await img.boundingBox())!;
  await page.mouse.click(box.x + (x * box.width) / image.width, box.y + (y * box.height) / image.height);
  await page.waitForSelector(`${rootSel}[data-version="${version}"][data-state="ready"]`, { timeout: 20_000 });
  const boxes = await page.$$eval(`${rootSel} rect.dk-det`, (rs) => rs.map((r) => r.getAttribute("data-box")!.split(",").map(Number)));
  return boxes;
}

function launch(profile: string): Promise<BrowserContext> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's "chromium" package (scripts/setup.sh does), set CHROMIUM_PATH, or set DEALKIT_SKIP_BROWSER=1 to skip the browser tests.`);
  }
  return chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
}

// The real detector end to end: the pretrained DEAL-tiny, a generated scene, a click on an object, a drawn box on it.
describe.skipIf(SKIP || !PRETRAINED)("studio in headless Chromium with DEAL-tiny from datasets/models", () => {
  it("clicking a generated object draws a detection covering it", async () => {
    await chooseSubject(true);
    const model = makeModel();
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-chromium-"));
    const studio = await startStudio(model, image, { display: false, scoreThreshold: 0.1 });
    let context: BrowserContext | undefined;
    try {
      context = await launch(profile);
      const page = await context.newPage();
      await page.goto(studio.url);
      await page.waitForSelector("#dealkit-studio[data-state=ready]");
      const boxes = await clickAt(page, "#dealkit-studio", centre().cx, centre().cy, 1);
      expect(boxes.some((b) => iou4(b, targetBox()) >= 0.5), JSON.stringify({ target: TARGET, boxes })).toBe(true);
    } finally {
      await context?.close();
      await studio.close();
      model.dispose();
      fs.rmSync(profile, { recursive: true, force: true });
    }
  });
});

// The page, the server and its guard, with the colour-matching test double (no dependence on model quality).
describe.skipIf(SKIP)("studio in headless Chromium", () => {
  let models: PromptableDetector[] = [];
  let context: BrowserContext;
  let profile: string;
  let studio: StudioHandle;
  let strict: StudioHandle;
  let notebook: http.Server;
  let notebookOrigin: string;

  beforeAll(async () => {
    await chooseSubject(false);
    models = [makeModel(), makeModel()];
    studio = await startStudio(models[0]!, image, { display: false, scoreThreshold: 0.1 });
    // A studio that accepts no origin but its own, to show the server (not only the browser) refuses.
    strict = await startStudio(models[1]!, image, { display: false, allowLoopbackOrigins: false });
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
    for (const m of models) m.dispose();
  });

  it("standalone page: clicking a generated object draws a detection covering it; more clicks add, reset clears", async () => {
    const page = await context.newPage();
    await page.goto(studio.url);
    await page.waitForSelector("#dealkit-studio[data-state=ready]");
    const boxes = await clickAt(page, "#dealkit-studio", centre().cx, centre().cy, 1);
    expect(boxes.some((b) => iou4(b, targetBox()) >= 0.5), JSON.stringify(boxes)).toBe(true);
    expect(await page.locator("#dealkit-studio circle.dk-click").count()).toBe(1);
    await clickAt(page, "#dealkit-studio", 5, 5, 2); // a second prompt (background for the test double)
    expect(await page.locator("#dealkit-studio circle.dk-click").count()).toBe(2);
    await page.click("#dealkit-studio button.dk-reset");
    await page.waitForSelector('#dealkit-studio[data-version="3"]');
    expect(await page.locator("#dealkit-studio rect.dk-det").count()).toBe(0);
    await page.close();
  });

  it("inline output on the notebook's (loopback) origin works across origins through CORS", async () => {
    const page = await context.newPage();
    await page.goto(notebookOrigin);
    const root = `#${studio.html.match(/id="(dealkit-studio-[0-9a-f]+)"/)![1]}`;
    await page.waitForSelector(`${root}[data-state=ready]`);
    const version = studio.state().version;
    const boxes = await clickAt(page, root, centre().cx + 0.5, centre().cy + 0.5, version + 1);
    expect(boxes.some((b) => iou4(b, targetBox()) >= 0.5), JSON.stringify(boxes)).toBe(true);
    await page.close();
  });

  it("refuses the page without its token, a foreign origin, and an oversized body", async () => {
    const page = await context.newPage();
    const tokenless = await page.goto(studio.origin + "/");
    expect(tokenless!.status()).toBe(401);
    // A page on an origin the server does not accept: the browser sends the request (loopback to loopback)
    // and the server refuses it, so the page reports an error and the studio's state is unchanged.
    await page.goto(`${notebookOrigin}/strict`);
    const root = `#${strict.html.match(/id="(dealkit-studio-[0-9a-f]+)"/)![1]}`;
    await page.waitForSelector(`${root}[data-state=ready]`);
    const img = (await page.locator(`${root} img.dk-image`).boundingBox())!;
    await page.mouse.click(img.x + (centre().cx * img.width) / image.width, img.y + (centre().cy * img.height) / image.height);
    await page.waitForSelector(`${root}[data-state=error]`, { timeout: 20_000 });
    expect(strict.state().version).toBe(0);
    // The same page on the studio's own origin is accepted (the refusal above was the origin rule).
    await page.goto(strict.url);
    await clickAt(page, "#dealkit-studio", centre().cx, centre().cy, 1);
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
