import { DealkitConfigError } from "../util/errors.js";

/** Where a queue lives: what ioredis takes, and the URL with its credentials hidden (for messages and logs). */
export interface QueueConnection {
  host: string;
  port: number;
  /** Redis ACL user and password, from the URL (never logged). */
  username?: string;
  password?: string;
  db: number;
  /** `rediss://`: TLS (Node's defaults; certificates through NODE_EXTRA_CA_CERTS). */
  tls: boolean;
  /** The URL with user and password replaced by `***`: the only form that is ever printed. */
  shown: string;
}

/**
 * Parses `--queue redis://[user:password@]host:port[/db]` (or `rediss://` for TLS). Errors name the option and
 * the URL with its credentials hidden. Default port 6379, db 0.
 *
 * @example
 * parseQueueUrl("redis://:secret@10.0.0.5:6380/2"); // { host: "10.0.0.5", port: 6380, password: "secret", db: 2, tls: false, shown: "redis://***@10.0.0.5:6380/2" }
 */
export function parseQueueUrl(url: string): QueueConnection {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new DealkitConfigError(`--queue must be a URL redis://[user:password@]host:port[/db] (or rediss:// for TLS); got "${redactQueueUrl(url)}"`);
  }
  const shown = redactQueueUrl(url);
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") {
    throw new DealkitConfigError(`--queue must start with redis:// or rediss:// (TLS); got "${shown}"`);
  }
  const port = u.port === "" ? 6379 : Number(u.port);
  const dbText = u.pathname.replace(/^\//, "");
  const db = dbText === "" ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new DealkitConfigError(`--queue: the database number after the port must be an integer >= 0; got "${shown}"`);
  if (u.hostname === "") throw new DealkitConfigError(`--queue names no host; got "${shown}"`);
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, "$1"),
    port,
    ...(u.username !== "" ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password !== "" ? { password: decodeURIComponent(u.password) } : {}),
    db,
    tls: u.protocol === "rediss:",
    shown,
  };
}

/**
 * A queue URL with any user:password part replaced by `***`, also when the URL does not parse.
 *
 * @example
 * redactQueueUrl("redis://admin:pw@host:6379"); // "redis://***@host:6379"
 */
export function redactQueueUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, "$1***@");
}

/**
 * ioredis options of a connection (BullMQ needs `maxRetriesPerRequest: null` on workers).
 *
 * @example
 * redisOptionsOf(parseQueueUrl("redis://127.0.0.1:6379"), { worker: true }); // { host: "127.0.0.1", port: 6379, db: 0, maxRetriesPerRequest: null }
 */
export function redisOptionsOf(c: QueueConnection, o: { worker?: boolean } = {}): Record<string, unknown> {
  return {
    host: c.host, port: c.port, db: c.db,
    ...(c.username !== undefined ? { username: c.username } : {}),
    ...(c.password !== undefined ? { password: c.password } : {}),
    ...(c.tls ? { tls: {} } : {}),
    ...(o.worker ? { maxRetriesPerRequest: null } : {}),
  };
}
