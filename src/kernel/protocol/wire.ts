import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";

/**
 * The Jupyter wire format (messaging protocol 5.3): multipart ZeroMQ messages
 * `[identities..., "<IDS|MSG>", signature, header, parent_header, metadata, content, buffers...]`,
 * signed with HMAC over the four JSON parts. Pure functions: no sockets here.
 */

/** The protocol version this kernel speaks. */
export const PROTOCOL_VERSION = "5.3";

const DELIMITER = Buffer.from("<IDS|MSG>");

/** A message header (the `header` and `parent_header` parts). */
export interface MessageHeader {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

/** One Jupyter message, decoded. */
export interface JupyterMessage {
  /** ZeroMQ routing identities (replies go back to them). */
  identities: Buffer[];
  header: MessageHeader;
  /** The request's header for replies and outputs; `{}` for none. */
  parent_header: MessageHeader | Record<string, never>;
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
  buffers: Buffer[];
}

/**
 * Signs and checks messages with the connection file's key and scheme.
 *
 * @example
 * new Signer("", "hmac-sha256").sign(["{}"]); // "" (no key: unsigned)
 */
export class Signer {
  private readonly algorithm: string | null;

  /**
   * @param key the connection file's `key`; an empty key disables signing (signature "").
   * @param scheme the connection file's `signature_scheme`. Default "hmac-sha256".
   * @example
   * const signer = new Signer(conn.key, conn.signature_scheme);
   */
  constructor(
    private readonly key: string,
    scheme = "hmac-sha256",
  ) {
    if (!scheme.startsWith("hmac-")) throw new Error(`unsupported signature_scheme ${JSON.stringify(scheme)}`);
    this.algorithm = key ? scheme.slice("hmac-".length) : null;
  }

  /** The hex signature of the four JSON parts. */
  sign(parts: (string | Buffer)[]): string {
    if (!this.algorithm) return "";
    const hmac = createHmac(this.algorithm, this.key);
    for (const part of parts) hmac.update(part);
    return hmac.digest("hex");
  }

  /** True when `signature` is right for `parts` (always true without a key). */
  verify(signature: string, parts: Buffer[]): boolean {
    if (!this.algorithm) return true;
    const want = Buffer.from(this.sign(parts));
    const got = Buffer.from(signature);
    return want.length === got.length && timingSafeEqual(want, got);
  }
}

/**
 * Decodes the frames of one received message; throws on a missing delimiter or a bad signature.
 *
 * @example
 * for await (const frames of shell) handle(decode(frames, signer));
 */
export function decode(frames: Buffer[], signer: Signer): JupyterMessage {
  const at = frames.findIndex((f) => f.equals(DELIMITER));
  if (at < 0 || frames.length < at + 6) throw new Error("malformed message: no <IDS|MSG> delimiter or too few parts");
  const parts = frames.slice(at + 2, at + 6);
  if (!signer.verify(frames[at + 1]!.toString("ascii"), parts)) throw new Error("message with a bad signature");
  const [header, parent, metadata, content] = parts.map((p) => JSON.parse(p.toString("utf8")));
  return {
    identities: frames.slice(0, at),
    header,
    parent_header: parent ?? {},
    metadata: metadata ?? {},
    content: content ?? {},
    buffers: frames.slice(at + 6),
  };
}

/**
 * A new header of `msgType` in `session` (the kernel's session id).
 *
 * @example
 * newHeader("status", session).version; // "5.3"
 */
export function newHeader(msgType: string, session: string): MessageHeader {
  return {
    msg_id: randomUUID(),
    session,
    username: "dealkit",
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}

/**
 * Encodes a message to frames: `identities` first (for iopub, the topic), then the signed parts.
 *
 * @example
 * socket.send(encode(signer, [topic], newHeader("status", session), parent.header, { execution_state: "idle" }));
 */
export function encode(
  signer: Signer,
  identities: (Buffer | string)[],
  header: MessageHeader,
  parent: MessageHeader | Record<string, never>,
  content: Record<string, unknown>,
  metadata: Record<string, unknown> = {},
): (Buffer | string)[] {
  const parts = [header, parent, metadata, content].map((p) => JSON.stringify(p));
  return [...identities, DELIMITER, signer.sign(parts), ...parts];
}
