import { randomBytes } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { detect } from "../infer/detect.js";
import { detectSliced } from "../infer/sliced.js";
import { showHtml } from "../kernel/display.js";
import type { ShowOptions } from "../kernel/mime.js";
import { checkClicks, type Click } from "../structures/click.js";
import type { Detections } from "../structures/detections.js";
import type { DetectOptions, PromptableDetector } from "../structures/detector.js";
import type { RgbImage } from "../structures/image.js";
import { DealkitInputError } from "../util/errors.js";
import { encodeRgbPng, rgbPngDataUri } from "../viz/svg.js";
import { newStudioToken, originAllowed, refuseRequest } from "./guard.js";
import { studioDocument, studioPageHtml } from "./page.js";

/**
 * Options of {@link startStudio}. Defaults: port 0 (a free one), display true, idleTimeoutMs 15 min,
 * maxBodyBytes 4096, allowedOrigins [], allowLoopbackOrigins true, keepProcessAlive false,
 * sliced "auto", displayMaxSide 900, and {@link detect}'s defaults.
 */
export interface StudioOptions extends DetectOptions, ShowOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. Default 0. */
  port?: number;
  /** Show the page inline in the notebook cell (a no-op outside a kernel). Default true. */
  display?: boolean;
  /** Close the server after this long without a request, ms. Default 900000 (15 min). */
  idleTimeoutMs?: number;
  /** Largest accepted request body, bytes (413 beyond). Default 4096. */
  maxBodyBytes?: number;
  /** Extra origins allowed to call the API besides the studio's own and loopback ones (e.g. "vscode-webview://..."). */
  allowedOrigins?: readonly string[];
  /** Allow pages on any loopback origin (the local Jupyter server). Default true. */
  allowLoopbackOrigins?: boolean;
  /** Keep the Node process alive while the server runs (the CLI); a kernel or script may exit. Default false. */
  keepProcessAlive?: boolean;
  /** Sliced inference for images larger than 1.5x the model input: "auto" (default), or always / never. */
  sliced?: "auto" | boolean;
  /** Longest displayed side of the page's image, px. Default 900. */
  displayMaxSide?: number;
  title?: string;
}

/** What the page draws: the clicks so far and the detections they give. */
export interface StudioState {
  version: number;
  clicks: Click[];
  detections: { boxXyxy: number[]; score: number; categoryId: number; clickIndex: number }[];
  timeMs: number | null;
  message?: string;
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
  /** The current state (clicks and detections). */
  state(): StudioState;
  /** Resolves when the server has closed (by close() or the idle timeout). */
  closed: Promise<void>;
  /** Stops the server and drops open connections; safe to call twice. */
  close(): Promise<void>;
}

function toState(version: number, clicks: Click[], dets: Detections | undefined, timeMs: number | null, message?: string): StudioState {
  const detections = [];
  for (let i = 0; i < (dets?.length ?? 0); i++) {
    detections.push({
      boxXyxy: Array.from(dets!.boxesXyxy.subarray(4 * i, 4 * i + 4), (v) => Math.round(v * 100) / 100),
      score: Math.round(dets!.scores[i]! * 1e4) / 1e4,
      categoryId: dets!.categoryIds[i]!,
      clickIndex: dets!.clickIndex[i]!,
    });
  }
  return { version, clicks: clicks.map((c) => ({ ...c })), detections, timeMs, ...(message ? { message } : {}) };
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) return Promise.reject(new HttpError(413, `body of ${declared} bytes is over the ${limit}-byte limit`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new HttpError(413, `body is over the ${limit}-byte limit`));
        req.pause();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/**
 * Starts the click-to-prompt studio for one image: an HTTP server on 127.0.0.1 (random port) guarded by a
 * per-session token and origin/host checks (see guard.ts), and a page where each click on the image adds
 * a prompt, runs the detector (all clicks so far) and draws the detections; reset clears the clicks.
 * In a notebook the page is shown inline (the cell returns at once: the server runs in the kernel process
 * and does not keep it alive); close it with `close()`, or it closes itself after `idleTimeoutMs` idle.
 *
 * @example
 * const studio = await startStudio(model, image, { scoreThreshold: 0.3 });
 * // ... click in the output ...
 * await studio.close();
 */
export async function startStudio(model: PromptableDetector, image: RgbImage, options: StudioOptions = {}): Promise<StudioHandle> {
  const token = newStudioToken();
  const limit = options.maxBodyBytes ?? 4096;
  const idleMs = options.idleTimeoutMs ?? 15 * 60_000;
  const useSliced = options.sliced === "auto" || options.sliced === undefined
    ? Math.max(image.width, image.height) > 1.5 * model.inputSize
    : options.sliced;
  let clicks: Click[] = [];
  let state = toState(0, [], undefined, null);
  let queue: Promise<unknown> = Promise.resolve();
  let png: Uint8Array | undefined;

  const run = (next: Click[]): Promise<StudioState> => {
    const job = queue.then(async () => {
      const t0 = performance.now();
      let dets: Detections | undefined;
      if (next.length > 0) {
        dets = useSliced ? (await detectSliced(model, image, next, options)).detections : await detect(model, image, next, options);
      }
      clicks = next;
      state = toState(state.version + 1, clicks, dets, next.length ? performance.now() - t0 : null, dets && dets.length === 0 ? "nothing found for these clicks" : undefined);
      return state;
    });
    queue = job.catch(() => undefined);
    return job;
  };

  let closing: Promise<void> | undefined;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let idle: NodeJS.Timeout | undefined;
  const touch = () => {
    if (idle) clearTimeout(idle);
    idle = setTimeout(() => void close(), idleMs);
    idle.unref();
  };

  let port = 0;
  let origin = "";
  const server = http.createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : err instanceof DealkitInputError ? 400 : 500;
      send(res, status, { error: err instanceof Error ? err.message : String(err) }, req);
    });
  });

  // CORS headers only for an allowed Origin (a refused page cannot even read why it was refused).
  const corsHeaders = (req: http.IncomingMessage): Record<string, string> =>
    req.headers.origin && originAllowed(req.headers.origin, origin, options.allowedOrigins, options.allowLoopbackOrigins ?? true)
      ? { "access-control-allow-origin": req.headers.origin, vary: "Origin" }
      : {};
  const send = (res: http.ServerResponse, status: number, body: unknown, req: http.IncomingMessage) => {
    if (res.headersSent) return;
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...corsHeaders(req) });
    res.end(JSON.stringify(body));
    if (status === 413) req.destroy();
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", origin);
    const headerToken = req.headers["x-dealkit-token"];
    const isApi = url.pathname.startsWith("/api/");
    const given = req.method === "OPTIONS" ? token : isApi ? (Array.isArray(headerToken) ? headerToken[0] : headerToken) : (url.searchParams.get("token") ?? undefined);
    const refused = refuseRequest(
      { host: req.headers.host, origin: req.headers.origin, token: given },
      { port, ownOrigin: origin, token, allowedOrigins: options.allowedOrigins, allowLoopbackOrigins: options.allowLoopbackOrigins },
    );
    if (refused) throw new HttpError(refused.status, refused.reason);
    touch();
    if (req.method === "OPTIONS") {
      // CORS preflight from an allowed origin (the notebook page): the token is checked on the real request.
      res.writeHead(204, {
        ...corsHeaders(req),
        "access-control-allow-methods": "GET, POST",
        "access-control-allow-headers": "content-type, x-dealkit-token",
        "access-control-max-age": "600",
        ...(req.headers["access-control-request-private-network"] ? { "access-control-allow-private-network": "true" } : {}),
      });
      res.end();
      return;
    }
    const route = `${req.method} ${url.pathname}`;
    if (route === "GET /" || route === "GET /index.html") {
      const html = studioDocument(studioPageHtml({ imageSrc: `/image.png?token=${encodeURIComponent(token)}`, width: image.width, height: image.height, endpoint: origin, token, rootId: "dealkit-studio", displayMaxSide: options.displayMaxSide, title: options.title }), options.title);
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "x-frame-options": "DENY", "referrer-policy": "no-referrer" });
      res.end(html);
    } else if (route === "GET /image.png") {
      png ??= encodeRgbPng(image);
      res.writeHead(200, { "content-type": "image/png", "cache-control": "no-store", ...corsHeaders(req) });
      res.end(png);
    } else if (route === "GET /api/state") {
      send(res, 200, state, req);
    } else if (route === "POST /api/click" || route === "POST /api/reset") {
      const text = await readBody(req, limit);
      if (route === "POST /api/reset") {
        send(res, 200, await run([]), req);
        return;
      }
      let body: { x?: unknown; y?: unknown; categoryId?: unknown };
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        throw new HttpError(400, "body must be JSON: {\"x\": number, \"y\": number, \"categoryId\"?: integer}");
      }
      const click: Click = { x: Number(body.x), y: Number(body.y) };
      if (body.categoryId !== undefined && body.categoryId !== null) click.categoryId = Number(body.categoryId);
      const next = [...clicks, click];
      // Validate before queueing so a bad click is a 400 naming it, and the state is unchanged.
      checkClicks(next, image.width, image.height);
      send(res, 200, await run(next), req);
    } else if (["/", "/index.html", "/image.png", "/api/state", "/api/click", "/api/reset"].includes(url.pathname)) {
      throw new HttpError(405, `${req.method} is not allowed on ${url.pathname}`);
    } else {
      throw new HttpError(404, `no such path: ${url.pathname}`);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  if (!options.keepProcessAlive) server.unref();
  touch();

  function close(): Promise<void> {
    closing ??= new Promise<void>((resolve) => {
      if (idle) clearTimeout(idle);
      server.close(() => {
        resolveClosed();
        resolve();
      });
      server.closeAllConnections();
    });
    return closing;
  }

  const html = studioPageHtml({
    imageSrc: rgbPngDataUri(image, 2048),
    width: image.width,
    height: image.height,
    endpoint: origin,
    token,
    rootId: `dealkit-studio-${randomBytes(6).toString("hex")}`,
    displayMaxSide: options.displayMaxSide,
    title: options.title,
  });
  if (options.display ?? true) showHtml(html, { sink: options.sink });
  return { url: `${origin}/?token=${encodeURIComponent(token)}`, origin, token, html, state: () => state, closed, close };
}
