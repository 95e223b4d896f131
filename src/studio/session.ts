import { StudioHttpError } from "./schema.js";

/** A click of the studio: image pixels, optional category (detections of unlabelled clicks carry -1). */
export interface StudioClick {
  x: number;
  y: number;
  categoryId?: number;
}

/** One detection as the page draws and lists it: xyxy image pixels (rounded to 0.01), score, category. */
export interface StudioDetection {
  boxXyxy: number[];
  score: number;
  categoryId: number;
  clickIndex: number;
}

/** What the page draws for one image: its clicks and the detections of the last finished run. */
export interface StudioState {
  /** The image's index in the studio's list. */
  image: number;
  /** Increases on every change of this image's clicks or detections. */
  version: number;
  clicks: StudioClick[];
  detections: StudioDetection[];
  /** Time of the last detection run, ms (null before the first or after reset). */
  timeMs: number | null;
  /** True while clicks wait for a detection run (the detections are those of fewer clicks). */
  pending: boolean;
  message?: string;
}

/** One COCO results record (what pycocotools' loadRes reads). */
export interface StudioCocoResult {
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  score: number;
}

/** Limits of {@link StudioSessions}. Defaults: maxClicks 32, maxQueued 4. */
export interface StudioLimits {
  /** Most clicks on one image (each click is a prompt the model runs with every later click). Default 32. */
  maxClicks?: number;
  /** Most detection runs waiting or running at once; more gets 429. Default 4. */
  maxQueued?: number;
}

/** Runs the detector for one image's clicks (in the studio: a message to the thread that holds the model). */
export type StudioDetectFn = (image: number, clicks: StudioClick[]) => Promise<{ detections: StudioDetection[]; timeMs: number }>;

interface ImageSession {
  clicks: StudioClick[];
  /** Bumped by every change of `clicks`. */
  generation: number;
  /** The generation whose detections are shown. */
  computed: number;
  /** Results of runs started before this generation are stale (a reset or undo came in between). */
  base: number;
  computedClicks: StudioClick[];
  detections: StudioDetection[];
  timeMs: number | null;
  version: number;
  message?: string;
}

/**
 * The clicks and detections of every image of a studio session, and the queue of detection runs: one run
 * at a time, at most `maxQueued` waiting or running (429 beyond), at most `maxClicks` per image (429).
 * A run takes the image's clicks when it starts, so clicks that arrive while one runs share the next run.
 *
 * @example
 * const sessions = new StudioSessions(async (image, clicks) => ({ detections: [], timeMs: 0 }));
 * await sessions.click(0, { x: 4, y: 5, categoryId: 1 });
 */
export class StudioSessions {
  private readonly images = new Map<number, ImageSession>();
  private queued = 0;
  private tail: Promise<unknown> = Promise.resolve();
  readonly maxClicks: number;
  readonly maxQueued: number;

  constructor(private readonly run: StudioDetectFn, limits: StudioLimits = {}) {
    this.maxClicks = limits.maxClicks ?? 32;
    this.maxQueued = limits.maxQueued ?? 4;
  }

  /** Detection runs waiting or running now. */
  get busy(): number {
    return this.queued;
  }

  /** The state of image `image` (an image never clicked has no clicks). */
  state(image: number): StudioState {
    const s = this.session(image);
    return {
      image,
      version: s.version,
      clicks: s.clicks.map((c) => ({ ...c })),
      detections: s.detections.map((d) => ({ ...d, boxXyxy: [...d.boxXyxy] })),
      timeMs: s.timeMs,
      pending: s.computed !== s.generation,
      ...(s.message ? { message: s.message } : {}),
    };
  }

  /** Adds a click and resolves with the state once a run has covered it. 429 when a limit is reached. */
  click(image: number, click: StudioClick): Promise<StudioState> {
    const s = this.session(image);
    if (s.clicks.length >= this.maxClicks) {
      throw new StudioHttpError(429, `image ${image} has ${s.clicks.length} clicks, the most a session allows (maxClicks ${this.maxClicks}); undo or reset to click again`);
    }
    this.checkQueue();
    s.clicks = [...s.clicks, { ...click }];
    s.generation++;
    s.version++;
    return this.enqueue(image);
  }

  /** Removes the last click of `image` and re-runs the detector on the rest. */
  undo(image: number): Promise<StudioState> {
    const s = this.session(image);
    if (s.clicks.length === 0) return Promise.resolve(this.state(image));
    this.checkQueue();
    s.clicks = s.clicks.slice(0, -1);
    s.base = ++s.generation;
    s.version++;
    if (s.clicks.length === 0) return Promise.resolve(this.reset(image));
    return this.enqueue(image);
  }

  /** Clears the clicks and detections of `image` at once (a run in flight for it is discarded). */
  reset(image: number): StudioState {
    const s = this.session(image);
    s.clicks = [];
    s.computedClicks = [];
    s.detections = [];
    s.timeMs = null;
    s.message = undefined;
    s.base = s.computed = ++s.generation;
    s.version++;
    return this.state(image);
  }

  /**
   * Every image's detections as COCO results, images in index order. `imageIds[i]` is image i's id (default
   * i + 1); boxes become [x, y, w, h] rounded to 0.01 px. Detections of unlabelled clicks keep category -1.
   */
  results(imageIds: readonly (number | undefined)[] = []): StudioCocoResult[] {
    const out: StudioCocoResult[] = [];
    for (const image of [...this.images.keys()].sort((a, b) => a - b)) {
      for (const d of this.images.get(image)!.detections) {
        const [x1, y1, x2, y2] = d.boxXyxy as [number, number, number, number];
        const r2 = (v: number) => Math.round(v * 100) / 100;
        out.push({ image_id: imageIds[image] ?? image + 1, category_id: d.categoryId, bbox: [r2(x1), r2(y1), r2(x2 - x1), r2(y2 - y1)], score: d.score });
      }
    }
    return out;
  }

  private session(image: number): ImageSession {
    let s = this.images.get(image);
    if (!s) {
      s = { clicks: [], generation: 0, computed: 0, base: 0, computedClicks: [], detections: [], timeMs: null, version: 0 };
      this.images.set(image, s);
    }
    return s;
  }

  private checkQueue(): void {
    if (this.queued >= this.maxQueued) {
      throw new StudioHttpError(429, `the studio is busy: ${this.queued} detection runs are queued, the most it accepts (maxQueued ${this.maxQueued}); try again when one has finished`, { "retry-after": "1" });
    }
  }

  private enqueue(image: number): Promise<StudioState> {
    this.queued++;
    const job = this.tail.then(() => this.runOnce(image)).finally(() => this.queued--);
    this.tail = job.catch(() => undefined);
    return job;
  }

  private async runOnce(image: number): Promise<StudioState> {
    const s = this.session(image);
    if (s.computed === s.generation) return this.state(image);
    const generation = s.generation;
    const clicks = s.clicks.map((c) => ({ ...c }));
    try {
      const r = await this.run(image, clicks);
      if (generation >= s.base && generation > s.computed) {
        s.computed = generation;
        s.computedClicks = clicks;
        s.detections = r.detections;
        s.timeMs = r.timeMs;
        s.message = r.detections.length === 0 ? "nothing found for these clicks" : undefined;
        s.version++;
      }
      return this.state(image);
    } catch (err) {
      if (generation >= s.base) {
        // Back to the last clicks that ran, so the page never shows clicks without their detections.
        s.clicks = s.computedClicks.map((c) => ({ ...c }));
        s.base = s.computed = ++s.generation;
        s.message = `detection failed: ${err instanceof Error ? err.message : String(err)}`;
        s.version++;
      }
      throw err;
    }
  }
}
