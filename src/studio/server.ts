import { randomBytes } from "node:crypto";
import { tf } from "../backend/tf.js";
import { detect } from "../infer/detect.js";
import { detectSliced } from "../infer/sliced.js";
import { showHtml } from "../kernel/display.js";
import type { ShowOptions } from "../kernel/mime.js";
import type { Detections } from "../structures/detections.js";
import type { DetectOptions, PromptableDetector } from "../structures/detector.js";
import type { RgbImage } from "../structures/image.js";
import { DealkitInputError } from "../util/errors.js";
import { encodeRgbPng, rgbDataUri } from "../viz/svg.js";
import { newStudioToken } from "./guard.js";
import { studioImageOf, unnamedCategories, type StudioCategory, type StudioImageSource } from "./images.js";
import { studioPageHtml } from "./page.js";
import type { StudioDetection, StudioState } from "./session.js";
import { checkStudioOptions } from "./options.js";
import { startStudioWorker, type StudioWorker } from "./worker-host.js";

/**
 * Options of {@link startStudio}. Defaults: port 0 (a free one), display true, idleTimeoutMs 15 min,
 * maxBodyBytes 4096, maxClicks 32 (per image), maxQueued 4, allowedOrigins [], allowLoopbackOrigins true,
 * keepProcessAlive false, sliced "auto", displayMaxSide 900, categories "category 1", modelName the
 * model's kind, backendName tf.getBackend(), and {@link detect}'s defaults.
 */
export interface StudioOptions extends DetectOptions, ShowOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. Default 0. */
  port?: number;
  /** Show the page inline in the notebook cell (a no-op outside a kernel). Default true. */
  display?: boolean;
  /** Close the server after this long without an authenticated request, ms. Default 900000 (15 min). */
  idleTimeoutMs?: number;
  /** Largest accepted request body, bytes (413 beyond). Default 4096. */
  maxBodyBytes?: number;
  /** Most clicks on one image (429 beyond; undo or reset frees them). Default 32. */
  maxClicks?: number;
  /** Most detection runs (and image loads) waiting or running at once (429 beyond). Default 4. */
  maxQueued?: number;
  /** Extra origins allowed to call the API besides the studio's own and loopback ones (e.g. "vscode-webview://..."). */
  allowedOrigins?: readonly string[];
  /** Allow pages on any loopback origin (the local Jupyter server). Default true. */
  allowLoopbackOrigins?: boolean;
  /** Keep the Node process alive while the server runs (the CLI); a kernel or script may exit. Default false. */
  keepProcessAlive?: boolean;
  /** Sliced inference for images larger than 1.5x the model input: "auto" (default), or always / never. */
  sliced?: "auto" | boolean;
  /** Width of the page's view, px (its height is 3/4 of it). Default 900. */
  displayMaxSide?: number;
  title?: string;
  /** The categories the page offers (ids and names; the user can add more). Default [{ id: 1, name: "category 1" }]. */
  categories?: readonly StudioCategory[];
  /** The model's name on the page. Default the model's kind ("deal" or "baseline"). */
  modelName?: string;
  /** The backend's name on the page. Default tf.getBackend(). */
  backendName?: string;
}

/** A running studio. */
export interface StudioHandle {
  /** The standalone page, token included: open it in a browser. */
  url: string;
  /** The server's origin (http://127.0.0.1:PORT). */
  origin: string;
  token: string;
  /** The inline page (what the notebook cell shows). */
  html: string;
  /** The latest state of image `image` (default 0): its clicks and detections. */
  state(image?: number): StudioState;
  /** Authenticated requests so far (each extends the idle timeout) and detection runs waiting or running. */
  stats(): Promise<{ touches: number; busy: number }>;
  /** Resolves when the server has closed (by close() or the idle timeout). */
  closed: Promise<void>;
  /** Stops the server and drops open connections; safe to call twice. */
  close(): Promise<void>;
}

function toStudioDetections(dets: Detections): StudioDetection[] {
  const out: StudioDetection[] = [];
  for (let i = 0; i < dets.length; i++) {
    out.push({
      boxXyxy: Array.from(dets.boxesXyxy.subarray(4 * i, 4 * i + 4), (v) => Math.round(v * 100) / 100),
      score: Math.round(dets.scores[i]! * 1e4) / 1e4,
      categoryId: dets.categoryIds[i]!,
      clickIndex: dets.clickIndex[i]!,
    });
  }
  return out;
}

/**
 * Starts the click-to-prompt studio for one image or a list of images: an HTTP server on 127.0.0.1 (random
 * port), run in a worker thread and guarded by a per-session token and origin/host checks (see guard.ts),
 * and a page where each click on the image adds a prompt of the chosen category, runs the detector (all
 * clicks so far; clicks of one category are one prompt) and draws and lists the detections. The page zooms,
 * pans, magnifies, steps through the images and exports COCO results and PNG views.
 *
 * The model stays on the calling thread, which decodes images and runs detections when the server asks;
 * the server answers everything else (page, images, refusals) meanwhile. In a notebook the page is shown
 * inline (the cell returns at once and the server does not keep the kernel alive); close it with
 * `close()`, or it closes itself after `idleTimeoutMs` without an authenticated request.
 *
 * @example
 * const studio = await startStudio(model, image, { scoreThreshold: 0.3, categories: [{ id: 1, name: "car" }] });
 * // ... click in the output ...
 * await studio.close();
 */
export async function startStudio(
  model: PromptableDetector,
  images: RgbImage | readonly StudioImageSource[],
  options: StudioOptions = {},
): Promise<StudioHandle> {
  const sources: readonly StudioImageSource[] = Array.isArray(images) ? images : [studioImageOf(images as RgbImage)];
  const o = checkStudioOptions(options, sources.length);
  const categories = options.categories ? options.categories.map((c) => ({ id: c.id, name: c.name })) : unnamedCategories(1);

  // Decoded images, the last few (a folder may be large).
  const decoded = new Map<number, Promise<RgbImage>>();
  const imageOf = (k: number): Promise<RgbImage> => {
    let p = decoded.get(k);
    if (p) decoded.delete(k);
    else p = Promise.resolve().then(() => sources[k]!.load());
    decoded.set(k, p);
    p.catch(() => decoded.delete(k));
    while (decoded.size > 3) decoded.delete(decoded.keys().next().value!);
    return p;
  };
  const states = new Map<number, StudioState>();
  let worker: StudioWorker | undefined;
  const token = newStudioToken();
  const title = options.title ?? "dealkit studio";
  const modelName = options.modelName ?? model.kind;
  const backendName = options.backendName ?? tf.getBackend() ?? "none";

  worker = await startStudioWorker(
    {
      token,
      port: o.port,
      maxBodyBytes: o.maxBodyBytes,
      idleTimeoutMs: o.idleTimeoutMs,
      maxClicks: o.maxClicks,
      maxQueued: o.maxQueued,
      allowedOrigins: [...(options.allowedOrigins ?? [])],
      allowLoopbackOrigins: options.allowLoopbackOrigins ?? true,
      keepProcessAlive: options.keepProcessAlive ?? false,
      images: sources.map((s) => ({ name: s.name, ...(s.imageId === undefined ? {} : { imageId: s.imageId }) })),
      categories,
      title,
      model: `${modelName} (${model.kind}, input ${model.inputSize} px)`,
      backend: backendName,
      displayMaxSide: o.displayMaxSide,
    },
    {
      async load(k) {
        const img = await imageOf(k);
        return { width: img.width, height: img.height, png: encodeRgbPng(img) };
      },
      async detect(k, clicks) {
        const img = await imageOf(k);
        const t0 = performance.now();
        const useSliced = options.sliced === "auto" || options.sliced === undefined ? Math.max(img.width, img.height) > 1.5 * model.inputSize : options.sliced;
        const dets = useSliced ? (await detectSliced(model, img, clicks, options)).detections : await detect(model, img, clicks, options);
        return { detections: toStudioDetections(dets), timeMs: performance.now() - t0 };
      },
      failureStatus: (err) => (err instanceof DealkitInputError ? 422 : 500),
      onState: (s) => states.set(s.image, s),
    },
  );

  let inline: { src: string; width: number; height: number } | undefined;
  try {
    const first = await imageOf(0);
    // JPEG (quality 85, no chroma subsampling): the inline page travels in the notebook and its HTML export.
    inline = { src: rgbDataUri(first, 2048), width: first.width, height: first.height };
  } catch {
    inline = undefined; // the page then loads the image from the server (and shows why it cannot)
  }
  const html = studioPageHtml({
    inline,
    endpoint: worker.origin,
    token,
    rootId: `dealkit-studio-${randomBytes(6).toString("hex")}`,
    images: sources.map((s) => s.name),
    categories,
    title,
    model: `${modelName} (${model.kind}, input ${model.inputSize} px)`,
    backend: backendName,
    displayMaxSide: o.displayMaxSide,
  });
  if (options.display ?? true) showHtml(html, { sink: options.sink });
  const empty = (image: number): StudioState => ({ image, version: 0, clicks: [], detections: [], timeMs: null, pending: false });
  const w = worker;
  return {
    url: `${w.origin}/?token=${encodeURIComponent(token)}`,
    origin: w.origin,
    token,
    html,
    state: (image = 0) => states.get(image) ?? empty(image),
    stats: () => w.stats(),
    closed: w.closed,
    close: () => w.close(),
  };
}
