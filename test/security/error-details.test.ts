import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, type ServiceError, status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionAdminService } from "../../gen/redisession/v1/admin_service_pb.js";
import {
  createClient,
  createSessionClient,
  SaveCondition,
  type SessionClient,
} from "../../src/client/index.js";
import { type RunningServer, startServer } from "../../src/server/server.js";
import { bearer, listServices, tokenEntry } from "../support/auth-calls.js";
import { failureOf } from "../support/call-helpers.js";
import { rawClient } from "../support/raw-grpc.js";
import { useRedis } from "../support/redis-fixture.js";
import { serverConfig, testLogger } from "../support/server-fixture.js";
import { type ExpectedDetails, expectDetails, rawStatus, trailerText } from "../support/status-details.js";

/**
 * Calls the auth interceptor refuses before any handler runs carry the same google.rpc.Status details as every
 * other failure: UNAUTHENTICATED, or PERMISSION_DENIED with the scope and store the call needed.
 */

useRedis();
const newToken = () => randomBytes(32).toString("base64");
const tokens = { read: newToken(), stringsOnly: newToken(), defaultAdmin: newToken() };

let dir: string;
let server: RunningServer;
let raw: Client;
const clients: { close(): void }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "redisession-error-details-"));
  const tokenFile = join(dir, "tokens");
  writeFileSync(
    tokenFile,
    [
      tokenEntry(tokens.read, "read", "default"),
      tokenEntry(tokens.stringsOnly, "read,write", "strings"),
      tokenEntry(tokens.defaultAdmin, "admin", "default"),
    ].join("\n"),
  );
  server = await startServer({
    config: serverConfig({ server: { auth: { tokenFile } } }),
    logger: testLogger(),
  });
  raw = rawClient(`127.0.0.1:${server.port}`);
});
afterAll(async () => {
  for (const client of clients) client.close();
  raw.close();
  await server.shutdown(0);
  rmSync(dir, { recursive: true, force: true });
});

function sessions(options: { token?: string; metadata?: Record<string, string> } = {}): SessionClient {
  const client = createSessionClient(`127.0.0.1:${server.port}`, { ...options, retry: false });
  clients.push(client);
  return client;
}

function admin(token?: string) {
  const client = createClient(SessionAdminService, `127.0.0.1:${server.port}`, { token, retry: false });
  clients.push(client);
  return client;
}

const KEY = "0123456789abcdef0123456789abcdef";
const unauthenticated: ExpectedDetails = { code: status.UNAUTHENTICATED, reason: "UNAUTHENTICATED" };
const denied = (scope: string, store?: string): ExpectedDetails => ({
  code: status.PERMISSION_DENIED,
  reason: "PERMISSION_DENIED",
  metadata: store === undefined ? { scope } : { scope, store },
});

describe("refusals carry google.rpc.Status details", () => {
  it.each([
    ["no token", () => sessions().getSession({ key: KEY })],
    ["an unknown token", () => sessions({ token: newToken() }).createSession({})],
    [
      "another scheme",
      () => sessions({ metadata: { authorization: `Basic ${tokens.read}` } }).getSession({ key: KEY }),
    ],
    ["no token, at the admin service", () => admin().listStores({})],
  ])("%s: UNAUTHENTICATED", async (_what, call) => {
    const error = await failureOf(call());
    expectDetails(error, unauthenticated);
    // Nothing of what was sent comes back.
    expect(trailerText(error)).not.toContain(tokens.read);
  });

  it.each([
    [
      "a read token writing",
      () => sessions({ token: tokens.read }).saveSession({ key: KEY, condition: SaveCondition.MUST_EXIST }),
      denied("write", "default"),
    ],
    [
      "a read token touching in a read",
      () => sessions({ token: tokens.read }).getSession({ key: KEY, touch: true }),
      denied("write", "default"),
    ],
    [
      "a token of one store reading another",
      () => sessions({ token: tokens.stringsOnly }).getSession({ key: KEY }),
      denied("read", "default"),
    ],
    [
      "a token of one store naming a store that does not exist",
      () => sessions({ token: tokens.stringsOnly }).createSession({ store: "nope" }),
      denied("write", "nope"),
    ],
    [
      "an admin token of one store at another store",
      () => admin(tokens.defaultAdmin).purgeExpired({ store: "strings" }),
      denied("admin", "strings"),
    ],
    [
      "an admin token of one store listing every store",
      () => admin(tokens.defaultAdmin).listStores({}),
      denied("admin", "*"),
    ],
    [
      "a read token at the admin service",
      () => admin(tokens.read).getStoreStats({}),
      denied("admin", "default"),
    ],
  ])("%s: PERMISSION_DENIED with the scope and store it needed", async (_what, call, expected) => {
    expectDetails(await failureOf(call()), expected);
  });

  it("reflection refused to a token without admin: PERMISSION_DENIED, scope only (any store would do)", async () => {
    const error = (await listServices(raw, bearer(tokens.read)).catch((e: unknown) => e)) as ServiceError;
    expect(error.code).toBe(status.PERMISSION_DENIED);
    const decoded = rawStatus(error.metadata);
    expect(decoded.status).toMatchObject({ code: status.PERMISSION_DENIED, message: error.details });
    expect(decoded.errorInfos).toEqual([
      expect.objectContaining({
        reason: "PERMISSION_DENIED",
        domain: "redisession",
        metadata: { scope: "admin" },
      }),
    ]);
  });
});
