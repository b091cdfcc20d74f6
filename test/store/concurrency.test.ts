import { describe, expect, it } from "vitest";
import { createSessionRepository } from "../../src/store/create-session-repository.js";
import { VersionConflictError } from "../../src/store/errors.js";
import type { SessionRepository } from "../../src/store/session-repository.js";
import { useRedis } from "../support/redis-fixture.js";
import { storeConfig, strategies } from "../support/store-fixture.js";

const redis = useRedis();

const WRITERS = 20;
const CYCLES = 50;

/** Reads the counter, increments it, and writes it back only if nobody wrote in between; retries on conflict. */
async function incrementWithRetry(repository: SessionRepository, key: string): Promise<number> {
  for (let conflicts = 0; ; conflicts++) {
    const session = await repository.get(key);
    if (session === null) throw new Error("session vanished");
    const count = Number(session.data.count);
    try {
      await repository.save(
        key,
        { count: count + 1 },
        { condition: { kind: "version", expected: session.version } },
      );
      return conflicts;
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      // Yield so other writers make progress: without it one connection's replies can starve the others.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

describe.each(strategies)("%s strategy under concurrent writers", (strategy) => {
  it(`${WRITERS} writers x ${CYCLES} read-increment-CAS cycles lose no increment`, async () => {
    const config = storeConfig({ strategy, codec: "zstd" });
    // Every writer has its own connection, as separate service replicas would.
    const writers = await Promise.all(
      Array.from({ length: WRITERS }, async () => createSessionRepository(config, await redis.newClient())),
    );
    const [first] = writers;
    if (first === undefined) throw new Error("no writers");
    const { key } = await first.create({ count: 0 });

    const conflicts = await Promise.all(
      writers.map(async (repository) => {
        let total = 0;
        for (let cycle = 0; cycle < CYCLES; cycle++) total += await incrementWithRetry(repository, key);
        return total;
      }),
    );

    const final = await first.get(key);
    expect(final?.data).toEqual({ count: WRITERS * CYCLES });
    expect(final?.version).toBe(1 + WRITERS * CYCLES);
    // The writers really raced: without conflicts this test would prove nothing about CAS.
    expect(conflicts.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});
