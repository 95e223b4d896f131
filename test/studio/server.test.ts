import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStudio, type StudioHandle } from "../../src/studio/server.js";
import { ColourDetector, paintScene } from "../infer/colour-detector.js";
import { pngSizeOf, request } from "./http-client.js";

const RED: [number, number, number] = [220, 30, 30];
const BLUE: [number, number, number] = [30, 30, 220];
const image = paintScene(160, 120, [
  { x: 20, y: 20, w: 10, h: 8, rgb: RED },
  { x: 100, y: 70, w: 6, h: 6, rgb: RED },
  { x: 60, y: 90, w: 3, h: 2, rgb: BLUE },
]);
// What the colour detector must find, by hand from the painted scene (xyxy, px).
const RED_BOXES = [[20, 20, 30, 28], [100, 70, 106, 76]];
const boxesOf = (state: { detections: { boxXyxy: number[] }[] }) => state.detections.map((d) => d.boxXyxy).sort((a, b) => a[0]! - b[0]!);

describe("studio server", () => {
  let studio: StudioHandle;
  let port: number;
  const api = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    request(port, { method: "POST", path, body: typeof body === "string" ? body : JSON.stringify(body), headers: { "content-type": "application/json", "x-dealkit-token": studio.token, ...headers } });
  const get = (path: string) => request(port, { path, headers: { "x-dealkit-token": studio.token } });

  beforeAll(async () => {
    studio = await startStudio(new ColourDetector(), image, {
      display: false,
      scoreThreshold: 0.1,
      categories: [{ id: 4, name: "red thing" }, { id: 9, name: "blue thing" }],
      modelName: "colour-test-double",
      backendName: "test-backend",
      title: "server test",
    });
    port = Number(new URL(studio.origin).port);
  });
  afterAll(async () => {
    await studio.close();
  });

  it("listens on 127.0.0.1 and serves the page and image only with the token; the favicon without", async () => {
    expect(studio.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(studio.url).toContain(`token=${studio.token}`);
    const page = await request(port, { path: `/?token=${studio.token}` });
    expect(page.status).toBe(200);
    for (const text of ["canvas", "dk-view", "red thing", "blue thing", "colour-test-double", "test-backend", "server test", 'rel="icon"']) expect(page.body).toContain(text);
    expect(page.body).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/); // nothing loaded from elsewhere: works offline
    expect(page.headers["content-security-policy"]).toMatch(/^default-src 'none';.*connect-src 'self'/); // and the browser holds it to that
    expect((await request(port, { path: "/" })).status).toBe(401);
    expect((await request(port, { path: "/?token=wrong" })).status).toBe(403);
    const png = await request(port, { path: `/image.png?token=${studio.token}` });
    expect(png.headers["content-type"]).toBe("image/png");
    expect(pngSizeOf(png.bytes)).toEqual({ width: 160, height: 120 });
    expect((await request(port, { path: "/image.png" })).status).toBe(401);
    for (const path of ["/favicon.ico", "/favicon.svg"]) {
      const icon = await request(port, { path });
      expect(icon.status).toBe(200);
      expect(icon.headers["content-type"]).toBe("image/svg+xml");
      expect(icon.body).toMatch(/^<svg /);
    }
    expect((await request(port, { path: "/favicon.ico", headers: { host: `evil.example:${port}` } })).status).toBe(403);
  });

  it("a click finds every object of its colour; a second click of that category merges (no duplicates); reset clears", async () => {
    const r1 = await api("/api/click", { x: 25, y: 24, categoryId: 4 });
    expect(r1.status).toBe(200);
    const s1 = JSON.parse(r1.body);
    expect(s1).toMatchObject({ image: 0, width: 160, height: 120, pending: false, clicks: [{ x: 25, y: 24, categoryId: 4 }] });
    expect(boxesOf(s1)).toEqual(RED_BOXES);
    expect(s1.detections.every((d: { categoryId: number }) => d.categoryId === 4)).toBe(true);
    // The other red object, same category: one prompt, the same two boxes (not four).
    const s2 = JSON.parse((await api("/api/click", { x: 103, y: 73, categoryId: 4 })).body);
    expect(s2.clicks).toHaveLength(2);
    expect(boxesOf(s2)).toEqual(RED_BOXES);
    // A blue click of another category adds the blue box with its own id.
    const s3 = JSON.parse((await api("/api/click", { x: 61, y: 91, categoryId: 9 })).body);
    expect(s3.detections.filter((d: { categoryId: number }) => d.categoryId === 9).map((d: { boxXyxy: number[] }) => d.boxXyxy)).toEqual([[60, 90, 63, 92]]);
    expect(s3.version).toBeGreaterThan(s2.version);
    expect(studio.state().clicks).toHaveLength(3);
    // Undo drops the blue click and its box; reset clears.
    const s4 = JSON.parse((await api("/api/undo", {})).body);
    expect(s4.clicks).toHaveLength(2);
    expect(boxesOf(s4)).toEqual(RED_BOXES);
    const s5 = JSON.parse((await api("/api/reset", { image: 0 })).body);
    expect(s5.clicks).toEqual([]);
    expect(s5.detections).toEqual([]);
  });

  it("exports the detections as COCO results", async () => {
    await api("/api/click", { x: 25, y: 24, categoryId: 4 });
    const results = JSON.parse((await get("/api/results")).body);
    expect(results.map((r: { bbox: number[] }) => r.bbox).sort((a: number[], b: number[]) => a[0]! - b[0]!)).toEqual([[20, 20, 10, 8], [100, 70, 6, 6]]);
    expect(results.every((r: { image_id: number; category_id: number; score: number }) => r.image_id === 1 && r.category_id === 4 && r.score > 0.5)).toBe(true);
    await api("/api/reset", {});
  });

  it("adds categories (named or unnamed) and refuses a duplicate name", async () => {
    const added = JSON.parse((await api("/api/category", { name: "green thing" })).body);
    expect(added.categories).toEqual([{ id: 4, name: "red thing" }, { id: 9, name: "blue thing" }, { id: 10, name: "green thing" }]);
    const unnamed = JSON.parse((await api("/api/category", {})).body);
    expect(unnamed.categories.at(-1)).toEqual({ id: 11, name: "category 11" });
    const dup = await api("/api/category", { name: "red thing" });
    expect(dup.status).toBe(400);
    expect(JSON.parse(dup.body).error).toMatch(/field "name": category "red thing" exists \(id 4\)/);
    expect((await request(port, { path: `/?token=${studio.token}` })).body).toContain("green thing");
  });

  it("refuses API calls without the token (401) or with a wrong one (403)", async () => {
    const none = await request(port, { method: "POST", path: "/api/click", body: '{"x":1,"y":1}' });
    expect(none.status).toBe(401);
    expect((await api("/api/click", { x: 1, y: 1 }, { "x-dealkit-token": "x" + studio.token })).status).toBe(403);
    expect((await request(port, { path: `/api/state?token=${studio.token}` })).status).toBe(401); // API tokens go in the header
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
    expect((await api("/api/click", big)).status).toBe(413);
    const chunked = await request(port, { method: "POST", path: "/api/click", body: big, headers: { "x-dealkit-token": studio.token, "transfer-encoding": "chunked" } });
    expect(chunked.status).toBe(413);
    expect(studio.state().clicks).toEqual([]);
  });

  it("answers every malformed click with 400 naming the field (never 500), and leaves the state alone", async () => {
    const cases: [string, RegExp][] = [
      ["null", /body must be a JSON object/],
      ["[1, 2]", /body must be a JSON object/],
      ["{x", /body must be JSON/],
      ["", /body must be JSON/],
      ['{"x": "0x10", "y": 5}', /field "x" must be a finite number.*"0x10" \(a string\)/],
      ['{"x": null, "y": 5}', /field "x" must be a finite number.*null/],
      ['{"x": true, "y": 5}', /field "x" must be a finite number.*true \(a boolean\)/],
      ['{"x": 5, "y": 1e999}', /field "y" must be a finite number.*Infinity/],
      ['{"x": 5, "y": 5, "categoryId": 2.5}', /field "categoryId" must be an integer/],
      ['{"x": 5, "y": 5, "categoryId": null}', /field "categoryId" must be an integer/],
      ['{"x": 5, "y": 5, "image": 1}', /field "image" must be an integer in \[0, 0\]/],
      ['{"x": 500, "y": 10}', /field "x" must be in \[0, 160\] \(the image is 160x120\), got 500/],
      ['{"x": 5, "y": -1}', /field "y" must be in \[0, 120\]/],
      ['{"x": 5, "y": 5, "z": 1}', /unknown field "z"/],
    ];
    for (const [body, want] of cases) {
      const r = await api("/api/click", body);
      expect(r.status, body).toBe(400);
      expect(JSON.parse(r.body).error, body).toMatch(want);
    }
    expect((await api("/api/reset", "null")).status).toBe(400);
    expect((await api("/api/undo", '{"image": "0"}')).status).toBe(400);
    expect((await get("/api/state?image=1")).status).toBe(400);
    expect(studio.state().clicks).toEqual([]);
  });

  it("answers unknown paths with 404 and wrong methods with 405", async () => {
    expect((await get("/api/click")).status).toBe(405);
    expect((await request(port, { method: "DELETE", path: `/?token=${studio.token}` })).status).toBe(405);
    expect((await get("/api/nope")).status).toBe(404);
  });

  it("only authenticated requests extend the idle session (refusals, preflights and the favicon do not)", async () => {
    const before = (await studio.stats()).touches;
    await request(port, { method: "OPTIONS", path: "/api/click", headers: { origin: "http://localhost:8888", "access-control-request-method": "POST" } });
    await request(port, { path: "/" });
    await request(port, { path: "/?token=wrong" });
    await request(port, { method: "POST", path: "/api/click", body: "{}" });
    await request(port, { path: "/favicon.ico" });
    await request(port, { path: `/?token=${studio.token}`, headers: { host: `attacker.example:${port}` } });
    expect((await studio.stats()).touches).toBe(before);
    await get("/api/state");
    expect((await studio.stats()).touches).toBe(before + 1);
  });
});

describe("studio limits", () => {
  it("refuses clicks beyond maxClicks with 429 and a message; undo frees one", async () => {
    const studio = await startStudio(new ColourDetector(), image, { display: false, maxClicks: 2 });
    const port = Number(new URL(studio.origin).port);
    const click = (x: number) => request(port, { method: "POST", path: "/api/click", body: JSON.stringify({ x, y: 5 }), headers: { "x-dealkit-token": studio.token } });
    try {
      expect((await click(1)).status).toBe(200);
      expect((await click(2)).status).toBe(200);
      const third = await click(3);
      expect(third.status).toBe(429);
      expect(JSON.parse(third.body).error).toMatch(/image 0 has 2 clicks, the most a session allows \(maxClicks 2\)/);
      expect(studio.state().clicks.map((c) => c.x)).toEqual([1, 2]);
      await request(port, { method: "POST", path: "/api/undo", body: "{}", headers: { "x-dealkit-token": studio.token } });
      expect((await click(3)).status).toBe(200);
    } finally {
      await studio.close();
    }
  });

  it("checks its options: a bad number names the option and its range", async () => {
    const model = new ColourDetector();
    await expect(startStudio(model, image, { display: false, port: 70000 })).rejects.toThrow(/port must be an integer in \[0, 65535\], got 70000/);
    await expect(startStudio(model, image, { display: false, idleTimeoutMs: Number.NaN })).rejects.toThrow(/idleTimeoutMs must be a number in \[1, /);
    await expect(startStudio(model, image, { display: false, maxClicks: 0 })).rejects.toThrow(/maxClicks must be an integer in \[1, 1000\]/);
    await expect(startStudio(model, image, { display: false, categories: [{ id: 1, name: "a" }, { id: 1, name: "b" }] })).rejects.toThrow(/id 1 appears twice/);
    await expect(startStudio(model, [], { display: false })).rejects.toThrow(/at least one image/);
  });
});
