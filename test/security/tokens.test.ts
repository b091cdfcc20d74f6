import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, constants } from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";
import { SessionAdminService } from "../../gen/redisession/v1/admin_service_pb.js";
import { SaveCondition, SessionService } from "../../gen/redisession/v1/session_service_pb.js";
import { createClient, createSessionClient, type SessionClient } from "../../src/client/index.js";
import { type RunningServer, startServer } from "../../src/server/server.js";
import { delta, scrape } from "../metrics/prometheus-text.js";
import { bearer, listServices, tokenEntry, unaryWith } from "../support/auth-calls.js";
import { failureOf } from "../support/call-helpers.js";
import { deepStructBytes, saveRequestBytes } from "../support/deep-data.js";
import { headerInjectingProxy } from "../support/header-injecting-proxy.js";
import { type CapturedLog, captureLog } from "../support/log-capture.js";
import { healthCheck, rawClient, unaryBytes } from "../support/raw-grpc.js";
import { useRedis } from "../support/redis-fixture.js";
import { serverConfig } from "../support/server-fixture.js";
import { slowRequest } from "../support/slow-streams.js";

const redis = useRedis();

/** Random tokens, as an operator makes them (`openssl rand -base64 32`). */
const newToken = () => randomBytes(32).toString("base64");
const tokens = {
  read: newToken(),
  write: newToken(),
  stringsOnly: newToken(),
  admin: newToken(),
  defaultAdmin: newToken(),
};
const wrongToken = newToken();

let dir: string;
let server: RunningServer;
let log: CapturedLog;
let raw: Client;
const clients: { close(): void }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "redisession-tokens-"));
  const tokenFile = join(dir, "tokens");
  writeFileSync(
    tokenFile,
    [
      "# hash                                                          scopes      stores",
      tokenEntry(tokens.read, "read", "default"),
      tokenEntry(tokens.write, "write", "default,strings"),
      `${tokenEntry(tokens.stringsOnly, "read,write", "strings")}   # a service that owns one store`,
      "",
      tokenEntry(tokens.admin, "admin", "*"),
      tokenEntry(tokens.defaultAdmin, "admin", "default"),
    ].join("\n"),
  );
  log = captureLog();
  server = await startServer({
    config: serverConfig({ server: { auth: { tokenFile } } }),
    logger: log.logger,
  });
  raw = rawClient(`127.0.0.1:${server.port}`);
});
afterAll(async () => {
  for (const client of clients) client.close();
  raw.close();
  await server.shutdown(0);
  rmSync(dir, { recursive: true, force: true });
});

/** The shipped client with `token` (none: no token at all). */
function sessions(token?: string): SessionClient {
  const client = createSessionClient(`127.0.0.1:${server.port}`, { token, retry: false });
  clients.push(client);
  return client;
}

function admin(token?: string) {
  const client = createClient(SessionAdminService, `127.0.0.1:${server.port}`, { token, retry: false });
  clients.push(client);
  return client;
}

const codeOf = async (call: Promise<unknown>) => (await failureOf(call)).code;

describe("bearer tokens from a token file", () => {
  it("refuses calls without a token, with an unknown token, or with another scheme: UNAUTHENTICATED", async () => {
    const noToken = await failureOf(sessions().createSession({}));
    expect(noToken.code).toBe(status.UNAUTHENTICATED);
    expect(noToken.details).toBe("missing bearer token (authorization metadata)");
    const wrong = await failureOf(sessions(wrongToken).createSession({}));
    expect(wrong.code).toBe(status.UNAUTHENTICATED);
    expect(wrong.details).toBe("invalid bearer token");
    const basic = createSessionClient(`127.0.0.1:${server.port}`, {
      metadata: { authorization: `Basic ${tokens.write}` },
    });
    clients.push(basic);
    expect(await codeOf(basic.createSession({}))).toBe(status.UNAUTHENTICATED);
    // A token's hash is not a token.
    const hashAsToken = tokenEntry(tokens.write, "write", "default").split(" ")[0];
    expect(await codeOf(sessions(hashAsToken).createSession({}))).toBe(status.UNAUTHENTICATED);
    expect(Number(await redis.raw("DBSIZE"))).toBe(0);
  });

  it("lets a write token do everything on its stores", async () => {
    const api = sessions(tokens.write);
    for (const store of ["", "default", "strings"]) {
      const key =
        (await api.createSession({ store, content: { case: "data", value: { n: 1 } } })).session?.key ?? "";
      await api.saveSession({
        store,
        key,
        content: { case: "data", value: { n: 2 } },
        condition: SaveCondition.MUST_EXIST,
      });
      await api.touchSession({ store, key });
      expect((await api.getSession({ store, key, touch: true })).session?.content).toEqual({
        case: "data",
        value: { n: 2 },
      });
      expect((await api.batchGetSessions({ store, keys: [key] })).sessions).toHaveLength(1);
      const rotated = (await api.rotateSessionKey({ store, key })).session?.key ?? "";
      expect((await api.deleteSession({ store, key: rotated })).existed).toBe(true);
    }
  });

  it("lets a read token read, but not write or touch: PERMISSION_DENIED, and Redis is untouched", async () => {
    const key =
      (await sessions(tokens.write).createSession({ content: { case: "data", value: { a: 1 } } })).session
        ?.key ?? "";
    const reader = sessions(tokens.read);
    expect((await reader.getSession({ key })).session?.content).toEqual({ case: "data", value: { a: 1 } });
    expect((await reader.batchGetSessions({ keys: [key] })).sessions).toHaveLength(1);
    const denied = await failureOf(
      reader.saveSession({
        key,
        content: { case: "data", value: { a: 2 } },
        condition: SaveCondition.MUST_EXIST,
      }),
    );
    expect(denied.code).toBe(status.PERMISSION_DENIED);
    expect(denied.details).toBe('the token does not grant "write" on store "default"');
    expect(await codeOf(reader.createSession({}))).toBe(status.PERMISSION_DENIED);
    expect(await codeOf(reader.deleteSession({ key }))).toBe(status.PERMISSION_DENIED);
    expect(await codeOf(reader.rotateSessionKey({ key }))).toBe(status.PERMISSION_DENIED);
    // touch moves the expiry, so it needs write like TouchSession does.
    expect(await codeOf(reader.getSession({ key, touch: true }))).toBe(status.PERMISSION_DENIED);
    expect(await codeOf(reader.touchSession({ key }))).toBe(status.PERMISSION_DENIED);
    expect((await reader.getSession({ key })).session?.content).toEqual({ case: "data", value: { a: 1 } });
    expect(Number(await redis.raw("DBSIZE"))).toBe(1);
  });

  it("keeps a token to its stores: another store, or one that does not exist, is PERMISSION_DENIED", async () => {
    const own = sessions(tokens.stringsOnly);
    const key =
      (await own.createSession({ store: "strings", content: { case: "data", value: { s: 1 } } })).session
        ?.key ?? "";
    expect((await own.getSession({ store: "strings", key })).session?.content).toEqual({
      case: "data",
      value: { s: 1 },
    });
    const other = await failureOf(own.createSession({ store: "default" }));
    expect(other.code).toBe(status.PERMISSION_DENIED);
    expect(other.details).toBe('the token does not grant "write" on store "default"');
    // An empty store name is the default store.
    expect(await codeOf(own.createSession({}))).toBe(status.PERMISSION_DENIED);
    // Not INVALID_ARGUMENT: a limited token learns nothing about which stores exist.
    expect(await codeOf(own.getSession({ store: "nope", key }))).toBe(status.PERMISSION_DENIED);
    // The read token is limited to default, too.
    expect(await codeOf(sessions(tokens.read).getSession({ store: "strings", key }))).toBe(
      status.PERMISSION_DENIED,
    );
  });

  it("checks the token of a request it cannot decode, then answers the request's own error, touching nothing", async () => {
    const tooDeep = saveRequestBytes("", "ab".repeat(16), deepStructBytes(1_000, "mixed"));
    const garbage = Buffer.from([0xff, 0xff, 0xff]);
    const send = (body: Buffer, token?: string) =>
      unaryBytes(raw, SessionService.method.saveSession, body, 5_000, bearer(token));
    for (const body of [tooDeep, garbage]) {
      expect((await send(body)).code).toBe(status.UNAUTHENTICATED);
      expect((await send(body, wrongToken)).code).toBe(status.UNAUTHENTICATED);
    }
    // An undecodable request names no store to check the scope against: it is refused for what it is, without
    // reaching any store, whatever the token grants (as grpc-js refused it before the token was looked at).
    for (const token of [tokens.write, tokens.read]) {
      expect((await send(tooDeep, token)).code).toBe(status.INVALID_ARGUMENT);
      expect((await send(garbage, token)).code).toBe(status.INTERNAL);
    }
    expect(Number(await redis.raw("DBSIZE"))).toBe(0);
  });

  it("opens SessionAdminService to admin tokens only", async () => {
    expect((await admin(tokens.admin).listStores({})).stores.map((s) => s.name).sort()).toEqual([
      "default",
      "strings",
    ]);
    expect((await admin(tokens.admin).purgeExpired({ store: "default" })).applicable).toBe(true);
    expect(await codeOf(admin(tokens.write).listStores({}))).toBe(status.PERMISSION_DENIED);
    expect(await codeOf(admin(tokens.write).purgeExpired({}))).toBe(status.PERMISSION_DENIED);
    expect(await codeOf(admin().getStoreStats({}))).toBe(status.UNAUTHENTICATED);
    // admin on one store: that store's stats, but not the list of every store.
    const limited = admin(tokens.defaultAdmin);
    expect((await limited.getStoreStats({ store: "default" })).store).toBe("default");
    expect(await codeOf(limited.getStoreStats({ store: "strings" }))).toBe(status.PERMISSION_DENIED);
    const everyStore = await failureOf(limited.listStores({}));
    expect(everyStore.code).toBe(status.PERMISSION_DENIED);
    expect(everyStore.details).toBe('the token does not grant "admin" on every store (*)');
    // admin implies neither read nor write.
    expect(await codeOf(sessions(tokens.admin).createSession({}))).toBe(status.PERMISSION_DENIED);
  });

  it("keeps health checks open without a token", async () => {
    const { status: serving } = await healthCheck(raw);
    expect(serving).toBe(HealthCheckResponse_ServingStatus.SERVING);
    const named = await unaryWith(
      raw,
      Health.method.check,
      { service: SessionService.typeName },
      bearer(undefined),
    );
    expect(named.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
  });

  it("limits reflection to admin tokens by default", async () => {
    const refused = await listServices(raw, bearer(undefined)).catch((e: { code: number }) => e.code);
    expect(refused).toBe(status.UNAUTHENTICATED);
    const denied = await listServices(raw, bearer(tokens.write)).catch((e: { code: number }) => e.code);
    expect(denied).toBe(status.PERMISSION_DENIED);
    // Any admin grant will do: reflection describes the API, not a store.
    expect(await listServices(raw, bearer(tokens.defaultAdmin))).toContain(SessionService.typeName);
  });

  it("ends a refused call at once even while its request trickles in: the stream is reset after the status", async () => {
    const session = connect(`http://127.0.0.1:${server.port}`);
    session.on("error", () => {});
    try {
      const refused = await slowRequest(session, "/redisession.v1.SessionService/CreateSession", {
        headers: { authorization: `Bearer ${wrongToken}` },
      });
      expect(refused.grpcStatus).toBe(status.UNAUTHENTICATED);
      // The server closed it while the client was still sending: RST_STREAM NO_ERROR.
      expect(refused.cutOff).toBe(true);
      expect(refused.rstCode).toBe(constants.NGHTTP2_NO_ERROR);
    } finally {
      session.destroy();
    }
  });

  it("counts refusals in redisession_rpc_calls_total, by method and code", async () => {
    const before = await scrape(server.metricsPort);
    const reader = sessions(tokens.read);
    await failureOf(sessions().getSession({ key: "0".repeat(32) }));
    await failureOf(reader.deleteSession({ key: "0".repeat(32) }));
    await failureOf(reader.deleteSession({ key: "0".repeat(32) }));
    const after = await scrape(server.metricsPort);
    const count = (rpc: string, code: string) =>
      delta(before, after, "redisession_rpc_calls_total", {
        rpc: `redisession.v1.SessionService/${rpc}`,
        code,
      });
    expect(count("GetSession", "UNAUTHENTICATED")).toBe(1);
    expect(count("DeleteSession", "PERMISSION_DENIED")).toBe(2);
  });

  it("logs each refusal with its method and reason, and never a token", async () => {
    const before = log.records().length;
    await failureOf(sessions(wrongToken).getSession({ key: "0".repeat(32) }));
    await failureOf(
      sessions(tokens.read).saveSession({ key: "0".repeat(32), condition: SaveCondition.MUST_CREATE }),
    );
    const refusals = log.records().slice(before);
    expect(refusals).toEqual([
      expect.objectContaining({
        level: 40,
        msg: "call refused",
        rpc: "/redisession.v1.SessionService/GetSession",
        code: "UNAUTHENTICATED",
        reason: "invalid bearer token",
      }),
      expect.objectContaining({
        msg: "call refused",
        rpc: "/redisession.v1.SessionService/SaveSession",
        code: "PERMISSION_DENIED",
        reason: 'the token does not grant "write" on store "default"',
      }),
    ]);
    const text = log.text();
    for (const token of [wrongToken, ...Object.values(tokens)]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(tokenEntry(token, "", "").split(" ")[0]);
    }
  });
});

describe("repeated authorization headers", () => {
  /**
   * The shipped client sends one `authorization`; a proxy in front of the server appends a second one after it,
   * below any HTTP/2 library (Node's client refuses to send the header twice).
   */
  async function throughProxy(token: string, appended: string): Promise<SessionClient> {
    const proxy = await headerInjectingProxy(server.port, "authorization", appended);
    const client = createSessionClient(`127.0.0.1:${proxy.port}`, { token, retry: false });
    clients.push(client, { close: () => void proxy.close() });
    return client;
  }

  it("refuses a valid token followed by junk, or junk followed by a valid token: UNAUTHENTICATED", async () => {
    const before = await scrape(server.metricsPort);
    const logged = log.records().length;
    const validThenJunk = await throughProxy(tokens.write, "Bearer junk");
    const junkThenValid = await throughProxy("junk", `Bearer ${tokens.write}`);
    // The same token twice is refused too: which copy a proxy checked cannot be known.
    const validTwice = await throughProxy(tokens.write, `Bearer ${tokens.write}`);
    for (const client of [validThenJunk, junkThenValid, validTwice]) {
      const failure = await failureOf(client.createSession({ content: { case: "data", value: { x: 1 } } }));
      expect(failure.code).toBe(status.UNAUTHENTICATED);
      expect(failure.reason).toBe("UNAUTHENTICATED");
      expect(failure.details).toBe("more than one authorization header");
    }
    // Meanwhile a client with one header is served, directly and through a proxy that adds another header.
    const key = (await sessions(tokens.write).createSession({})).session?.key ?? "";
    const proxy = await headerInjectingProxy(server.port, "x-request-source", "proxy");
    const proxied = createSessionClient(`127.0.0.1:${proxy.port}`, { token: tokens.write, retry: false });
    clients.push(proxied, { close: () => void proxy.close() });
    expect((await proxied.getSession({ key })).session?.key).toBe(key);
    // Nothing but that one session was stored; each refusal was counted and logged.
    expect(Number(await redis.raw("DBSIZE"))).toBe(1);
    const after = await scrape(server.metricsPort);
    expect(
      delta(before, after, "redisession_rpc_calls_total", {
        rpc: "redisession.v1.SessionService/CreateSession",
        code: "UNAUTHENTICATED",
      }),
    ).toBe(3);
    expect(log.records().slice(logged)).toEqual(
      Array.from({ length: 3 }, () =>
        expect.objectContaining({ msg: "call refused", reason: "more than one authorization header" }),
      ),
    );
  });
});
