import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import type { Click, DetectOptions, Detections } from "../../src/structures/index.js";
import type { RgbImage } from "../../src/structures/image.js";
import { studioImageOf, type StudioImageSource } from "../../src/studio/images.js";
import { startStudio } from "../../src/studio/server.js";
import { DealkitInputError } from "../../src/util/errors.js";
import { ColourDetector, paintScene } from "../infer/colour-detector.js";
import { pngSizeOf, request } from "./http-client.js";

const RED: [number, number, number] = [220, 30, 30];
const image = paintScene(160, 120, [{ x: 20, y: 20, w: 10, h: 8, rgb: RED }]);

/**
 * A detector that holds the calling thread (the one that started the studio, as a heavy model run does)
 * until another thread says it got its answers, or 30 s pass. flags[1] = 1 once a detection has started;
 * flags[0] = 1 releases it. `waits` records how each hold ended: "ok" (released) or "timed-out".
 */
class BlockingDetector extends ColourDetector {
  readonly waits: string[] = [];
  constructor(private readonly flags: Int32Array) {
    super();
  }
  override async detect(img: RgbImage, clicks: readonly Click[], options?: DetectOptions): Promise<Detections> {
    Atomics.store(this.flags, 1, 1);
    Atomics.notify(this.flags, 1);
    this.waits.push(Atomics.wait(this.flags, 0, 0, 30_000));
    return super.detect(img, clicks, options);
  }
}

// Runs in its own thread: waits for the detection to start, then asks the studio for the page, the favicon,
// the image, the state, a second click (the queue is full: 429) and a bad click (400); then releases the model.
const CLIENT = `
const { workerData, parentPort } = require("node:worker_threads");
const http = require("node:http");
const flags = new Int32Array(workerData.sab);
function call(method, path, body, headers) {
  return new Promise((resolve) => {
    const req = http.request({ host: "127.0.0.1", port: workerData.port, method, path, headers: Object.assign({ "x-dealkit-token": workerData.token }, headers) }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ path, status: res.statusCode, type: res.headers["content-type"], body: Buffer.concat(chunks).toString("latin1").slice(0, 300) }));
    });
    req.on("error", (e) => resolve({ path, status: -1, body: e.message }));
    if (body) req.write(body);
    req.end();
  });
}
(async () => {
  const started = Atomics.wait(flags, 1, 0, 30000);
  const t = encodeURIComponent(workerData.token);
  const out = [];
  out.push(await call("GET", "/?token=" + t));
  out.push(await call("GET", "/favicon.ico"));
  out.push(await call("GET", "/image.png?token=" + t));
  out.push(await call("GET", "/api/state"));
  out.push(await call("POST", "/api/click", JSON.stringify({ x: 3, y: 3 })));
  out.push(await call("POST", "/api/click", "null"));
  out.push(await call("GET", "/"));
  Atomics.store(flags, 0, 1);
  Atomics.notify(flags, 0);
  parentPort.postMessage({ started, out });
})();
`;

describe("studio server thread", () => {
  it("answers the page, favicon, image, state and refusals while a detection holds the model's thread", async () => {
    const sab = new SharedArrayBuffer(8);
    const flags = new Int32Array(sab);
    const model = new BlockingDetector(flags);
    const studio = await startStudio(model, image, { display: false, maxQueued: 1, scoreThreshold: 0.1 });
    const port = Number(new URL(studio.origin).port);
    try {
      // The image is opened first (as the page does), so serving it needs nothing from the held thread.
      expect((await request(port, { path: `/image.png?token=${studio.token}` })).status).toBe(200);
      const client = new Worker(CLIENT, { eval: true, workerData: { sab, port, token: studio.token } });
      const report = new Promise<{ started: string; out: { path: string; status: number; type?: string; body: string }[] }>((resolve, reject) => {
        client.once("message", resolve);
        client.once("error", reject);
      });
      const click = await request(port, { method: "POST", path: "/api/click", body: JSON.stringify({ x: 25, y: 24 }), headers: { "x-dealkit-token": studio.token } });
      const { started, out } = await report;
      await client.terminate();
      expect(["ok", "not-equal"]).toContain(started); // the detection had started (now or before the client looked)
      expect(model.waits).toEqual(["ok"]); // released by the client: every answer below came while the model ran
      expect(click.status).toBe(200);
      expect(JSON.parse(click.body).detections).toHaveLength(1);
      const byPath = out.map((r) => [r.path.replace(/token=[^&]+/, "token=T"), r.status]);
      expect(byPath).toEqual([
        ["/?token=T", 200],
        ["/favicon.ico", 200],
        ["/image.png?token=T", 200],
        ["/api/state", 200],
        ["/api/click", 429],
        ["/api/click", 400],
        ["/", 401],
      ]);
      expect(out[0]!.type).toMatch(/text\/html/);
      expect(out[2]!.type).toBe("image/png");
      expect(JSON.parse(out[3]!.body)).toMatchObject({ pending: true, clicks: [{ x: 25, y: 24 }] });
      expect(JSON.parse(out[4]!.body).error).toMatch(/the studio is busy: 1 detection runs are queued.*maxQueued 1/);
      expect(JSON.parse(out[5]!.body).error).toMatch(/body must be a JSON object/);
    } finally {
      Atomics.store(flags, 0, 1);
      await studio.close();
    }
  });
});

describe("studio over several images", () => {
  it("steps through a list of images: per-image state, the image's own PNG, its COCO id in the results", async () => {
    const small = paintScene(40, 30, [{ x: 5, y: 6, w: 4, h: 3, rgb: RED }]);
    const broken: StudioImageSource = {
      name: "broken.png",
      load: () => {
        throw new DealkitInputError("cannot decode image: truncated", { file: "broken.png" });
      },
    };
    const studio = await startStudio(new ColourDetector(), [studioImageOf(image, "a.png", 7), studioImageOf(small, "b.png", 9), broken], { display: false, scoreThreshold: 0.1 });
    const port = Number(new URL(studio.origin).port);
    const h = { "x-dealkit-token": studio.token };
    try {
      const png1 = await request(port, { path: `/image.png?image=1&token=${studio.token}` });
      expect(pngSizeOf(png1.bytes)).toEqual({ width: 40, height: 30 });
      const s1 = JSON.parse((await request(port, { method: "POST", path: "/api/click", body: JSON.stringify({ image: 1, x: 6, y: 7, categoryId: 1 }), headers: h })).body);
      expect(s1).toMatchObject({ image: 1, name: "b.png", width: 40, height: 30 });
      expect(s1.detections.map((d: { boxXyxy: number[] }) => d.boxXyxy)).toEqual([[5, 6, 9, 9]]);
      // A click inside image 0 but outside image 1 is refused for image 1.
      const outside = await request(port, { method: "POST", path: "/api/click", body: JSON.stringify({ image: 1, x: 100, y: 7 }), headers: h });
      expect(JSON.parse(outside.body).error).toMatch(/field "x" must be in \[0, 40\]/);
      expect(JSON.parse((await request(port, { path: "/api/state?image=0", headers: h })).body).clicks).toEqual([]);
      expect(studio.state(1).clicks).toHaveLength(1);
      const results = JSON.parse((await request(port, { path: "/api/results", headers: h })).body);
      expect(results).toEqual([{ image_id: 9, category_id: 1, bbox: [5, 6, 4, 3], score: expect.any(Number) }]);
      const bad = await request(port, { path: "/api/state?image=2", headers: h });
      expect(bad.status).toBe(422);
      expect(JSON.parse(bad.body).error).toBe("broken.png: cannot decode image: truncated");
      expect((await request(port, { path: "/api/state?image=3", headers: h })).status).toBe(400);
      const page = (await request(port, { path: `/?token=${studio.token}` })).body;
      expect(page).toContain('"images":["a.png","b.png","broken.png"]');
    } finally {
      await studio.close();
    }
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

  it("shows the page inline (one text/html display, image inline) unless display is false", async () => {
    const shown: Record<string, unknown>[] = [];
    const studio = await startStudio(new ColourDetector(), image, { sink: (b) => shown.push(b) });
    const quiet = await startStudio(new ColourDetector(), image, { display: false, sink: (b) => shown.push(b) });
    try {
      expect(shown).toHaveLength(1);
      expect(shown[0]!["text/html"]).toBe(studio.html);
      expect(studio.html).toContain("data:image/jpeg;base64,");
      expect(studio.html).toContain(studio.origin);
      expect(studio.html).toContain(studio.token);
    } finally {
      await studio.close();
      await quiet.close();
    }
  });
});
