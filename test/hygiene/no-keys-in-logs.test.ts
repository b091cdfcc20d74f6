import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionAdminService } from "../../gen/redisession/v1/admin_service_pb.js";
import { SaveCondition } from "../../gen/redisession/v1/session_service_pb.js";
import { type RedisServer, startRedisServer } from "../../src/cli/redis-server-process.js";
import { createClient, createSessionClient, type SessionClient } from "../../src/client/index.js";
import { parseConfig } from "../../src/config/load-config.js";
import { createLogger } from "../../src/server/logger.js";
import { type RunningServer, startServer } from "../../src/server/server.js";
import { createSessionRepository } from "../../src/store/create-session-repository.js";
import { InvalidKeyError } from "../../src/store/errors.js";
import { describeMalformedKey } from "../../src/store/records/session-key.js";
import { createRedisClient } from "../../src/store/redis/redis-connection.js";
import { RedisLink } from "../../src/store/redis/redis-link.js";
import { outcomeOf } from "../support/call-outcomes.js";
import { rawLocation, storeConfig } from "../support/store-fixture.js";

/** Every line the server logged, at debug level and above. */
const logLines: string[] = [];
const destination = new Writable({
  write(chunk: Buffer | string, _encoding, done) {
    logLines.push(chunk.toString());
    done();
  },
});

// A Redis of this file's own: the workload ends by killing it, to log the outage too.
let redis: RedisServer;
let server: RunningServer | undefined;
let client: SessionClient;

const config = (url: string) =>
  parseConfig(
    {
      redis: { default: { url, connectTimeoutMs: 500 } },
      // logKeyErrors: malformed keys are logged, which is where a key is likeliest to leak.
      stores: {
        default: { strategy: "hash", codec: "zstd", bucketBits: 8, logKeyErrors: true },
        strings: { strategy: "string", codec: "gzip", compressMinBytes: 0, logKeyErrors: true },
      },
      server: { host: "127.0.0.1", port: 0, healthIntervalMs: 100, metrics: { enabled: false } },
    },
    {},
  );

beforeAll(async () => {
  redis = await startRedisServer();
  server = await startServer({
    config: config(redis.url),
    logger: createLogger({ level: "debug", destination }),
  });
  client = createSessionClient(`127.0.0.1:${server.port}`, { defaultTimeoutMs: 5_000, retry: false });
});

afterAll(async () => {
  client.close();
  await server?.shutdown(0);
  await redis.stop();
});

/**
 * Every way a key could appear in a log line: as sent (32 hex characters, or whatever a malformed key was), its
 * upper-case spelling, its 16-character halves, and the raw bytes as pino would print a Buffer (base64 or a JSON
 * byte array), whole or halved.
 */
function spellings(key: string): string[] {
  if (!/^[0-9a-fA-F]{32}$/.test(key)) return key.length >= 8 ? [key] : [];
  const hex = key.toLowerCase();
  const bytes = Buffer.from(hex, "hex");
  const halves = [bytes.subarray(0, 8), bytes.subarray(8)];
  return [
    hex,
    hex.toUpperCase(),
    hex.slice(0, 16),
    hex.slice(16),
    bytes.toString("base64"),
    bytes.toString("base64url"),
    [...bytes].join(","),
    ...halves.map((half) => [...half].join(",")),
    ...halves.map((half) => half.toString("base64").replace(/=+$/, "")),
  ];
}

describe("log hygiene", () => {
  it("no key a client sent or received appears in any log line, at debug level, whatever happened", async () => {
    const keys = new Set<string>();
    const used = (key: string | undefined) => {
      if (key !== undefined) keys.add(key);
      return key ?? "";
    };
    const redisClient = createRedisClient({ name: "test", url: redis.url, connectTimeoutMs: 2_000 });
    await redisClient.connect();
    const link = new RedisLink(redisClient);

    for (const store of ["", "strings"]) {
      // Every RPC, on the way that succeeds.
      const key = used(
        (await client.createSession({ store, content: { case: "data", value: { user: "ada" } } })).session
          ?.key,
      );
      await client.getSession({ store, key });
      await client.getSession({ store, key, touch: true, idleTtl: { seconds: 60n } });
      await client.saveSession({
        store,
        key,
        content: { case: "data", value: { n: 1 } },
        condition: SaveCondition.EXPECTED_VERSION,
        expectedVersion: 1,
      });
      await client.saveSession({
        store,
        key,
        content: { case: "data", value: { n: 2 } },
        condition: SaveCondition.MUST_EXIST,
      });
      await client.touchSession({ store, key });
      const rotated = used((await client.rotateSessionKey({ store, key })).session?.key);
      const chosen = used(randomBytes(16).toString("hex"));
      await client.saveSession({
        store,
        key: chosen,
        content: { case: "data", value: {} },
        condition: SaveCondition.MUST_CREATE,
      });
      const batch = await client.batchGetSessions({
        store,
        keys: [rotated, chosen, key, used(randomBytes(16).toString("hex"))],
      });
      for (const session of batch.sessions) used(session.key);
      await client.deleteSession({ store, key: chosen });
      await client.deleteSession({ store, key: chosen });

      // Every refusal: conditions, keys never issued, and malformed keys made from real ones.
      const expectCode = async (code: status, call: () => Promise<unknown>) =>
        expect((await outcomeOf(call)).code).toBe(code);
      await expectCode(status.ALREADY_EXISTS, () =>
        client.saveSession({ store, key: rotated, condition: SaveCondition.MUST_CREATE }),
      );
      await expectCode(status.ABORTED, () =>
        client.saveSession({
          store,
          key: rotated,
          condition: SaveCondition.EXPECTED_VERSION,
          expectedVersion: 9,
        }),
      );
      const unknown = used(randomBytes(16).toString("hex"));
      await expectCode(status.NOT_FOUND, () => client.getSession({ store, key: unknown }));
      await expectCode(status.NOT_FOUND, () => client.touchSession({ store, key: unknown }));
      await expectCode(status.NOT_FOUND, () => client.rotateSessionKey({ store, key: unknown }));
      await expectCode(status.NOT_FOUND, () =>
        client.saveSession({ store, key: unknown, condition: SaveCondition.MUST_EXIST }),
      );
      for (const malformed of [
        rotated.toUpperCase(),
        rotated.slice(0, 31),
        `${rotated}0`,
        `${rotated.slice(0, 30)}\r\n`,
        ` ${rotated} `,
        `{${rotated}}`,
      ]) {
        used(malformed);
        await expectCode(status.INVALID_ARGUMENT, () => client.getSession({ store, key: malformed }));
        await expectCode(status.INVALID_ARGUMENT, () =>
          client.saveSession({ store, key: malformed, condition: SaveCondition.MUST_CREATE }),
        );
        await expectCode(status.INVALID_ARGUMENT, () => client.deleteSession({ store, key: malformed }));
        await expectCode(status.INVALID_ARGUMENT, () =>
          client.batchGetSessions({ store, keys: [rotated, malformed] }),
        );
      }
      await expectCode(status.INVALID_ARGUMENT, () =>
        client.getSession({ store: "no-such-store", key: rotated }),
      );

      // Failures an operator must see, and whose causes are logged: a corrupt record (DATA_LOSS) and a Redis
      // error reply (INTERNAL: a foreign value where the session's bucket or key should be).
      const prefix = store === "" ? "default:" : "strings:";
      const shape = { strategy: store === "" ? "hash" : "string", bucketBits: 8, prefix } as const;
      const corrupt = used(
        (await client.createSession({ store, content: { case: "data", value: { doomed: true } } })).session
          ?.key,
      );
      const at = rawLocation(shape as never, corrupt);
      if (at.field === undefined) await link.command(["SET", at.redisKey, "garbage"]);
      else await link.command(["HSET", at.redisKey, at.field, "garbage"]);
      await expectCode(status.DATA_LOSS, () => client.getSession({ store, key: corrupt }));
      await expectCode(status.DATA_LOSS, () => client.rotateSessionKey({ store, key: corrupt }));
      const wrongType = used(randomBytes(16).toString("hex"));
      const foreign = rawLocation(shape as never, wrongType).redisKey;
      await link.command(["DEL", foreign]);
      await link.command(["LPUSH", foreign, "not a session"]);
      await expectCode(status.INTERNAL, () => client.getSession({ store, key: wrongType }));
      await expectCode(status.INTERNAL, () =>
        client.saveSession({ store, key: wrongType, condition: SaveCondition.MUST_CREATE }),
      );
      // The admin calls below read every bucket: leave them readable.
      await link.command(["DEL", foreign]);
    }

    const admin = createClient(SessionAdminService, `127.0.0.1:${server?.port}`, { retry: false });
    await admin.listStores({});
    await admin.getStoreStats({ store: "" });
    await admin.getStoreStats({ store: "strings" });
    await admin.purgeExpired({ store: "" });
    admin.close();
    redisClient.destroy();

    // Redis goes away: UNAVAILABLE, logged with its cause.
    await redis.stop();
    await expect
      .poll(async () => (await outcomeOf(() => client.getSession({ key: [...keys][0] ?? "" }))).code)
      .toBe(status.UNAVAILABLE);
    await expect
      .poll(async () => (await outcomeOf(() => client.createSession({}))).code)
      .toBe(status.UNAVAILABLE);
    await server?.shutdown(0);
    server = undefined;

    // The log has lines from every part of the workload: start-up, malformed keys, failures, the outage, shutdown.
    const log = logLines.join("");
    const messages = logLines.map((line) => (JSON.parse(line) as { msg?: string }).msg);
    expect(messages).toContain("redisession listening");
    expect(messages).toContain("malformed session key");
    expect(messages).toContain("Redis connection error");
    expect(messages).toContain("stopped");
    expect(log).toMatch(/DATA_LOSS/);
    expect(log).toMatch(/INTERNAL/);
    expect(log).toMatch(/UNAVAILABLE/);

    expect(keys.size).toBeGreaterThanOrEqual(20);
    const leaks = [...keys].flatMap((key) =>
      spellings(key)
        .filter((spelling) => log.includes(spelling))
        .map((spelling) => ({ key: JSON.stringify(key), spelling })),
    );
    expect(leaks).toEqual([]);
  });
});

describe("malformed key reports", () => {
  // The logger redacts every field named `key`, so the safe description goes under `malformedKey`: were it
  // logged as `key`, the description that lets an operator correlate probes would be "[redacted]".
  it("carry the key's safe description (length, problem, fingerprint), never the key", async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: "debug",
      destination: new Writable({
        write(chunk: Buffer | string, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    });
    // Never connected: a malformed key is refused before any Redis command.
    const unconnected = createRedisClient({
      name: "unused",
      url: "redis://127.0.0.1:1",
      connectTimeoutMs: 100,
    });
    const repository = createSessionRepository(storeConfig({ logKeyErrors: true }), unconnected, { logger });
    const key = randomBytes(16).toString("hex").toUpperCase();
    await expect(repository.get(key)).rejects.toThrow(InvalidKeyError);
    const log = lines.join("");
    expect(log).not.toContain(key);
    expect(log).not.toContain(key.toLowerCase());
    expect(log).toContain(describeMalformedKey(key).fingerprint);
    expect(log).toContain("upper-case hex");
  });
});
