// BullMQ and ioredis are loaded when a queue is used, not when dealkit is imported.
import type * as Bullmq from "bullmq";
import type { Redis as RedisClient } from "ioredis";
import { redisOptionsOf, type QueueConnection } from "./url.js";

/**
 * The bullmq module, loaded on first use.
 *
 * @example
 * const { Queue } = await loadBullmq();
 */
export async function loadBullmq(): Promise<typeof Bullmq> {
  return import("bullmq");
}

/**
 * A plain ioredis client on a queue connection (for the result store); `quit()` it when done.
 *
 * @example
 * const redis = await redisClient(parseQueueUrl("redis://127.0.0.1:6379"));
 * await redis.quit();
 */
export async function redisClient(c: QueueConnection): Promise<RedisClient> {
  const { Redis } = await import("ioredis");
  return new Redis({ ...redisOptionsOf(c), lazyConnect: false });
}
