import * as http from "node:http";

/** A reply as the tests read it. */
export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  bytes: Buffer;
}

/** One plain HTTP request to 127.0.0.1:port (a connection reset on an oversized body reads as 413). */
export function request(
  port: number,
  opts: { method?: string; path?: string; headers?: Record<string, string | number>; body?: string | Buffer },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method: opts.method ?? "GET", path: opts.path ?? "/", headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode!, headers: res.headers, body: bytes.toString("utf8"), bytes });
      });
    });
    req.on("error", (e: NodeJS.ErrnoException) => (e.code === "ECONNRESET" || e.code === "EPIPE" ? resolve({ status: 413, headers: {}, body: "reset", bytes: Buffer.alloc(0) }) : reject(e)));
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** Width and height from a PNG's IHDR (read by hand, independent of the code under test). */
export function pngSizeOf(bytes: Buffer): { width: number; height: number } {
  if (bytes.subarray(1, 4).toString("latin1") !== "PNG") throw new Error("not a PNG");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}
