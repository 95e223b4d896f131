import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { decode, encode, newHeader, Signer } from "../../../src/kernel/protocol/wire.js";

const python = process.env.DEALKIT_PYTHON ?? "/usr/bin/python3";

/** jupyter_client's own Session.sign for the same parts: an independent implementation of the signature. */
function jupyterClientSignature(key: string, parts: string[]): string {
  const script =
    "import json, sys\nfrom jupyter_client.session import Session\n" +
    "key, parts = json.load(sys.stdin)\n" +
    "print(Session(key=key.encode(), signature_scheme='hmac-sha256').sign([p.encode() for p in parts]).decode())";
  const r = spawnSync(python, ["-c", script], { input: JSON.stringify([key, parts]), encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
}

describe("Jupyter wire format", () => {
  const key = "a0436f6c-1916-498b-8eb9-e81ab9368e84";
  const signer = new Signer(key, "hmac-sha256");

  it("signs the four JSON parts as jupyter_client does", () => {
    const frames = encode(signer, ["ident"], newHeader("status", "s1"), {}, { execution_state: "idle" });
    const parts = frames.slice(3).map(String);
    expect(parts).toHaveLength(4);
    expect(frames[2]).toBe(jupyterClientSignature(key, parts));
  });

  it("decodes what it encodes, with identities and buffers, and rejects a bad signature", () => {
    const header = newHeader("execute_request", "client");
    const frames = encode(signer, [Buffer.from("id1"), Buffer.from("id2")], header, {}, { code: "1+1" }).map((f) =>
      Buffer.from(f),
    );
    const msg = decode([...frames, Buffer.from("buffer")], signer);
    expect(msg.identities.map(String)).toEqual(["id1", "id2"]);
    expect(msg.header).toEqual(header);
    expect(msg.content).toEqual({ code: "1+1" });
    expect(msg.buffers.map(String)).toEqual(["buffer"]);
    const tampered = [...frames];
    tampered[6] = Buffer.from(JSON.stringify({ code: "2+2" }));
    expect(() => decode(tampered, signer)).toThrow("bad signature");
    expect(() => decode([Buffer.from("no delimiter")], signer)).toThrow("malformed");
  });

  it("leaves messages unsigned with an empty key, and knows only HMAC schemes", () => {
    expect(new Signer("").sign(["{}"])).toBe("");
    expect(() => new Signer("k", "rsa-sha256")).toThrow("unsupported signature_scheme");
    expect(newHeader("status", "s").version).toBe("5.3");
  });
});
