import type { RedisFixture } from "./redis-fixture.js";

/**
 * Every key of the fixture's Redis with its serialized value (`DUMP`, which leaves out the TTL so that time
 * passing does not count as a change), as hex: two snapshots are equal when nothing was written in between.
 */
export async function redisSnapshot(redis: RedisFixture): Promise<Map<string, string>> {
  const snapshot = new Map<string, string>();
  let cursor = "0";
  do {
    const reply = await redis.raw("SCAN", cursor, "COUNT", 1000);
    const [next, keys] = Array.isArray(reply) ? reply : [];
    cursor = String(next ?? "0");
    for (const key of Array.isArray(keys) ? keys : []) {
      if (!Buffer.isBuffer(key)) continue;
      const dump = await redis.raw("DUMP", key);
      snapshot.set(key.toString("hex"), Buffer.isBuffer(dump) ? dump.toString("hex") : String(dump));
    }
  } while (cursor !== "0");
  return snapshot;
}
