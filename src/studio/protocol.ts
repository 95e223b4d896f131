// Messages between the studio's two threads. The HTTP server runs in a worker thread (so the page, the
// image and every refusal are answered while a detection runs); the model stays on the thread that
// started the studio, which decodes images and runs detections when the worker asks.
import type { StudioCategory } from "./images.js";
import type { StudioClick, StudioDetection, StudioState } from "./session.js";

/** What the worker needs to serve a session (sent as workerData). */
export interface StudioWorkerConfig {
  token: string;
  port: number;
  maxBodyBytes: number;
  idleTimeoutMs: number;
  maxClicks: number;
  maxQueued: number;
  allowedOrigins: string[];
  allowLoopbackOrigins: boolean;
  keepProcessAlive: boolean;
  images: { name: string; imageId?: number }[];
  categories: StudioCategory[];
  title: string;
  model: string;
  backend: string;
  displayMaxSide: number;
}

/** Worker -> starting thread. */
export type ToMain =
  | { type: "ready"; port: number }
  | { type: "listen-failed"; message: string }
  | { type: "load"; id: number; image: number }
  | { type: "detect"; id: number; image: number; clicks: StudioClick[] }
  | { type: "state"; state: StudioState }
  | { type: "stats"; id: number; touches: number; busy: number };

/** Starting thread -> worker. */
export type ToWorker =
  | { type: "loaded"; id: number; width: number; height: number; png: Uint8Array }
  | { type: "detected"; id: number; detections: StudioDetection[]; timeMs: number }
  | { type: "failed"; id: number; status: number; message: string }
  | { type: "stats"; id: number }
  | { type: "close" };
