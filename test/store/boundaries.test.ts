import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SessionNotFoundError, SessionTooLargeError } from "../../src/store/errors.js";
import { useRedis } from "../support/redis-fixture.js";
import { makeStore, readRaw, strategies } from "../support/store-fixture.js";

/**
 * The exact edges of the contract, where an off-by-one hides: a session is gone from the very second its expiry
 * names (expiresAt <= now, judged alike by the TypeScript reader and by every Lua script), and the largest session
 * a store accepts is exactly maxSessionBytes of JSON, written and read back, whatever the codec.
 */

const redis = useRedis();

describe.each(strategies)("%s strategy", (strategy) => {
  const setup = (overrides: Record<string, unknown> = {}) => {
    const store = makeStore(redis, { strategy, ...overrides });
    // A day ahead of Redis' own clock, so that Redis never drops a String key (EXAT) before the test's clock
    // says it expired: the service's own judgement is what is under test.
    store.clock.advanceSeconds(86_400);
    return store;
  };

  it("is live in the last second before its expiry and gone in the second it names, for every operation", async () => {
    const { repository, clock } = setup();
    const session = await repository.create({ n: 1 }, { ttl: 60 });
    const expiresAt = session.expiresAt.getTime();

    // One second before: live for reads (plain and batched), touch and must-exist saves.
    clock.ms = expiresAt - 1000;
    expect(await repository.get(session.key)).toMatchObject({ data: { n: 1 } });
    expect((await repository.getMany([session.key])).found).toHaveLength(1);

    // Every way in, from a fresh copy of the session whose expiry is exactly now.
    const atExpiry = async (check: (key: string) => Promise<void>) => {
      clock.ms = Date.now() + 86_400_000;
      const copy = await repository.create({ n: 2 }, { ttl: 60 });
      clock.ms = copy.expiresAt.getTime() - 1000;
      expect(await repository.get(copy.key)).not.toBeNull();
      clock.ms = copy.expiresAt.getTime();
      await check(copy.key);
    };
    await atExpiry(async (key) => expect(await repository.get(key)).toBeNull());
    await atExpiry(async (key) => expect(await repository.get(key, { touch: true })).toBeNull());
    await atExpiry(async (key) => expect((await repository.getMany([key])).missing).toEqual([key]));
    await atExpiry((key) => expect(repository.touch(key)).rejects.toThrow(SessionNotFoundError));
    await atExpiry((key) =>
      expect(repository.save(key, { n: 3 }, { condition: { kind: "mustExist" } })).rejects.toThrow(
        SessionNotFoundError,
      ),
    );
    await atExpiry((key) =>
      expect(repository.save(key, { n: 3 }, { condition: { kind: "version", expected: 1 } })).rejects.toThrow(
        SessionNotFoundError,
      ),
    );
    // A hash delete judges by the record's expiry; a string delete is a plain DEL, and Redis' own clock (which
    // this test keeps a day behind) decides whether the key still exists.
    if (strategy === "hash") await atExpiry(async (key) => expect(await repository.delete(key)).toBe(false));
    await atExpiry((key) => expect(repository.rotate(key)).rejects.toThrow(SessionNotFoundError));
    // A must-create save may take the key of a session that expired this very second.
    await atExpiry(async (key) => {
      const fresh = await repository.save(key, { n: 4 }, { condition: { kind: "mustCreate" } });
      expect(fresh.version).toBe(1);
    });
  });

  describe.each(["none", "zstd"])("codec %s", (codec) => {
    const maxSessionBytes = 4096;

    /** Data whose JSON is exactly `bytes` long: {"a":"xx…x"}. */
    const dataOf = (bytes: number) => ({ a: "x".repeat(bytes - '{"a":""}'.length) });

    it("accepts and reads back data of exactly maxSessionBytes of JSON, and refuses one byte more", async () => {
      // compressMinBytes 0: under zstd the payload is compressed, and reading it back must inflate to the limit.
      const { repository, config } = setup({ codec, maxSessionBytes, compressMinBytes: 0 });
      const largest = dataOf(maxSessionBytes);
      expect(Buffer.byteLength(JSON.stringify(largest))).toBe(maxSessionBytes);
      const session = await repository.create(largest);
      expect((await repository.get(session.key))?.data).toEqual(largest);
      expect((await repository.getMany([session.key])).found[0]?.data).toEqual(largest);
      expect((await repository.get(session.key, { touch: true }))?.data).toEqual(largest);
      expect((await repository.rotate(session.key)).data).toEqual(largest);

      const key = randomBytes(16).toString("hex");
      await expect(repository.save(key, dataOf(maxSessionBytes + 1))).rejects.toThrow(SessionTooLargeError);
      await expect(repository.create(dataOf(maxSessionBytes + 1))).rejects.toThrow(SessionTooLargeError);
      expect(await readRaw(redis, config, key)).toBeNull();
    });
  });
});
