// The studio's HTTP server, run in a worker thread by startStudio (server.ts): it answers the page, the
// images, the favicon and every refusal itself, and asks the starting thread (which holds the model) to
// decode images and run detections. A detection therefore never blocks another request.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { parentPort, workerData } from "node:worker_threads";
import { hostAllowed, originAllowed, refuseRequest } from "./guard.js";
import { STUDIO_FAVICON_SVG, readBody, sendJson } from "./http-io.js";
import { studioDocument, studioPageHtml } from "./page.js";
import { PngCache, type StudioPng } from "./png-cache.js";
import type { StudioWorkerConfig, ToMain, ToWorker } from "./protocol.js";
import { StudioHttpError, checkClickInside, parseCategoryBody, parseClickBody, parseImageBody, parseImageQuery } from "./schema.js";
import { StudioSessions, type StudioDetection, type StudioState } from "./session.js";

const config = workerData as StudioWorkerConfig;
const main = parentPort!;
const imageCount = config.images.length;
const categories = config.categories.map((c) => ({ ...c }));
const MAX_CATEGORIES = 1000;
// The standalone page loads nothing but this server's own API and images (it works offline by construction).
const PAGE_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// Requests to the starting thread, answered by id.
let nextId = 0;
const asked = new Map<number, { resolve: (v: ToWorker) => void; reject: (e: Error) => void }>();
function ask(message: { type: "load"; image: number } | { type: "detect"; image: number; clicks: StudioState["clicks"] }): Promise<ToWorker> {
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    asked.set(id, { resolve, reject });
    main.postMessage({ ...message, id } satisfies ToMain);
  });
}

const cache = new PngCache(
  async (image) => {
    const r = await ask({ type: "load", image });
    if (r.type !== "loaded") throw new Error("unexpected reply");
    return { width: r.width, height: r.height, png: r.png };
  },
  { maxEntries: 8, maxPending: config.maxQueued },
);
const sessions = new StudioSessions(
  async (image, clicks) => {
    const r = await ask({ type: "detect", image, clicks });
    if (r.type !== "detected") throw new Error("unexpected reply");
    return { detections: r.detections as StudioDetection[], timeMs: r.timeMs };
  },
  { maxClicks: config.maxClicks, maxQueued: config.maxQueued },
);

let touches = 0;
let idle: NodeJS.Timeout | undefined;
/** Only authenticated requests keep the session open (a refused request or a preflight does not). */
function touch(): void {
  touches++;
  if (idle) clearTimeout(idle);
  idle = setTimeout(close, config.idleTimeoutMs);
}

let port = 0;
let origin = "";
const server = http.createServer((req, res) => {
  handle(req, res).catch((err: unknown) => {
    const status = err instanceof StudioHttpError ? err.status : 500;
    const message = err instanceof Error ? err.message : String(err);
    sendJson(req, res, status, { error: message }, { ...corsHeaders(req), ...(err instanceof StudioHttpError ? err.headers : {}) });
  });
});

// CORS headers only for an allowed Origin (a refused page cannot even read why it was refused).
function corsHeaders(req: http.IncomingMessage): Record<string, string> {
  const o = req.headers.origin;
  return o && originAllowed(o, origin, config.allowedOrigins, config.allowLoopbackOrigins) ? { "access-control-allow-origin": o, vary: "Origin" } : {};
}

/** The state the page draws, with the image's size; the starting thread gets a copy first (handle.state()). */
function reply(state: StudioState, png: StudioPng) {
  main.postMessage({ type: "state", state } satisfies ToMain);
  return { ...state, width: png.width, height: png.height, name: config.images[state.image]!.name };
}

function pageHtml(): string {
  const fragment = studioPageHtml({
    endpoint: origin,
    token: config.token,
    rootId: "dealkit-studio",
    images: config.images.map((i) => i.name),
    categories,
    title: config.title,
    model: config.model,
    backend: config.backend,
    displayMaxSide: config.displayMaxSide,
  });
  return studioDocument(fragment, config.title);
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", origin);
  if (url.pathname === "/favicon.ico" || url.pathname === "/favicon.svg") {
    if (!hostAllowed(req.headers.host, port)) throw new StudioHttpError(403, `host "${req.headers.host ?? ""}" is not this studio`);
    if (req.method !== "GET" && req.method !== "HEAD") throw new StudioHttpError(405, `${req.method} is not allowed on ${url.pathname}`);
    res.writeHead(200, { "content-type": "image/svg+xml", "cache-control": "max-age=86400" });
    res.end(req.method === "HEAD" ? undefined : STUDIO_FAVICON_SVG);
    return;
  }
  const isApi = url.pathname.startsWith("/api/");
  const header = req.headers["x-dealkit-token"];
  const given = req.method === "OPTIONS" ? config.token : isApi ? (Array.isArray(header) ? header[0] : header) : (url.searchParams.get("token") ?? undefined);
  const refused = refuseRequest(
    { host: req.headers.host, origin: req.headers.origin, token: given },
    { port, ownOrigin: origin, token: config.token, allowedOrigins: config.allowedOrigins, allowLoopbackOrigins: config.allowLoopbackOrigins },
  );
  if (refused) throw new StudioHttpError(refused.status, refused.reason);
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
  touch();
  const route = `${req.method} ${url.pathname}`;
  const json = (body: unknown) => sendJson(req, res, 200, body, corsHeaders(req));
  switch (route) {
    case "GET /":
    case "GET /index.html":
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "x-frame-options": "DENY", "referrer-policy": "no-referrer", "content-security-policy": PAGE_CSP });
      res.end(pageHtml());
      return;
    case "GET /image.png": {
      const { png } = await cache.get(parseImageQuery(url.searchParams.get("image"), imageCount));
      res.writeHead(200, { "content-type": "image/png", "cache-control": "no-store", ...corsHeaders(req) });
      res.end(png);
      return;
    }
    case "GET /api/state": {
      const image = parseImageQuery(url.searchParams.get("image"), imageCount);
      return json(reply(sessions.state(image), await cache.get(image)));
    }
    case "GET /api/results":
      return json(sessions.results(config.images.map((i) => i.imageId)));
    case "GET /api/info":
      return json({ title: config.title, model: config.model, backend: config.backend, images: config.images, categories, maxClicks: config.maxClicks, maxQueued: config.maxQueued });
  }
  if (req.method === "POST" && ["/api/click", "/api/undo", "/api/reset", "/api/category"].includes(url.pathname)) {
    const text = await readBody(req, config.maxBodyBytes);
    if (route === "POST /api/category") return json({ categories: addCategory(parseCategoryBody(text)) });
    if (route === "POST /api/click") {
      const { image, ...click } = parseClickBody(text, imageCount);
      const png = await cache.get(image);
      checkClickInside(click, png.width, png.height);
      return json(reply(await sessions.click(image, click), png));
    }
    const { image } = parseImageBody(text, imageCount);
    const png = await cache.get(image);
    return json(reply(route === "POST /api/undo" ? await sessions.undo(image) : sessions.reset(image), png));
  }
  const known = ["/", "/index.html", "/image.png", "/api/state", "/api/results", "/api/info", "/api/click", "/api/undo", "/api/reset", "/api/category"];
  if (known.includes(url.pathname)) throw new StudioHttpError(405, `${req.method} is not allowed on ${url.pathname}`);
  throw new StudioHttpError(404, `no such path: ${url.pathname.slice(0, 80)}`);
}

function addCategory(name: string | undefined): typeof categories {
  if (categories.length >= MAX_CATEGORIES) throw new StudioHttpError(429, `the studio has ${categories.length} categories, the most it accepts`);
  const taken = name !== undefined && categories.find((c) => c.name === name);
  if (taken) throw new StudioHttpError(400, `field "name": category "${name}" exists (id ${taken.id})`);
  const id = categories.reduce((m, c) => Math.max(m, c.id), 0) + 1;
  categories.push({ id, name: name ?? `category ${id}` });
  return categories;
}

let closing = false;
function close(): void {
  if (closing) return;
  closing = true;
  if (idle) clearTimeout(idle);
  for (const a of asked.values()) a.reject(new StudioHttpError(503, "the studio is closing"));
  server.close(() => process.exit(0));
  server.closeAllConnections();
}

main.on("message", (m: ToWorker) => {
  if (m.type === "close") return close();
  if (m.type === "stats") return main.postMessage({ type: "stats", id: m.id, touches, busy: sessions.busy } satisfies ToMain);
  const waiting = asked.get(m.id);
  if (!waiting) return;
  asked.delete(m.id);
  if (m.type === "failed") waiting.reject(new StudioHttpError(m.status, m.message));
  else waiting.resolve(m);
});

server.once("error", (err) => main.postMessage({ type: "listen-failed", message: err.message } satisfies ToMain));
server.listen(config.port, "127.0.0.1", () => {
  port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  touch();
  touches = 0;
  main.postMessage({ type: "ready", port } satisfies ToMain);
});
