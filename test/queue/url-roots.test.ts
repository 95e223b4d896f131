// Queue URLs (credentials never shown), data roots (paths outside refused, named), content keys.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { shardKey, stableJson } from "../../src/queue/keys.js";
import { checkUnderRoots } from "../../src/queue/roots.js";
import { parseQueueUrl, redactQueueUrl } from "../../src/queue/url.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dealkit-roots-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("queue URL", () => {
  it("parses host, port, db, user and password; TLS with rediss://", () => {
    expect(parseQueueUrl("redis://127.0.0.1:6380")).toMatchObject({ host: "127.0.0.1", port: 6380, db: 0, tls: false, shown: "redis://127.0.0.1:6380" });
    const c = parseQueueUrl("rediss://alice:s%40cret@queue.internal:6390/3");
    expect(c).toMatchObject({ host: "queue.internal", port: 6390, db: 3, tls: true, username: "alice", password: "s@cret" });
    expect(c.shown).toBe("rediss://***@queue.internal:6390/3");
    expect(parseQueueUrl("redis://:pw@h").port).toBe(6379);
  });
  it("never shows the credentials, also in errors", () => {
    expect(redactQueueUrl("redis://u:topsecret@h:1")).toBe("redis://***@h:1");
    expect(() => parseQueueUrl("http://u:topsecret@h:1")).toThrow(/--queue must start with redis:\/\/ or rediss:\/\/ \(TLS\); got "http:\/\/\*\*\*@h:1"/);
    expect(() => parseQueueUrl("redis://u:topsecret@h:1/x")).toThrow(/database number/);
    for (const bad of ["http://u:topsecret@h:1", "redis://u:topsecret@h:1/x", "redis://u:topsecret@h:99999"]) {
      try {
        parseQueueUrl(bad);
      } catch (e) {
        expect((e as Error).message).not.toContain("topsecret");
      }
    }
  });
});

describe("data roots", () => {
  it("allows paths under a root, refuses others naming the path, and follows links", () => {
    const root = path.join(dir, "data");
    fs.mkdirSync(path.join(root, "sub"), { recursive: true });
    fs.writeFileSync(path.join(root, "sub", "gt.json"), "{}");
    fs.writeFileSync(path.join(dir, "secret.json"), "{}");
    expect(checkUnderRoots(path.join(root, "sub", "gt.json"), [root])).toBe(fs.realpathSync(path.join(root, "sub", "gt.json")));
    expect(() => checkUnderRoots(path.join(dir, "secret.json"), [root])).toThrow(`refusing ${path.join(dir, "secret.json")}: not under a data root of this worker (${root})`);
    expect(() => checkUnderRoots(path.join(root, "..", "secret.json"), [root])).toThrow(/refusing .*secret\.json: not under a data root/);
    fs.symlinkSync(path.join(dir, "secret.json"), path.join(root, "link.json"));
    expect(() => checkUnderRoots(path.join(root, "link.json"), [root])).toThrow(/refusing .*link\.json: not under a data root/);
    expect(() => checkUnderRoots(path.join(root, "sub", "gt.json"), [])).toThrow(/none given/);
  });
});

describe("content keys", () => {
  it("change with every part, not with the order of settings", () => {
    const base = { kind: "eval", model: "", data: "abc", shard: { start: 0, end: 10 }, settings: { a: 1, b: [1, 2] } };
    const k = shardKey(base);
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(shardKey({ ...base, settings: { b: [1, 2], a: 1 } })).toBe(k);
    for (const changed of [{ kind: "predict" }, { model: "m" }, { data: "abd" }, { shard: { start: 0, end: 11 } }, { settings: { a: 2, b: [1, 2] } }]) {
      expect(shardKey({ ...base, ...changed })).not.toBe(k);
    }
    expect(stableJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
  });
});
