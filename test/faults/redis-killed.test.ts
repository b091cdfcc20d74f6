import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { HealthCheckResponse_ServingStatus as Serving } from "../../gen/grpc/health/v1/health_pb.js";
import { SaveCondition } from "../../gen/redisession/v1/session_service_pb.js";
import { type CallOutcome, codesOutside, countCodes, outcomeOf } from "../support/call-outcomes.js";
import { usePrivateServer } from "../support/private-server-fixture.js";
import { healthCheck } from "../support/raw-grpc.js";
import { isAlive, redisPid } from "../support/redis-process.js";

/**
 * Every call deadline in the load, and the server's request timeout: far longer than a busy machine delays an
 * answer, so that a call ending DEADLINE_EXCEEDED can only be one that waited for a Redis that was gone.
 */
const DEADLINE_MS = 60_000;

// A Redis of this file's own: it is killed and restarted, which the worker's shared one must never be.
const served = usePrivateServer({ server: { requestTimeoutMs: DEADLINE_MS } });

const serving = async () => (await healthCheck(served.raw)).status;

/** The RPCs of the load, by name: each one must be seen answered before the kill and refused after it. */
const RPCS = [
  "createSession",
  "getSession",
  "saveSession",
  "touchSession",
  "batchGetSessions",
  "deleteSession",
];

/** One call of the load: which RPC, and how it ended. */
interface LoadOutcome extends CallOutcome {
  readonly rpc: string;
}

/** The RPCs in `outcomes` that ended with `code`. */
const rpcsEndedWith = (outcomes: readonly LoadOutcome[], code: status) =>
  [...new Set(outcomes.filter((o) => o.code === code).map((o) => o.rpc))].sort();

/**
 * 32 callers that loop over every SessionService RPC until `stop()`, each call recorded with its outcome. `keys`
 * are sessions to read and write; after Redis lost them those calls may answer NOT_FOUND, so the load is stopped
 * before Redis returns.
 */
function startLoad(keys: readonly string[]) {
  const outcomes: LoadOutcome[] = [];
  let stopped = false;
  const store = (i: number) => (i % 2 === 0 ? "" : "strings");
  const calls: ((i: number) => Promise<unknown>)[] = [
    (i) =>
      served.client.createSession(
        { store: store(i), content: { case: "data", value: { i } } },
        { timeoutMs: DEADLINE_MS },
      ),
    (i) =>
      served.client.getSession({ store: "", key: keys[i % keys.length] ?? "" }, { timeoutMs: DEADLINE_MS }),
    (i) =>
      served.client.saveSession(
        {
          store: "",
          key: keys[i % keys.length] ?? "",
          content: { case: "data", value: { i } },
          condition: SaveCondition.MUST_EXIST,
        },
        { timeoutMs: DEADLINE_MS },
      ),
    (i) =>
      served.client.touchSession({ store: "", key: keys[i % keys.length] ?? "" }, { timeoutMs: DEADLINE_MS }),
    (i) =>
      served.client.batchGetSessions(
        { store: "", keys: keys.slice(0, 5 + (i % 5)) },
        { timeoutMs: DEADLINE_MS },
      ),
    () => served.client.deleteSession({ store: "strings", key: keys[0] ?? "" }, { timeoutMs: DEADLINE_MS }),
  ];
  const caller = async (id: number) => {
    for (let i = id; !stopped; i += 32) {
      const call = calls[i % calls.length];
      const rpc = RPCS[i % calls.length];
      if (call === undefined || rpc === undefined) throw new Error("no call");
      outcomes.push({ rpc, ...(await outcomeOf(() => call(i))) });
    }
  };
  const callers = Promise.all(Array.from({ length: 32 }, (_, id) => caller(id)));
  return {
    outcomes,
    async stop() {
      stopped = true;
      await callers;
    },
  };
}

describe("Redis killed (SIGKILL) under load", () => {
  it("answers every call OK or UNAVAILABLE within its deadline, goes NOT_SERVING, and serves again once Redis returns", async () => {
    await expect.poll(serving).toBe(Serving.SERVING);
    const keys: string[] = [];
    for (let i = 0; i < 20; i++)
      keys.push(
        (await served.client.createSession({ content: { case: "data", value: { i } } })).session?.key ?? "",
      );
    const pid = await redisPid(served.redis.url);

    const load = startLoad(keys);
    try {
      // Every RPC is answered before the kill (however many calls a busy machine makes meanwhile)...
      await expect.poll(() => rpcsEndedWith(load.outcomes, status.OK)).toEqual([...RPCS].sort());
      const beforeKill = load.outcomes.length;
      process.kill(pid, "SIGKILL");
      await expect.poll(() => isAlive(pid)).toBe(false);
      // ...and every RPC keeps being answered after it, refused by a server that says it cannot serve.
      await expect.poll(serving).toBe(Serving.NOT_SERVING);
      await expect
        .poll(() => rpcsEndedWith(load.outcomes.slice(beforeKill), status.UNAVAILABLE))
        .toEqual([...RPCS].sort());
    } finally {
      await load.stop();
    }
    const counts = countCodes(load.outcomes);
    // No call waited out its deadline (it would have ended DEADLINE_EXCEEDED): UNAVAILABLE came from the server
    // (Redis refused) or the connection attempt.
    expect(codesOutside(counts, [status.OK, status.UNAVAILABLE]), JSON.stringify(counts)).toEqual([]);

    // Redis returns on the same port, empty (it keeps nothing on disk): the service reconnects on its own (how soon
    // is the reconnection schedule's to say: at most 2 s between attempts, see redis-failures.test.ts).
    await served.restartRedis();
    await expect
      .poll(async () => (await outcomeOf(() => served.client.createSession({}))).code, { interval: 50 })
      .toBe(status.OK);
    // Every RPC works again, including the scripts Redis forgot when it died.
    for (const store of ["", "strings"]) {
      const session = (
        await served.client.createSession({ store, content: { case: "data", value: { back: true } } })
      ).session;
      const key = session?.key ?? "";
      expect((await served.client.getSession({ store, key })).session?.content).toEqual({
        case: "data",
        value: { back: true },
      });
      const save = served.client.saveSession({
        store,
        key,
        content: { case: "data", value: { v: 2 } },
        condition: SaveCondition.EXPECTED_VERSION,
        expectedVersion: 1,
      });
      expect((await save).session?.version).toBe(2);
      expect((await served.client.touchSession({ store, key })).session?.version).toBe(2);
      expect((await served.client.batchGetSessions({ store, keys: [key] })).sessions).toHaveLength(1);
      const rotated = (await served.client.rotateSessionKey({ store, key })).session?.key ?? "";
      expect((await served.client.deleteSession({ store, key: rotated })).existed).toBe(true);
    }
    await expect.poll(serving).toBe(Serving.SERVING);
  });
});
