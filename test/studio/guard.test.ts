import { describe, expect, it } from "vitest";
import { hostAllowed, newStudioToken, originAllowed, refuseRequest, tokenMatches } from "../../src/studio/guard.js";

describe("studio guard", () => {
  it("makes long, distinct tokens and compares them exactly", () => {
    const a = newStudioToken(), b = newStudioToken();
    expect(a).not.toBe(b);
    expect(a.length).toBeGreaterThanOrEqual(32);
    expect(tokenMatches(a, a)).toBe(true);
    expect(tokenMatches(a.slice(0, -1), a)).toBe(false);
    expect(tokenMatches(undefined, a)).toBe(false);
  });

  it("accepts only loopback Host names with the server's port", () => {
    expect(hostAllowed("127.0.0.1:5000", 5000)).toBe(true);
    expect(hostAllowed("localhost:5000", 5000)).toBe(true);
    expect(hostAllowed("[::1]:5000", 5000)).toBe(true);
    expect(hostAllowed("127.0.0.1:5001", 5000)).toBe(false);
    expect(hostAllowed("evil.example:5000", 5000)).toBe(false);
    expect(hostAllowed(undefined, 5000)).toBe(false);
  });

  it("accepts its own origin, loopback origins and listed ones; refuses the rest", () => {
    const own = "http://127.0.0.1:5000";
    expect(originAllowed(undefined, own)).toBe(true);
    expect(originAllowed(own, own)).toBe(true);
    expect(originAllowed("http://localhost:8888", own)).toBe(true);
    expect(originAllowed("http://localhost:8888", own, [], false)).toBe(false);
    expect(originAllowed("https://evil.example", own)).toBe(false);
    expect(originAllowed("http://127.0.0.1.evil.example", own)).toBe(false);
    expect(originAllowed("null", own)).toBe(false);
    expect(originAllowed("null", own, ["null"])).toBe(true);
  });

  it("checks host, then origin, then token: 403, 403, 401 / 403", () => {
    const rules = { port: 5000, ownOrigin: "http://127.0.0.1:5000", token: "t0k" };
    const ok = { host: "127.0.0.1:5000", token: "t0k" };
    expect(refuseRequest(ok, rules)).toBeUndefined();
    expect(refuseRequest({ ...ok, host: "a.b:5000" }, rules)?.status).toBe(403);
    expect(refuseRequest({ ...ok, origin: "https://evil.example" }, rules)?.status).toBe(403);
    expect(refuseRequest({ ...ok, token: undefined }, rules)?.status).toBe(401);
    expect(refuseRequest({ ...ok, token: "nope" }, rules)?.status).toBe(403);
  });
});
