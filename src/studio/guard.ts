import { randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The studio's request rules, as pure functions (the server applies them in this order):
 * 1. Host must name the server itself (127.0.0.1, localhost or [::1] with its port): a DNS-rebinding page
 *    reaching 127.0.0.1 under a foreign name is refused (403).
 * 2. Origin, when the browser sends one, must be the server's own origin, a loopback origin (http(s) on
 *    localhost / 127.0.0.1 / [::1], any port: the Jupyter page that shows the inline studio), or one listed
 *    in `allowedOrigins` (e.g. "vscode-webview://..."; "null" for file pages). Anything else: 403.
 * 3. The session token must be present (401 when missing) and equal (403 when wrong): in the
 *    `x-dealkit-token` header for the API, or the `token` query parameter for the page and the image.
 * 4. Bodies over the limit are refused with 413, by Content-Length first and while reading.
 */

/** A fresh random session token (24 bytes, base64url). */
export function newStudioToken(): string {
  return randomBytes(24).toString("base64url");
}

/** Constant-time token comparison. */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given, "utf8"), b = Buffer.from(expected, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** True when `host` (a Host header) names this server: a loopback name with the server's port. */
export function hostAllowed(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(host.trim().toLowerCase());
  return !!m && LOOPBACK_HOSTS.has(m[1]!) && Number(m[2]) === port;
}

/** True when `origin` (an Origin header) may call the studio; see the rules above. An absent Origin is allowed. */
export function originAllowed(origin: string | undefined, ownOrigin: string, extra: readonly string[] = [], allowLoopback = true): boolean {
  if (origin === undefined) return true;
  if (origin === ownOrigin || extra.includes(origin)) return true;
  if (!allowLoopback) return false;
  try {
    const u = new URL(origin);
    return (u.protocol === "http:" || u.protocol === "https:") && LOOPBACK_HOSTS.has(u.hostname) && u.username === "" && u.pathname === "/";
  } catch {
    return false;
  }
}

/** The verdict on a request's headers: undefined to go on, else the status and reason to refuse with. */
export function refuseRequest(
  req: { host?: string; origin?: string; token?: string },
  rules: { port: number; ownOrigin: string; token: string; allowedOrigins?: readonly string[]; allowLoopbackOrigins?: boolean },
): { status: 401 | 403; reason: string } | undefined {
  if (!hostAllowed(req.host, rules.port)) return { status: 403, reason: `host "${req.host ?? ""}" is not this studio` };
  if (!originAllowed(req.origin, rules.ownOrigin, rules.allowedOrigins, rules.allowLoopbackOrigins ?? true)) {
    return { status: 403, reason: `origin "${req.origin}" may not call this studio` };
  }
  if (req.token === undefined || req.token === "") return { status: 401, reason: "missing session token" };
  if (!tokenMatches(req.token, rules.token)) return { status: 403, reason: "wrong session token" };
  return undefined;
}
