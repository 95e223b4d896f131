// The private redis-server of the queue tests: on 127.0.0.1, a free port, no persistence; stopped afterwards.
import { describe, expect, it } from "vitest";
import { redisClient } from "../../src/queue/bull.js";
import { parseQueueUrl } from "../../src/queue/url.js";
import { REDIS_SKIP_REASON, startRedis } from "./redis-harness.js";

if (REDIS_SKIP_REASON) console.warn(REDIS_SKIP_REASON);

describe.skipIf(REDIS_SKIP_REASON !== "")("private redis-server", () => {
  it("starts on 127.0.0.1 without persistence, answers, and stops", async () => {
    const redis = await startRedis();
    expect(redis.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    const c = await redisClient(parseQueueUrl(redis.url));
    expect(await c.ping()).toBe("PONG");
    expect(await c.config("GET", "save")).toEqual(["save", ""]);
    expect(await c.config("GET", "appendonly")).toEqual(["appendonly", "no"]);
    expect(await c.config("GET", "bind")).toEqual(["bind", "127.0.0.1"]);
    await c.quit();
    await redis.stop();
    expect(redis.process.exitCode !== null || redis.process.signalCode !== null).toBe(true);
  });
});
