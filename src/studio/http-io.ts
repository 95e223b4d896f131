import type * as http from "node:http";
import { StudioHttpError } from "./schema.js";

/** Reads a request body of at most `limit` bytes (413 by Content-Length first, then while reading). */
export function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) return Promise.reject(new StudioHttpError(413, `body of ${declared} bytes is over the ${limit}-byte limit`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new StudioHttpError(413, `body is over the ${limit}-byte limit`));
        req.pause();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Writes a JSON reply (no-store) unless one was sent; a 413 also drops the connection. */
export function sendJson(req: http.IncomingMessage, res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers });
  res.end(JSON.stringify(body));
  if (status === 413) req.destroy();
}

/** The studio's icon (a magnifier over a box), served at /favicon.ico and /favicon.svg without the token. */
export const STUDIO_FAVICON_SVG =
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1d2733"/>` +
  `<rect x="5" y="5" width="12" height="12" fill="none" stroke="#39ff14" stroke-width="2.5"/>` +
  `<circle cx="18" cy="18" r="7" fill="none" stroke="#00e5ff" stroke-width="3"/><path d="M23 23l5 5" stroke="#00e5ff" stroke-width="3.5" stroke-linecap="round"/></svg>`;
