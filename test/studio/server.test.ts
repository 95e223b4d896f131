import * as http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStudio, type StudioHandle } from "../../src/studio/server.js";
import { ColourDetector, paintScene } from "../infer/colour-detector.js";

const RED: [number, number, number] = [220, 30, 30];
const image = paintScene(160, 120, [
  { x: 20, y: 20, w: 10, h: 8, rgb: RED },
  { x: 100, y: 70, w: 6, h: 6, rgb: RED },
]);

interface Reply { status: number; headers: http.IncomingHttpHeaders; body: string }
function request(port: number, opts: { method?: string; path?: string; headers?: Record<string, string | number>; body?: string | Buffer; chunked?: boolean }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method: opts.method ?? "GET", path: opts.path ?? "/", headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", (e: NodeJS.ErrnoException) => (e.code === "ECONNRESET" || e.code === "EPIPE" ? resolve({ status: 413, headers: {}, body: "reset" }) : reject(e)));
    if (opts.body) req.write(opts.body);
    req.end();
  });
}

describe("studio server", () => {
  let studio: StudioHandle;
  let port: number;
  const api = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    request(port, { method: "POST", path, body: JSON.stringify(body), headers: { "content-type": "application/json", "x-dealkit-token": studio.token, ...headers } });

  beforeAll(async () => {
    studio = await startStudio(new ColourDetector(), image, { display: false, scoreThreshold: 0.1 });
    port = Number(new URL(studio.origin).port);
  });
  afterAll(async () => {
    await studio.close();
  });

  it("listens on 127.0.0.1 and serves the page and image only with the token", async () => {
    expect(studio.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(studio.url).toContain(`token=${studio.token}`);
    const page = await request(port, { path: `/?token=${studio.token}` });
    expect(page.status).toBe(200);
    expect(page.body).toContain("dk-image");
    expect((await request(port, { path: "/" })).status).toBe(401);
    expect((await request(port, { path: "/?token=wrong" })).status).toBe(403);
    const png = await request(port, { path: `/image.png?token=${studio.token}` });
    expect(png.headers["content-type"]).toBe("image/png");
    expect((await request(port, { path: "/image.png" })).status).toBe(401);
  });

  it("a click returns the detections of every object of its colour; further clicks add; reset clears", async () => {
    const r1 = await api("/api/click", { x: 25, y: 24, categoryId: 4 });
    expect(r1.status).toBe(200);
    const s1 = JSON.parse(r1.body);
    expect(s1.clicks).toEqual([{ x: 25, y: 24, categoryId: 4 }]);
    expect(s1.detections.map((d: { boxXyxy: number[] }) => d.boxXyxy).sort()).toEqual([[100, 70, 106, 76], [20, 20, 30, 28]].sort());
    expect(s1.detections.every((d: { categoryId: number }) => d.categoryId === 4)).toBe(true);
    const s2 = JSON.parse((await api("/api/click", { x: 5, y: 5 })).body);
    expect(s2.clicks).toHaveLength(2);
    expect(s2.detections).toHaveLength(2); // the background click finds nothing
    expect(s2.version).toBe(s1.version + 1);
    const s3 = JSON.parse((await api("/api/reset", {})).body);
    expect(s3.clicks).toEqual([]);
    expect(s3.detections).toEqual([]);
  });

  it("refuses API calls without the token (401) or with a wrong one (403)", async () => {
    const none = await request(port, { method: "POST", path: "/api/click", body: '{"x":1,"y":1}' });
    expect(none.status).toBe(401);
    expect((await api("/api/click", { x: 1, y: 1 }, { "x-dealkit-token": "x" + studio.token })).status).toBe(403);
    expect(studio.state().clicks).toEqual([]);
  });

  it("refuses other origins and foreign Host names (403), allows a loopback notebook origin with CORS", async () => {
    const evil = await api("/api/click", { x: 25, y: 24 }, { origin: "https://evil.example" });
    expect(evil.status).toBe(403);
    expect(evil.headers["access-control-allow-origin"]).toBeUndefined();
    const preflightEvil = await request(port, { method: "OPTIONS", path: "/api/click", headers: { origin: "https://evil.example", "access-control-request-method": "POST" } });
    expect(preflightEvil.status).toBe(403);
    const rebound = await request(port, { path: `/?token=${studio.token}`, headers: { host: `attacker.example:${port}` } });
    expect(rebound.status).toBe(403);
    const preflight = await request(port, { method: "OPTIONS", path: "/api/click", headers: { origin: "http://localhost:8888", "access-control-request-method": "POST", "access-control-request-headers": "content-type,x-dealkit-token" } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers["access-control-allow-origin"]).toBe("http://localhost:8888");
    expect(preflight.headers["access-control-allow-headers"]).toContain("x-dealkit-token");
    const fromNotebook = await api("/api/reset", {}, { origin: "http://localhost:8888" });
    expect(fromNotebook.status).toBe(200);
    expect(fromNotebook.headers["access-control-allow-origin"]).toBe("http://localhost:8888");
  });

  it("refuses oversized bodies with 413, declared or streamed", async () => {
    const big = JSON.stringify({ x: 1, y: 1, pad: "a".repeat(10_000) });
    expect((await api("/api/click", JSON.parse(big))).status).toBe(413);
    const chunked = await request(port, { method: "POST", path: "/api/click", body: big, headers: { "x-dealkit-token": studio.token, "transfer-encoding": "chunked" } });
    expect(chunked.status).toBe(413);
    expect(studio.state().clicks).toEqual([]);
  });

  it("answers a click outside the image with 400 naming it, and bad JSON with 400", async () => {
    const out = await api("/api/click", { x: 500, y: 10 });
    expect(out.status).toBe(400);
    expect(JSON.parse(out.body).error).toMatch(/click #0.*\(500, 10\).*160x120/);
    const bad = await request(port, { method: "POST", path: "/api/click", body: "{x", headers: { "x-dealkit-token": studio.token } });
    expect(bad.status).toBe(400);
    expect((await request(port, { path: `/api/click?token=${studio.token}`, headers: { "x-dealkit-token": studio.token } })).status).toBe(405);
  });
});

describe("studio lifetime", () => {
  it("closes itself after the idle timeout, and close() is idempotent", async () => {
    const studio = await startStudio(new ColourDetector(), image, { display: false, idleTimeoutMs: 150 });
    // Resolves only when the idle timer closed the server (the test would time out otherwise).
    await studio.closed;
    await studio.close();
    await expect(request(Number(new URL(studio.origin).port), { path: "/" })).rejects.toThrow(/ECONNREFUSED/);
  });

  it("shows the page inline (one text/html display) unless display is false", async () => {
    const shown: Record<string, unknown>[] = [];
    const studio = await startStudio(new ColourDetector(), image, { sink: (b) => shown.push(b) });
    const quiet = await startStudio(new ColourDetector(), image, { display: false, sink: (b) => shown.push(b) });
    try {
      expect(shown).toHaveLength(1);
      expect(shown[0]!["text/html"]).toBe(studio.html);
      expect(studio.html).toContain("data:image/png;base64,");
      expect(studio.html).toContain(studio.origin);
      expect(studio.html).toContain(studio.token);
    } finally {
      await studio.close();
      await quiet.close();
    }
  });
});
