import { randomUUID } from "node:crypto";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreateSessionRequestSchema } from "../../gen/redisession/v1/session_service_pb.js";
import { createRedisClient, type RedisClient } from "../../src/store/redis/redis-connection.js";
import { RedisLink } from "../../src/store/redis/redis-link.js";
import { failureOf } from "../support/call-helpers.js";
import { usePrivateServer } from "../support/private-server-fixture.js";
import { freeze, redisPid } from "../support/redis-process.js";
import { readRequestRecord, storedSessionCount } from "../support/request-records.js";
import { SERVED_STORES } from "../support/server-fixture.js";

/**
 * The failure request_id exists for, end to end: a CreateSession whose answer never reaches the caller (its
 * deadline passes while Redis hangs; the server still carries the create out once Redis answers), retried as
 * docs/typescript.md says. With a request_id the retry answers the session the first attempt made; without one, the first
 * session is orphaned.
 */

// A Redis of this file's own: it is frozen.
const served = usePrivateServer();

let client: RedisClient;
let link: RedisLink;
beforeAll(async () => {
  client = createRedisClient({ name: "test", url: served.redis.url, connectTimeoutMs: 2_000 });
  await client.connect();
  link = new RedisLink(client);
});
afterAll(() => client.close());
/** Raw commands to the private Redis, as `RedisFixture.raw` sends them (numbers as text, Buffers as they are). */
const redis = {
  raw: (...args: (string | Buffer | number)[]) =>
    link.command(args.map((arg) => (typeof arg === "number" ? String(arg) : arg))),
};

/**
 * Sends `request` while Redis hangs (frozen until the call has ended), so that its answer is lost
 * (DEADLINE_EXCEEDED), then once more: the first attempt's command reaches Redis first, on the same connection.
 */
async function lostThenRetried(request: MessageInitShape<typeof CreateSessionRequestSchema>) {
  const thaw = freeze(await redisPid(served.redis.url));
  try {
    const lost = await failureOf(served.client.createSession(request, { timeoutMs: 200 }));
    expect(lost.code).toBe(status.DEADLINE_EXCEEDED);
  } finally {
    thaw();
  }
  return served.client.createSession(request);
}

describe.each(SERVED_STORES)(
  "a CreateSession whose answer was lost, store $store ($strategy)",
  ({ store, config }) => {
    it("retried with its request_id, answers the one session the first attempt created", async () => {
      await redis.raw("FLUSHALL");
      const requestId = randomUUID();
      const retried = await lostThenRetried({
        store,
        content: { case: "data", value: { user: 1 } },
        requestId,
      });
      expect(await storedSessionCount(redis, config)).toBe(1);
      expect((await readRequestRecord(redis, config, requestId))?.key).toBe(retried.session?.key);
      expect(
        (await served.client.touchSession({ store, key: retried.session?.key ?? "" })).session?.version,
      ).toBe(1);
    });

    it("retried without a request_id, leaves the first attempt's session orphaned", async () => {
      await redis.raw("FLUSHALL");
      await lostThenRetried({ store, content: { case: "data", value: { user: 1 } } });
      expect(await storedSessionCount(redis, config)).toBe(2);
    });
  },
);
