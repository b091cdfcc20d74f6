import { describe, expect, it } from "vitest";
// Seeded, so a failure can be replayed from the seed in its message.
import { seededRandom } from "../../bench/support/random.js";
import { codecByName } from "../../src/codec/codec-registry.js";
import { CorruptRecordError } from "../../src/store/errors.js";
import type { JsonObject } from "../../src/store/session.js";
import { useRedis } from "../support/redis-fixture.js";
import {
  codecs,
  makeStore,
  readRaw,
  strategies,
  withRecordParts,
  writeRaw,
} from "../support/store-fixture.js";

const redis = useRedis();

const CYCLES = 1000;

/** The idea of Redis' corrupt-dump fuzzer: flip, overwrite or cut bytes of a valid record. */
function mutate(record: Buffer, random: () => number): Buffer {
  const copy = Buffer.from(record);
  const kind = random();
  if (kind < 0.15) return copy.subarray(0, Math.floor(random() * copy.length));
  const flips = 1 + Math.floor(random() * 4);
  for (let i = 0; i < flips; i++) {
    const at = Math.floor(random() * copy.length);
    copy[at] = kind < 0.6 ? (copy[at] ?? 0) ^ (1 << Math.floor(random() * 8)) : Math.floor(random() * 256);
  }
  return copy;
}

describe.each(strategies)("%s strategy with randomly corrupted records", (strategy) => {
  it(`${CYCLES} mutations give a valid session, no session, or CorruptRecordError — never anything else`, async () => {
    const seed = Date.now() >>> 0;
    const random = seededRandom(seed);
    const stores = codecs.map((codec) => makeStore(redis, { strategy, codec, maxSessionBytes: 64 * 1024 }));
    const payloads: JsonObject[] = [
      { small: true },
      { cart: Array.from({ length: 60 }, (_, i) => ({ sku: i % 7, note: "gift" })) },
    ];
    const originals = [];
    for (const store of stores) {
      for (const data of payloads) {
        const session = await store.repository.create(data);
        originals.push({
          store,
          key: session.key,
          record: (await readRaw(redis, store.config, session.key)) as Buffer,
        });
      }
    }

    const outcomes = { valid: 0, absent: 0, corrupt: 0 };
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const original = originals[cycle % originals.length];
      if (original === undefined) throw new Error("no originals");
      const { store, key, record } = original;
      await writeRaw(redis, store.config, key, mutate(record, random));
      try {
        const session = await store.repository.get(key);
        if (session === null) outcomes.absent++;
        else {
          expect(typeof session.data).toBe("object");
          expect(Array.isArray(session.data)).toBe(false);
          outcomes.valid++;
        }
      } catch (error) {
        if (!(error instanceof CorruptRecordError)) {
          throw new Error(`seed ${seed}, cycle ${cycle}: unexpected ${String(error)}`, { cause: error });
        }
        outcomes.corrupt++;
      }
    }
    // Every kind of outcome occurs, so the mutations really reach the header, the codec and the JSON.
    expect(outcomes.valid).toBeGreaterThan(0);
    expect(outcomes.absent).toBeGreaterThan(0);
    expect(outcomes.corrupt).toBeGreaterThan(0);
    expect(outcomes.valid + outcomes.absent + outcomes.corrupt).toBe(CYCLES);
  });
});

describe.each(strategies)("%s strategy with a decompression bomb stored as a record", (strategy) => {
  it("refuses it with CorruptRecordError (the codec's limit) and keeps serving other sessions", async () => {
    const maxSessionBytes = 64 * 1024;
    const stores = codecs
      .filter((codec) => codec !== "none")
      .map((codec) => makeStore(redis, { strategy, codec, maxSessionBytes, compressMinBytes: 0 }));
    for (const store of stores) {
      const victim = await store.repository.create({ a: 1 });
      const bystander = await store.repository.create({ b: 2 });
      const record = (await readRaw(redis, store.config, victim.key)) as Buffer;
      // 8 MiB of JSON-ish zeros, compressed by the store's own codec: far past the 64 KiB cap when inflated.
      const bomb = codecByName(store.config.codec).compress(Buffer.alloc(8 * 1024 * 1024, 0x30));
      const codecId = codecByName(store.config.codec).id;
      await writeRaw(redis, store.config, victim.key, withRecordParts(record, { codecId, payload: bomb }));

      const read = store.repository.get(victim.key);
      await expect(read).rejects.toThrow(CorruptRecordError);
      await expect(read).rejects.toMatchObject({ cause: { reason: "limit" } });
      expect(await store.repository.get(bystander.key)).toEqual(bystander);
    }
  });
});
