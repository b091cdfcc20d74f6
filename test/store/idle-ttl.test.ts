import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { readHeader } from "../../src/store/records/record.js";
import { useRedis } from "../support/redis-fixture.js";
import { makeStore, readRaw, strategies } from "../support/store-fixture.js";

/**
 * A session keeps its own idle TTL: the TTL it was last given slides it on every save or touch that names none
 * (Spring's maxInactiveInterval, express-session's cookie maxAge). One never given a TTL follows its store's
 * `defaultTtl`, and no TTL ever goes past the store's `maxTtl`.
 */

const redis = useRedis();

const expirySeconds = (session: { expiresAt: Date } | null) => (session?.expiresAt.getTime() ?? 0) / 1000;

describe.each(strategies)("%s strategy", (strategy) => {
  const setup = (overrides: Record<string, unknown> = {}) => makeStore(redis, { strategy, ...overrides });

  it("slides by the TTL given at creation on every touch, read with touch and save that gives none", async () => {
    const { repository, clock } = setup(); // defaultTtl: 14 days
    const now = () => Math.floor(clock.ms / 1000);
    const session = await repository.create({ n: 0 }, { ttl: 3600 });
    expect(session.idleTtl).toBe(3600);
    expect(expirySeconds(session)).toBe(now() + 3600);

    clock.advanceSeconds(60);
    expect(expirySeconds(await repository.touch(session.key))).toBe(now() + 3600);
    clock.advanceSeconds(60);
    const read = await repository.get(session.key, { touch: true });
    expect(read?.idleTtl).toBe(3600);
    expect(expirySeconds(read)).toBe(now() + 3600);
    clock.advanceSeconds(60);
    const saved = await repository.save(session.key, { n: 1 }, { condition: { kind: "mustExist" } });
    expect(saved.idleTtl).toBe(3600);
    expect(expirySeconds(saved)).toBe(now() + 3600);
    expect(await repository.get(session.key)).toEqual(saved);
    expect((await repository.getMany([session.key])).found).toEqual([saved]);
  });

  it("takes a new TTL from a save or touch as its own from then on", async () => {
    const { repository, clock } = setup();
    const now = () => Math.floor(clock.ms / 1000);
    const session = await repository.create({}, { ttl: 3600 });
    await repository.save(session.key, { n: 1 }, { ttl: 600 });
    clock.advanceSeconds(30);
    expect(expirySeconds(await repository.touch(session.key))).toBe(now() + 600);
    await repository.touch(session.key, { ttl: 7200 });
    clock.advanceSeconds(30);
    const saved = await repository.save(session.key, { n: 2 });
    expect(saved.idleTtl).toBe(7200);
    expect(expirySeconds(saved)).toBe(now() + 7200);
  });

  it("follows the store's defaultTtl when it was never given a TTL, also after the operator changes it", async () => {
    const before = setup({ defaultTtl: 100 });
    const session = await before.repository.create({ n: 0 });
    expect(session.idleTtl).toBe(100);
    expect(readHeader((await readRaw(redis, before.config, session.key)) as Buffer)?.idleTtl).toBeUndefined();

    const after = setup({ defaultTtl: 200 });
    const now = Math.floor(after.clock.ms / 1000);
    const touched = await after.repository.touch(session.key);
    expect(touched.idleTtl).toBe(200);
    expect(expirySeconds(touched)).toBe(now + 200);
    expect((await after.repository.get(session.key))?.idleTtl).toBe(200);
  });

  it("never slides past the store's maxTtl, even when the operator lowers it below a session's own TTL", async () => {
    const { repository } = setup({ maxTtl: 5000, defaultTtl: 1000 });
    const session = await repository.create({}, { ttl: 5000 });
    const lowered = setup({ maxTtl: 1000, defaultTtl: 1000 });
    const now = Math.floor(lowered.clock.ms / 1000);
    const touched = await lowered.repository.touch(session.key);
    expect(touched.idleTtl).toBe(1000);
    expect(expirySeconds(touched)).toBe(now + 1000);
    expect((await lowered.repository.get(session.key))?.idleTtl).toBe(1000);
  });

  it("starts a session saved under a free key (or over an expired one) with the store's default", async () => {
    const { repository, clock } = setup({ defaultTtl: 300 });
    const key = randomBytes(16).toString("hex");
    const old = await repository.save(key, { n: 0 }, { ttl: 50 });
    expect(old.idleTtl).toBe(50);
    clock.advanceSeconds(51); // expired: its TTL is not carried over to whatever is saved under the key next
    const fresh = await repository.save(key, { n: 1 });
    expect(fresh).toMatchObject({ version: 1, idleTtl: 300 });
    expect(expirySeconds(fresh)).toBe(Math.floor(clock.ms / 1000) + 300);
  });
});
