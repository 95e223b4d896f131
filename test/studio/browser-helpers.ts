import * as fs from "node:fs";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import sharp from "sharp";

// Headless Chromium from Debian's `chromium` package (never downloaded). CHROMIUM_PATH picks another binary;
// DEALKIT_SKIP_BROWSER=1 skips the browser tests on purpose, otherwise a missing browser fails them.
export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const SKIP_BROWSER = process.env.DEALKIT_SKIP_BROWSER === "1";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export function launch(profile: string): Promise<BrowserContext> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's "chromium" package (scripts/setup.sh does), set CHROMIUM_PATH, or set DEALKIT_SKIP_BROWSER=1 to skip the browser tests.`);
  }
  return chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, acceptDownloads: true, viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
}

/** The page's view transform (screen = image * s + o, in view px) and the view's place on the page. */
export async function viewOf(page: Page, root: string): Promise<{ s: number; ox: number; oy: number; left: number; top: number; width: number; height: number }> {
  const [s, ox, oy] = (await page.getAttribute(root, "data-view"))!.split(",").map(Number) as [number, number, number];
  const b = (await page.locator(`${root} canvas.dk-view`).boundingBox())!;
  return { s, ox, oy, left: b.x, top: b.y, width: b.width, height: b.height };
}

/** Page coordinates of image pixel (x, y) under the current view. */
export async function pagePoint(page: Page, root: string, x: number, y: number): Promise<{ x: number; y: number }> {
  const v = await viewOf(page, root);
  return { x: v.left + v.ox + x * v.s, y: v.top + v.oy + y * v.s };
}

/** Waits until the page shows `clicks` clicks with every detection run done and nothing in flight. */
export async function settled(page: Page, root: string, clicks: number): Promise<void> {
  await page.waitForSelector(`${root}[data-clicks="${clicks}"][data-pending="false"][data-state="ready"]`, { timeout: 30_000 });
}

/** Clicks image pixel (x, y) and waits for the answer. */
export async function clickImage(page: Page, root: string, x: number, y: number, clicksAfter: number): Promise<void> {
  const p = await pagePoint(page, root, x, y);
  await page.mouse.click(p.x, p.y);
  await settled(page, root, clicksAfter);
}

/** The listed detections: xyxy boxes, scores, categories, in list order. */
export async function listed(page: Page, root: string): Promise<{ box: number[]; score: number; category: number }[]> {
  return page.$$eval(`${root} li.dk-det`, (lis) =>
    lis.map((li) => ({ box: li.getAttribute("data-box")!.split(",").map(Number), score: Number(li.getAttribute("data-score")), category: Number(li.getAttribute("data-category")) })),
  );
}

/** RGBA of canvas pixels (device px) read in the page. */
export async function canvasPixels(page: Page, selector: string, points: readonly [number, number][]): Promise<number[][]> {
  return page.$eval(
    selector,
    (c, pts) => {
      const ctx = (c as HTMLCanvasElement).getContext("2d")!;
      return pts.map(([x, y]) => Array.from(ctx.getImageData(Math.floor(x), Math.floor(y), 1, 1).data));
    },
    points as [number, number][],
  );
}

/** Runs `action` and returns the file it made the page download. */
export async function downloadOf(page: Page, action: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent("download", { timeout: 30_000 }), action()]);
  const file = await download.path();
  return { name: download.suggestedFilename(), bytes: fs.readFileSync(file) };
}

/** A PNG decoded to RGB(A) pixels (sharp, independent of the page). */
export async function decodePng(bytes: Buffer): Promise<{ width: number; height: number; channels: number; data: Buffer }> {
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels, data };
}

/** "#rrggbb" or "rgb(r, g, b)" as [r, g, b]. */
export function rgbOf(colour: string): number[] {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  if (hex) return hex.slice(1).map((h) => parseInt(h, 16));
  return colour.match(/\d+/g)!.slice(0, 3).map(Number);
}

/** Lets the page handle every input event sent so far (they are dispatched before the next frames). */
export async function flush(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
}
