import { StudioHttpError } from "./schema.js";

/** An image as the worker serves it: its size and PNG bytes. */
export interface StudioPng {
  width: number;
  height: number;
  png: Uint8Array;
}

/**
 * The worker's cache of encoded images: the last `maxEntries` opened, with concurrent requests for one image
 * sharing a load and at most `maxPending` loads waiting at once (429 beyond: the loads run on the thread
 * that also runs detections).
 *
 * @example
 * const cache = new PngCache((i) => askMainToLoad(i), { maxEntries: 8, maxPending: 4 });
 * const { width, height, png } = await cache.get(0);
 */
export class PngCache {
  private readonly entries = new Map<number, StudioPng>();
  private readonly pending = new Map<number, Promise<StudioPng>>();

  constructor(private readonly load: (image: number) => Promise<StudioPng>, private readonly limits: { maxEntries: number; maxPending: number }) {}

  /** The image if it is cached now (no load). */
  peek(image: number): StudioPng | undefined {
    return this.entries.get(image);
  }

  get(image: number): Promise<StudioPng> {
    const hit = this.entries.get(image);
    if (hit) {
      this.entries.delete(image);
      this.entries.set(image, hit);
      return Promise.resolve(hit);
    }
    const waiting = this.pending.get(image);
    if (waiting) return waiting;
    if (this.pending.size >= this.limits.maxPending) {
      return Promise.reject(new StudioHttpError(429, `the studio is busy: ${this.pending.size} images are being opened, the most it accepts; try again in a moment`, { "retry-after": "1" }));
    }
    const job = this.load(image).then((entry) => {
      this.entries.set(image, entry);
      while (this.entries.size > this.limits.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      return entry;
    });
    this.pending.set(image, job);
    const done = () => void this.pending.delete(image);
    job.then(done, done);
    return job;
  }
}
