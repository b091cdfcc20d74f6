import { describe, expect, it } from "vitest";
import { SessionNotFoundError } from "../../src/store/errors.js";
import type { Session, SessionStamp } from "../../src/store/session.js";
import { useRedis } from "../support/redis-fixture.js";
import { makeStore, strategies } from "../support/store-fixture.js";

const redis = useRedis();

const LIFETIME = 600;
const TTL = 60;
/** Seconds between uses: below the TTL, so the session never idles out; odd, so uses land on every phase. */
const STEP = 7;

const seconds = (date: Date | undefined) => {
  if (date === undefined) throw new Error("a store with a lifetime records creation times");
  return date.getTime() / 1000;
};

describe.each(strategies)("%s strategy with an absolute lifetime", (strategy) => {
  it("ends a session used without pause (touched, read with touch, saved, rotated) at its lifetime", async () => {
    const { repository, clock } = makeStore(redis, { strategy, maxLifetime: LIFETIME, defaultTtl: TTL });
    const now = () => Math.floor(clock.ms / 1000);
    const created = await repository.create({ n: 0 });
    const end = seconds(created.createdAt) + LIFETIME;
    let key = created.key;
    let version = 1;
    let expires = seconds(created.expiresAt);
    const uses: ((step: number) => Promise<Session | SessionStamp | null>)[] = [
      () => repository.touch(key, { ttl: TTL }),
      () => repository.get(key, { touch: true, ttl: TTL }),
      (step) => repository.save(key, { n: step }, { ttl: TTL, condition: { kind: "mustExist" } }),
      () => repository.rotate(key),
    ];

    let step = 0;
    for (; now() + STEP < end; step++) {
      clock.advanceSeconds(STEP);
      const use = uses[step % uses.length];
      if (use === undefined) throw new Error("no use");
      const session = await use(step);
      expect(session, `step ${step}, ${end - now()} s before the end`).not.toBeNull();
      if (session === null) return;
      if (step % uses.length === 2) version++;
      key = session.key;
      // Every use but a rotation (which keeps it) slides the expiry, never past the lifetime; writes and
      // rotations keep the creation time.
      if (step % uses.length !== 3) expires = Math.min(now() + TTL, end);
      expect(seconds(session.expiresAt)).toBe(expires);
      expect(session.createdAt).toEqual(created.createdAt);
      expect(session.version).toBe(version);
    }
    expect(step).toBeGreaterThan(LIFETIME / STEP - 2);

    // The last second of its life, it is still there...
    clock.ms = (end - 1) * 1000;
    expect((await repository.get(key))?.version).toBe(version);
    // ...and from its end on it is gone for every operation, however recently it was used.
    clock.ms = end * 1000;
    expect(await repository.get(key)).toBeNull();
    expect(await repository.get(key, { touch: true, ttl: TTL })).toBeNull();
    await expect(repository.touch(key, { ttl: TTL })).rejects.toThrow(SessionNotFoundError);
    await expect(repository.save(key, {}, { condition: { kind: "mustExist" } })).rejects.toThrow(
      SessionNotFoundError,
    );
    await expect(
      repository.save(key, {}, { condition: { kind: "version", expected: version } }),
    ).rejects.toThrow(SessionNotFoundError);
    await expect(repository.rotate(key)).rejects.toThrow(SessionNotFoundError);
    expect(await repository.getMany([key])).toEqual({ found: [], missing: [key], corrupt: [] });
  });
});
