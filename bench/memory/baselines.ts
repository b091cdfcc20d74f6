/**
 * The two baselines, written into the same private Redis in the same run as our rows: connect-redis (what a
 * Node app would use instead) and the layout of the seed, django-redisession (what we descend from).
 */
import { RedisStore } from "connect-redis";
import session, { type SessionData } from "express-session";
import type { RedisClient } from "../../src/store/redis/redis-connection.js";
import { seededRandom } from "../support/random.js";
import { populationJson, randomBytesFrom, type SizeClass } from "./population.js";
import { inBatches, TTL_SECONDS, type WriteTotals } from "./writers.js";

/** The seed's record header: 4-byte expiry and a flag byte. */
const SEED_HEADER_BYTES = 5;

/**
 * connect-redis as an Express app uses it: its own `set(sid, session)`, default `sess:` prefix and JSON
 * serializer. express-session puts a `cookie` first in every session (here with a 14-day maxAge, from which
 * connect-redis derives the key's TTL) and makes 24-byte random ids, 32 base64url characters (uid-safe).
 */
export async function writeConnectRedis(
  client: RedisClient,
  size: SizeClass,
  count: number,
  onProgress: (done: number) => void,
): Promise<WriteTotals> {
  const store = new RedisStore({ client });
  const random = seededRandom(0x5e55);
  const json = populationJson(size, count);
  let jsonBytes = 0;
  let storedBytes = 0;
  await inBatches(
    count,
    (i) => {
      const text = json[i] as string;
      const cookie = new session.Cookie();
      cookie.maxAge = TTL_SECONDS * 1000;
      const stored = { cookie, ...JSON.parse(text) };
      jsonBytes += Buffer.byteLength(text);
      storedBytes += Buffer.byteLength(JSON.stringify(stored));
      return store.set(randomBytesFrom(random, 24).toString("base64url"), stored as unknown as SessionData);
    },
    onProgress,
  );
  return { sessions: count, jsonBytes, storedBytes };
}

/**
 * django-redisession's hash layout, written raw: 65,536 buckets named by the first two bytes of a 16-byte binary
 * key (no prefix), the whole 16-byte key as the field, and as the value a 4-byte big-endian expiry, one flag
 * byte (0: not compressed) and the payload. Pipelined HSETs, as its backend issued them.
 */
export async function writeSeedLayout(
  client: RedisClient,
  size: SizeClass,
  count: number,
  onProgress: (done: number) => void,
): Promise<WriteTotals> {
  const random = seededRandom(0x5eed);
  const expiry = Math.floor(Date.now() / 1000) + TTL_SECONDS;
  const json = populationJson(size, count);
  let jsonBytes = 0;
  await inBatches(
    count,
    (i) => {
      const key = randomBytesFrom(random, 16);
      const payload = Buffer.from(json[i] as string);
      jsonBytes += payload.byteLength;
      const value = Buffer.allocUnsafe(SEED_HEADER_BYTES + payload.byteLength);
      value.writeUInt32BE(expiry, 0);
      value.writeUInt8(0, 4);
      payload.copy(value, SEED_HEADER_BYTES);
      return client.sendCommand(["HSET", key.subarray(0, 2), key, value]);
    },
    onProgress,
  );
  return { sessions: count, jsonBytes, storedBytes: jsonBytes, headerBytes: count * SEED_HEADER_BYTES };
}
