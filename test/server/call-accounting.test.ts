import { type Client, Server, status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { SessionService } from "../../gen/redisession/v1/session_service_pb.js";
import { ServiceMetrics } from "../../src/metrics/service-metrics.js";
import { serviceDefinition } from "../../src/rpc/method-definitions.js";
import { InvalidRequestError } from "../../src/server/call-errors.js";
import { toCallFailure } from "../../src/server/grpc-status.js";
import { type BindOptions, bindService, type ServiceImpl } from "../../src/server/service-impl.js";
import { parseExposition } from "../metrics/prometheus-text.js";
import { bindLoopback } from "../support/bind-loopback.js";
import { createRequestBytes, deepStructBytes } from "../support/deep-data.js";
import { type CapturedLog, captureLog } from "../support/log-capture.js";
import { rawClient, unaryBytes } from "../support/raw-grpc.js";
import { rawStatus } from "../support/status-details.js";

/**
 * Every call ends with one status, and that status is the one counted in the metrics and logged, even when the
 * failure comes after the handler (a response that cannot be encoded, or is too large to send) or before it (a
 * request that cannot be decoded). Before, grpc-js answered those itself: the call was counted OK (or not at all)
 * and never logged. The service is bound as server.ts binds it (serviceDefinition + bindService), with handlers
 * that return what no real handler should: a real way to reach these paths without a mock.
 */

/** The most bytes a response may have here, small enough for a test to cross. */
const MAX_RESPONSE_BYTES = 1_024;

const SERVICE = SessionService.typeName;

let server: Server;
let client: Client;
let log: CapturedLog;
let metrics: ServiceMetrics;

/** A handler for every method: the ones under test return what no real handler should; the others refuse. */
function handlers(): ServiceImpl<typeof SessionService> {
  const refuse = async (): Promise<never> => {
    throw new InvalidRequestError("store", "not under test");
  };
  return {
    createSession: refuse,
    batchGetSessions: refuse,
    saveSession: refuse,
    rotateSessionKey: refuse,
    // A version int32 cannot hold (2^31): the response has no encoding.
    getSession: async () => ({ session: { key: "k", version: 2 ** 31 } }),
    // A response larger than the server sends.
    touchSession: async () => ({ session: { key: "x".repeat(2 * MAX_RESPONSE_BYTES) } }),
    // A response it can send: the path still works.
    deleteSession: async () => ({ existed: true }),
  };
}

beforeAll(async () => {
  log = captureLog();
  metrics = new ServiceMetrics();
  const options: BindOptions = {
    requestTimeoutMs: 5_000,
    toStatus: (error, method) => toCallFailure(error, method, log.logger),
    onCallEnd: metrics.onCallEnd,
    maxResponseBytes: MAX_RESPONSE_BYTES,
  };
  server = new Server();
  server.addService(serviceDefinition(SessionService), bindService(SessionService, handlers(), options));
  const port = await bindLoopback(server);
  client = rawClient(`127.0.0.1:${port}`);
});
afterAll(() => {
  client.close();
  server.forceShutdown();
});

/** The calls of `method` counted with `code` so far. */
async function counted(method: string, code: string): Promise<number> {
  const exposition = parseExposition(await metrics.registry.metrics());
  const sample = exposition.samples.find(
    (s) =>
      s.name === "redisession_rpc_calls_total" &&
      s.labels.rpc === `${SERVICE}/${method}` &&
      s.labels.code === code,
  );
  return sample?.value ?? 0;
}

/** The warnings logged about `rpc`. */
const warnings = (rpc: string) => log.records().filter((record) => record.rpc === rpc && record.level === 40);

describe("the status a call ends with is the one counted and logged", () => {
  it("a response that cannot be encoded: INTERNAL, counted as INTERNAL (not OK), its cause logged", async () => {
    const outcome = await unaryBytes(client, SessionService.method.getSession, Buffer.alloc(0));
    expect(outcome.code).toBe(status.INTERNAL);
    expect(outcome.details).toBe("internal error");
    expect(await counted("GetSession", "INTERNAL")).toBe(1);
    expect(await counted("GetSession", "OK")).toBe(0);
    const [warning] = warnings("GetSession");
    expect(warning?.code).toBe("INTERNAL");
    expect(JSON.stringify(warning?.err)).toMatch(/WireEncodeError/);
  });

  it("a response larger than the server sends: RESOURCE_EXHAUSTED, counted as such", async () => {
    const outcome = await unaryBytes(client, SessionService.method.touchSession, Buffer.alloc(0));
    expect(outcome.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(outcome.details).toMatch(/exceeds the server's limit of 1024 bytes/);
    expect(rawStatus(outcome.trailers).errorInfos[0]).toMatchObject({
      reason: "RESPONSE_TOO_LARGE",
      metadata: { limit_bytes: "1024" },
    });
    expect(await counted("TouchSession", "RESOURCE_EXHAUSTED")).toBe(1);
    expect(await counted("TouchSession", "OK")).toBe(0);
  });

  it("a request that cannot be decoded: INTERNAL, counted and logged, never reaching the handler", async () => {
    const outcome = await unaryBytes(client, SessionService.method.deleteSession, Buffer.from([0xff, 0xff]));
    expect(outcome.code).toBe(status.INTERNAL);
    expect(outcome.details).toBe("request message cannot be decoded");
    expect(rawStatus(outcome.trailers).errorInfos[0]?.reason).toBe("MALFORMED_REQUEST");
    expect(await counted("DeleteSession", "INTERNAL")).toBe(1);
    const [warning] = warnings("DeleteSession");
    expect(warning?.code).toBe("INTERNAL");
    expect(JSON.stringify(warning?.err)).toMatch(/cannot decode redisession\.v1\.DeleteSessionRequest/);
    // The handler, which answers every request OK, still does when it gets one.
    expect((await unaryBytes(client, SessionService.method.deleteSession, Buffer.alloc(0))).code).toBe(
      status.OK,
    );
    expect(await counted("DeleteSession", "OK")).toBe(1);
  });

  it("a request nested too deep for the decoder: INVALID_ARGUMENT, counted as such", async () => {
    const body = createRequestBytes("", deepStructBytes(100_000, "objects"));
    const outcome = await unaryBytes(client, SessionService.method.createSession, body);
    expect(outcome.code).toBe(status.INVALID_ARGUMENT);
    expect(outcome.details).toMatch(/deeper than 100 protobuf messages/);
    expect(rawStatus(outcome.trailers).errorInfos[0]?.reason).toBe("DATA_TOO_DEEP");
    expect(await counted("CreateSession", "INVALID_ARGUMENT")).toBe(1);
    expect(await counted("CreateSession", "INTERNAL")).toBe(0);
  });
});

describe("a server-streaming method", () => {
  it("answers a request it cannot decode through the same path", async () => {
    const streaming = new Server();
    const seen: status[] = [];
    const options: BindOptions = {
      requestTimeoutMs: 5_000,
      toStatus: (error, method) => toCallFailure(error, method, log.logger),
      onCallEnd: (_method, code) => seen.push(code),
    };
    const impl: ServiceImpl<typeof Health> = {
      check: async () => ({ status: 1 }),
      watch: async function* () {
        yield { status: 1 };
      },
    };
    streaming.addService(serviceDefinition(Health), bindService(Health, impl, options));
    const port = await bindLoopback(streaming);
    const raw = rawClient(`127.0.0.1:${port}`);
    try {
      const code = await new Promise<status>((resolve) => {
        const call = raw.makeServerStreamRequest(
          `/${Health.typeName}/Watch`,
          (bytes: Buffer) => bytes,
          (bytes: Buffer) => bytes,
          Buffer.from([0xff, 0xff]),
        );
        call.on("data", () => {});
        call.on("error", (error: { code: status }) => resolve(error.code));
        call.on("end", () => resolve(status.OK));
      });
      expect(code).toBe(status.INTERNAL);
      expect(seen).toEqual([status.INTERNAL]);
    } finally {
      raw.close();
      streaming.forceShutdown();
    }
  });
});
