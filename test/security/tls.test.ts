import { credentials, status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSessionClient, type SessionClientOptions } from "../../src/client/index.js";
import { ConfigError } from "../../src/config/config-error.js";
import { type RunningServer, startServer } from "../../src/server/server.js";
import { failureOf } from "../support/call-helpers.js";
import { makeCertificates, type TestCertificates } from "../support/certificates.js";
import { useRedis } from "../support/redis-fixture.js";
import { serverConfig, testLogger } from "../support/server-fixture.js";

useRedis();
let certs: TestCertificates;
const servers: RunningServer[] = [];
const clients: { close(): void }[] = [];

beforeAll(() => {
  certs = makeCertificates();
});
afterAll(async () => {
  for (const client of clients) client.close();
  await Promise.all(servers.map((server) => server.shutdown(0)));
  certs.remove();
});

async function serve(tls: Record<string, unknown>): Promise<number> {
  const server = await startServer({ config: serverConfig({ server: { tls } }), logger: testLogger() });
  servers.push(server);
  return server.port;
}

/** A shipped client that fails fast: no retries, a short deadline. */
function clientOf(port: number, options: SessionClientOptions = {}, host = "127.0.0.1") {
  const client = createSessionClient(`${host}:${port}`, {
    retry: false,
    defaultTimeoutMs: 3_000,
    ...options,
  });
  clients.push(client);
  return client;
}

/** Whether a session can be made and read back through `client`. */
async function roundTrip(client: ReturnType<typeof clientOf>): Promise<void> {
  const { session } = await client.createSession({ content: { case: "data", value: { over: "tls" } } });
  expect((await client.getSession({ key: session?.key ?? "" })).session?.content).toEqual({
    case: "data",
    value: { over: "tls" },
  });
}

describe("TLS (server.tls with certFile and keyFile)", () => {
  let port: number;
  beforeAll(async () => {
    port = await serve({ certFile: certs.server.certFile, keyFile: certs.server.keyFile });
  });

  it("serves the shipped client that trusts the test CA, by IP and by name", async () => {
    await roundTrip(clientOf(port, { tls: { rootCerts: certs.ca.cert } }));
    await roundTrip(clientOf(port, { tls: { rootCerts: certs.ca.cert } }, "localhost"));
  });

  it("serves a client given grpc-js credentials instead of tls", async () => {
    await roundTrip(clientOf(port, { credentials: credentials.createSsl(certs.ca.cert) }));
  });

  it("refuses a plaintext client", async () => {
    const failure = await failureOf(clientOf(port).createSession({}));
    expect(failure.code).toBe(status.UNAVAILABLE);
  });

  it("is refused by a client that does not trust its CA", async () => {
    const failure = await failureOf(
      clientOf(port, { tls: { rootCerts: certs.otherCa.cert } }).createSession({}),
    );
    expect(failure.code).toBe(status.UNAVAILABLE);
  });
});

describe("mutual TLS (server.tls.clientCaFile)", () => {
  let port: number;
  beforeAll(async () => {
    port = await serve({
      certFile: certs.server.certFile,
      keyFile: certs.server.keyFile,
      clientCaFile: certs.ca.certFile,
    });
  });

  it("accepts a client with a certificate the CA signed", async () => {
    const tls = { rootCerts: certs.ca.cert, certChain: certs.client.cert, privateKey: certs.client.key };
    await roundTrip(clientOf(port, { tls }));
  });

  it("rejects a client without a certificate", async () => {
    const failure = await failureOf(clientOf(port, { tls: { rootCerts: certs.ca.cert } }).createSession({}));
    expect(failure.code).toBe(status.UNAVAILABLE);
  });

  it("rejects a client whose certificate another CA signed", async () => {
    const tls = {
      rootCerts: certs.ca.cert,
      certChain: certs.strangerClient.cert,
      privateKey: certs.strangerClient.key,
    };
    const failure = await failureOf(clientOf(port, { tls }).createSession({}));
    expect(failure.code).toBe(status.UNAVAILABLE);
  });
});

describe("optional client certificates (requireClientCert: false)", () => {
  it("accepts clients with and without a certificate, even one another CA signed", async () => {
    const port = await serve({
      certFile: certs.server.certFile,
      keyFile: certs.server.keyFile,
      clientCaFile: certs.ca.certFile,
      requireClientCert: false,
    });
    await roundTrip(clientOf(port, { tls: { rootCerts: certs.ca.cert } }));
    const tls = { rootCerts: certs.ca.cert, certChain: certs.client.cert, privateKey: certs.client.key };
    await roundTrip(clientOf(port, { tls }));
    // Node's rejectUnauthorized: false admits a certificate the CA did not sign, too: certificates grant nothing.
    const stranger = {
      rootCerts: certs.ca.cert,
      certChain: certs.strangerClient.cert,
      privateKey: certs.strangerClient.key,
    };
    await roundTrip(clientOf(port, { tls: stranger }));
  });
});

describe("unusable TLS files fail the start-up, naming the setting", () => {
  it.each([
    [
      "a missing key file",
      () => ({ keyFile: `${certs.dir}/missing.key` }),
      "server.tls.keyFile: cannot read",
    ],
    ["a key of another certificate", () => ({ keyFile: certs.client.keyFile }), "server.tls: unusable"],
    ["a client CA file holding no certificate", () => ({ clientCaFile: certs.server.keyFile }), "server.tls"],
  ])("%s", async (_, override, message) => {
    const tls = { certFile: certs.server.certFile, keyFile: certs.server.keyFile, ...override() };
    const error = await startServer({ config: serverConfig({ server: { tls } }), logger: testLogger() }).then(
      (server) => {
        servers.push(server);
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(message);
    // Key material never ends up in an error message.
    expect((error as ConfigError).message).not.toContain("PRIVATE KEY");
  });
});
