import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { HealthCheckResponse_ServingStatus as Serving } from "../../gen/grpc/health/v1/health_pb.js";
import { failureOf } from "../support/call-helpers.js";
import { usePrivateServer } from "../support/private-server-fixture.js";
import { healthCheck, healthWatch } from "../support/raw-grpc.js";
import { freeze, redisPid } from "../support/redis-process.js";

// A Redis of this file's own: it is frozen, stopped and restarted.
const served = usePrivateServer({ server: { requestTimeoutMs: 400 }, clientTimeoutMs: 3_000 });

describe("availability", () => {
  it("is SERVING while Redis answers, for the server and for SessionService; NOT_FOUND for other services", async () => {
    // Polled: a check finds Redis slow when its PING takes longer than the interval (100 ms in tests), as it may
    // on a busy machine, and says NOT_SERVING until the next one.
    await expect.poll(async () => (await healthCheck(served.raw)).status).toBe(Serving.SERVING);
    await expect
      .poll(async () => (await healthCheck(served.raw, "redisession.v1.SessionService")).status)
      .toBe(Serving.SERVING);
    await expect(healthCheck(served.raw, "no.such.Service")).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
  });

  it("ends a call at its deadline when Redis hangs: DEADLINE_EXCEEDED, not a hang", async () => {
    const { session } = await served.client.createSession({});
    const key = session?.key ?? "";
    // Redis hangs until the test resumes it: nothing but a deadline can end these calls.
    const resume = freeze(await redisPid(served.redis.url));
    try {
      expect((await failureOf(served.client.getSession({ key }, { timeoutMs: 300 }))).code).toBe(
        status.DEADLINE_EXCEEDED,
      );
      // The client sets no deadline: the server's own request timeout (400 ms here) ends the call.
      expect((await failureOf(served.client.getSession({ key }, { timeoutMs: 0 }))).code).toBe(
        status.DEADLINE_EXCEEDED,
      );
    } finally {
      resume();
    }
  });

  it("goes NOT_SERVING when Redis stops, answers UNAVAILABLE within the deadline, and recovers", async () => {
    // The previous test's freeze may have turned the status NOT_SERVING for a moment.
    await expect.poll(async () => (await healthCheck(served.raw)).status).toBe(Serving.SERVING);
    const watch = healthWatch(served.raw);
    await expect.poll(() => watch.statuses.at(-1)).toBe(Serving.SERVING);
    const { session } = await served.client.createSession({ content: { case: "data", value: { a: 1 } } });
    await served.redis.stop();

    await expect.poll(async () => (await healthCheck(served.raw)).status).toBe(Serving.NOT_SERVING);
    await expect.poll(() => watch.statuses.at(-1)).toBe(Serving.NOT_SERVING);
    for (const call of [
      () => served.client.getSession({ key: session?.key ?? "" }, { timeoutMs: 2_000 }),
      () => served.client.createSession({}, { timeoutMs: 2_000 }),
      () => served.client.deleteSession({ key: session?.key ?? "" }, { timeoutMs: 2_000 }),
    ]) {
      expect((await failureOf(call())).code).toBe(status.UNAVAILABLE);
    }

    await served.restartRedis();
    await expect.poll(async () => (await healthCheck(served.raw)).status).toBe(Serving.SERVING);
    await expect.poll(() => watch.statuses.at(-1)).toBe(Serving.SERVING);
    expect(
      (await served.client.createSession({ content: { case: "data", value: { back: true } } })).session
        ?.version,
    ).toBe(1);
    expect(watch.ended).toBe(false);
    watch.cancel();
  });
});
