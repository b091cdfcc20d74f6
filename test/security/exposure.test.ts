import { randomBytes } from "node:crypto";
import { type Client, status } from "@grpc/grpc-js";
import { afterAll, describe, expect, it } from "vitest";
import { SessionAdminService } from "../../gen/redisession/v1/admin_service_pb.js";
import { SessionService } from "../../gen/redisession/v1/session_service_pb.js";
import { exposureWarning, isLoopbackHost } from "../../src/auth/exposure-warning.js";
import { parseConfig } from "../../src/config/load-config.js";
import { type RunningServer, startServer } from "../../src/server/server.js";
import { issueLines } from "../config/config-test-helpers.js";
import { bearer, listServices, tokenEntry, unaryWith } from "../support/auth-calls.js";
import { makeCertificates } from "../support/certificates.js";
import { captureLog } from "../support/log-capture.js";
import { rawClient } from "../support/raw-grpc.js";
import { useRedis } from "../support/redis-fixture.js";
import { serverConfig, testLogger } from "../support/server-fixture.js";

useRedis();
const servers: RunningServer[] = [];
const raws: Client[] = [];
afterAll(async () => {
  for (const raw of raws) raw.close();
  await Promise.all(servers.map((server) => server.shutdown(0)));
});

const adminToken = randomBytes(32).toString("base64");
const env = { TEST_TOKENS: tokenEntry(adminToken, "admin,write", "*") };
const withAuth = { auth: { tokenEnv: "TEST_TOKENS" } };

async function serve(server: Record<string, unknown>, logger = testLogger()) {
  const running = await startServer({ config: serverConfig({ server }), logger, env });
  servers.push(running);
  const raw = rawClient(`127.0.0.1:${running.port}`);
  raws.push(raw);
  return { running, raw };
}

/** The status code a promise rejects with (grpc-js errors carry `code`). */
const codeOf = (call: Promise<unknown>) =>
  call.then(
    () => "OK",
    (error: { code: number }) => status[error.code],
  );

const listStores = (raw: Client, token?: string) =>
  unaryWith(raw, SessionAdminService.method.listStores, {}, bearer(token));

describe("reflection and the admin service", () => {
  it('with auth, are "admin" by default', async () => {
    const { raw } = await serve(withAuth);
    expect(await codeOf(listServices(raw, bearer(undefined)))).toBe("UNAUTHENTICATED");
    expect(await codeOf(listStores(raw))).toBe("UNAUTHENTICATED");
    expect(await listServices(raw, bearer(adminToken))).toContain(SessionAdminService.typeName);
    expect(await codeOf(listStores(raw, adminToken))).toBe("OK");
  });

  it('with auth, can be "open" while sessions still need tokens', async () => {
    const { raw } = await serve({ ...withAuth, reflection: "open", adminService: "open" });
    expect(await listServices(raw, bearer(undefined))).toContain(SessionService.typeName);
    expect(await codeOf(listStores(raw))).toBe("OK");
    const create = unaryWith(raw, SessionService.method.createSession, {}, bearer(undefined));
    expect(await codeOf(create)).toBe("UNAUTHENTICATED");
  });

  it('can be "off": not served, even to an admin token', async () => {
    const { raw } = await serve({ ...withAuth, reflection: "off", adminService: "off" });
    expect(await codeOf(listServices(raw, bearer(adminToken)))).toBe("UNIMPLEMENTED");
    expect(await codeOf(listStores(raw, adminToken))).toBe("UNIMPLEMENTED");
    const created = unaryWith(raw, SessionService.method.createSession, {}, bearer(adminToken));
    expect(await codeOf(created)).toBe("OK");
  });

  it('without auth, are open by default and can be "off"', async () => {
    const open = await serve({});
    expect(await listServices(open.raw, bearer(undefined))).toEqual(
      expect.arrayContaining([SessionService.typeName, SessionAdminService.typeName]),
    );
    expect(await codeOf(listStores(open.raw))).toBe("OK");
    const off = await serve({ reflection: "off", adminService: "off" });
    expect(await codeOf(listServices(off.raw, bearer(undefined)))).toBe("UNIMPLEMENTED");
    expect(await codeOf(listStores(off.raw))).toBe("UNIMPLEMENTED");
  });

  it('refuse "admin" without auth in the configuration', () => {
    expect(issueLines(() => parseConfig({ server: { reflection: "admin", adminService: "admin" } }))).toEqual(
      [
        'server.reflection: "admin" needs server.auth: without tokens, no caller can be an admin',
        'server.adminService: "admin" needs server.auth: without tokens, no caller can be an admin',
      ],
    );
    expect(issueLines(() => parseConfig({ server: { reflection: "closed" } }))).toEqual([
      'server.reflection: must be "open", "admin" or "off"',
    ]);
  });
});

describe("the start-up warning", () => {
  const warningsOf = async (server: Record<string, unknown>) => {
    const log = captureLog();
    await serve(server, log.logger);
    return log
      .records()
      .filter((record) => record.level === 40)
      .map((record) => record.msg);
  };

  it("is logged once when the server listens beyond loopback without TLS or auth", async () => {
    expect(await warningsOf({ host: "0.0.0.0" })).toEqual([
      "listening on 0.0.0.0 without TLS or auth: anyone who can reach the port can read and write every session (configure server.tls and server.auth)",
    ]);
    expect(await warningsOf({ host: "0.0.0.0", ...withAuth })).toEqual([
      "listening on 0.0.0.0 without TLS: bearer tokens and sessions cross the network in clear (configure server.tls)",
    ]);
  });

  it("is not logged on loopback, nor with both TLS and auth", async () => {
    expect(await warningsOf({ host: "127.0.0.1" })).toEqual([]);
    const certs = makeCertificates();
    try {
      const tls = { certFile: certs.server.certFile, keyFile: certs.server.keyFile };
      expect(await warningsOf({ host: "0.0.0.0", tls, ...withAuth })).toEqual([]);
    } finally {
      certs.remove();
    }
  });

  it("knows loopback addresses", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]", "::ffff:127.0.0.1"]) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ["0.0.0.0", "::", "10.0.0.1", "sessions.internal", "128.0.0.1"]) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
    expect(exposureWarning("10.0.0.1", { tls: true, auth: false })).toContain("without auth");
  });
});
