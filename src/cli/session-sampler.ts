import type { StoreConfig } from "../config/config-schema.js";
import { formatSessionKey, SESSION_KEY_BYTES } from "../store/records/session-key.js";
import type { RedisLink } from "../store/redis/redis-link.js";
import type { SessionRepository } from "../store/session-repository.js";
import { buffersOf, globEscape, inBatches } from "../store/stats/stats-sampling.js";

/** Fields taken from one bucket: spreads a sample over many buckets rather than draining the first ones. */
const FIELDS_PER_BUCKET = 8;

/** Keys read per `getMany`. */
const KEYS_PER_READ = 256;

/**
 * Up to `count` live sessions of a store, as the JSON the store compresses: for training a dictionary on what the
 * store really holds.
 *
 * Keys are found by SCAN over the store's own key pattern (its prefix, then the 16 key bytes of a string store
 * or the bucket id of a hash store; SCAN's order follows Redis' hash table, so it is unrelated to the sessions'
 * content), up to {@link FIELDS_PER_BUCKET} random fields per bucket. Sessions are then read through the
 * repository, so expired ones are skipped and every codec (dictionaries included) is decoded as the service
 * would; corrupt records are skipped too.
 */
export async function sampleSessionJson(
  link: RedisLink,
  store: StoreConfig,
  repository: Pick<SessionRepository, "getMany">,
  count: number,
): Promise<Buffer[]> {
  const prefix = Buffer.from(store.prefix, "utf8");
  const hash = store.strategy === "hash";
  const idBytes = hash ? Math.ceil(store.bucketBits / 8) : SESSION_KEY_BYTES;
  // A hash field is the key from the first byte its bucket does not wholly determine (see BucketLayout).
  const keyBytesInBucket = Math.floor(store.bucketBits / 8);
  const pattern = Buffer.concat([globEscape(prefix), Buffer.from("?".repeat(idBytes))]);

  const samples: Buffer[] = [];
  let cursor = "0";
  do {
    const reply = await link.command([
      "SCAN",
      cursor,
      "MATCH",
      pattern,
      "COUNT",
      "1000",
      "TYPE",
      hash ? "hash" : "string",
    ]);
    const [next, found] = Array.isArray(reply) ? reply : [];
    cursor = String(next ?? "0");
    const keys = buffersOf(found);
    const wanted = count - samples.length;
    const sessionKeys = hash
      ? await fieldKeys(link, keys.slice(0, wanted), prefix.length, keyBytesInBucket)
      : keys.map((key) => key.subarray(prefix.length));
    const hexKeys = sessionKeys
      .filter((key) => key.length === SESSION_KEY_BYTES)
      .slice(0, wanted)
      .map((key) => formatSessionKey(key));
    for (let start = 0; start < hexKeys.length; start += KEYS_PER_READ) {
      const { found: sessions } = await repository.getMany(hexKeys.slice(start, start + KEYS_PER_READ));
      for (const session of sessions) samples.push(Buffer.from(JSON.stringify(session.data), "utf8"));
    }
  } while (cursor !== "0" && samples.length < count);
  return samples.slice(0, count);
}

/** Session keys of random fields of `buckets`: the bucket's whole key bytes, then the field. */
async function fieldKeys(
  link: RedisLink,
  buckets: readonly Buffer[],
  prefixBytes: number,
  keyBytesInBucket: number,
): Promise<Buffer[]> {
  const replies = await inBatches(buckets, (bucket) =>
    link.command(["HRANDFIELD", bucket, String(FIELDS_PER_BUCKET)]),
  );
  return buckets.flatMap((bucket, index) => {
    const head = bucket.subarray(prefixBytes, prefixBytes + keyBytesInBucket);
    return buffersOf(replies[index]).map((field) => Buffer.concat([head, field]));
  });
}
